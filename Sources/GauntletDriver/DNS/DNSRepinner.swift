import Foundation
import GauntletCore
import Synchronization

/// Re-resolves the target's names on a thread of its own, so that a slow or lost DNS answer never
/// stalls a worker's sending: the worker starts a round when the TTL runs out, keeps its last good pins
/// meanwhile, and picks the round's outcome up on a later turn of its loop.
final class DNSRepinner: Sendable {
    enum Outcome: Sendable, Equatable {
        case resolved(TargetNames.Round)
        case failed(String)
    }

    private enum State {
        case idle
        case running
        case done(Outcome)
    }

    private let names: TargetNames
    private let state = Mutex<State>(.idle)
    /// Set when a round is done, so the loop's check is one atomic load.
    private let ready = Atomic<Bool>(false)

    init(names: TargetNames) {
        self.names = names
    }

    /// Starts a round unless one is running.
    func start() {
        let idle = state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .running
            return true
        }
        guard idle else { return }
        let thread = Thread { [self] in
            let outcome: Outcome
            do throws(TransportError) { outcome = .resolved(try names.resolve(replacing: true)) } catch { outcome = .failed(error.description) }
            state.withLock { $0 = .done(outcome) }
            ready.store(true, ordering: .releasing)
        }
        thread.name = "gauntlet-dns"
        thread.start()
    }

    /// The finished round's outcome, once (nil: none finished).
    func take() -> Outcome? {
        guard ready.load(ordering: .acquiring) else { return nil }
        return state.withLock { state -> Outcome? in
            guard case .done(let outcome) = state else { return nil }
            state = .idle
            ready.store(false, ordering: .relaxed)
            return outcome
        }
    }

    /// Waits (bounded by the lookups' timeouts) for a running round, so none outlives the run.
    func finish() {
        let deadline = Clock.now() + names.client.timeout * Double(max(1, names.hosts.count)) + 1
        while Clock.now() < deadline, state.withLock({ if case .running = $0 { return true } else { return false } }) {
            usleep(10_000)
        }
    }
}
