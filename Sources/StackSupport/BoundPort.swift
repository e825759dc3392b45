import Synchronization

/// A one-shot cell for the port a listener actually bound, so a component can be configured with port 0
/// and the runner can still learn (and publish) the real port once the server is up.
///
/// `fulfil` is called from Hummingbird's `onServerRunning`; `value()` suspends until then, or fails if the
/// listener gave up first (`fail`), so the runner never waits forever on a server that will not start.
public final class BoundPort: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case bound(Int)
        case failed(any Error)
    }

    private let state = Mutex<State>(.waiting([]))
    /// A human name for errors ("identity provider").
    public let name: String

    public init(name: String) {
        self.name = name
    }

    public func fulfil(_ port: Int) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .bound(port)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    public func fail(_ error: any Error) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .failed(error)
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    /// The bound port, waiting for it if the server is not running yet.
    public func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .bound(let port): return .success(port)
                case .failed(let error): return .failure(error)
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// The port if already bound, without waiting.
    public var current: Int? {
        state.withLock { if case .bound(let port) = $0 { port } else { nil } }
    }
}
