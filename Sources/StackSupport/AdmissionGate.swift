import NIOCore
import NIOPosix
import Synchronization

/// ``AdmissionState`` behind a lock, with waiting done by continuations and the wait bounded by a timer on an
/// event loop (no task per waiter). Admitted callers must call ``release()`` exactly once.
///
/// ```swift
/// let gate = AdmissionGate(limit: 64, queueLimit: 32, maxWait: .milliseconds(100))
/// switch await gate.acquire() {
/// case .admitted: defer { gate.release() }; …serve…
/// case let .refused(reason): …503 with Retry-After…
/// }
/// ```
public final class AdmissionGate: Sendable {
    public enum Outcome: Sendable, Equatable {
        case admitted
        case refused(Refusal)
    }

    public enum Refusal: String, Sendable, Equatable {
        /// Every slot busy and the queue full.
        case queueFull = "queue_full"
        /// Queued, but no slot came free within `maxWait`.
        case waitTimeout = "wait_timeout"
    }

    private struct Waiter {
        var continuation: CheckedContinuation<Outcome, Never>
        var timer: Scheduled<Void>?
    }

    private struct State {
        var admission: AdmissionState
        var waiters: [UInt64: Waiter] = [:]
        var refusedQueueFull = 0
        var refusedTimeout = 0
        var admitted = 0
    }

    private let state: Mutex<State>
    private let maxWait: TimeAmount
    private let loop: any EventLoop

    public init(limit: Int, queueLimit: Int, maxWait: Duration, eventLoop: (any EventLoop)? = nil) {
        self.state = Mutex(State(admission: AdmissionState(limit: limit, queueLimit: queueLimit)))
        let (seconds, attoseconds) = maxWait.components
        self.maxWait = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        self.loop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
    }

    public func acquire() async -> Outcome {
        // Admitted or refused at once (the common case) without suspending.
        let immediate = state.withLock { s -> Outcome? in
            let arrival = s.admission.arrive(canWait: false)
            return Self.settle(arrival, in: &s)
        }
        if let immediate { return immediate }
        return await withCheckedContinuation { continuation in
            let queued = state.withLock { s -> (ticket: UInt64?, outcome: Outcome?) in
                let arrival = s.admission.arrive()
                if case let .queued(ticket) = arrival {
                    s.waiters[ticket] = Waiter(continuation: continuation, timer: nil)
                    return (ticket, nil)
                }
                return (nil, Self.settle(arrival, in: &s))
            }
            guard let ticket = queued.ticket else {
                continuation.resume(returning: queued.outcome ?? .refused(.queueFull))
                return
            }
            let timer = loop.scheduleTask(in: maxWait) { [self] in self.timeOut(ticket) }
            let stored = state.withLock { s -> Bool in
                guard s.waiters[ticket] != nil else { return false }
                s.waiters[ticket]?.timer = timer
                return true
            }
            // Admitted before the timer was stored: it must not fire.
            if !stored { timer.cancel() }
        }
    }

    private static func settle(_ arrival: AdmissionState.Arrival, in s: inout State) -> Outcome? {
        switch arrival {
        case .admitted:
            s.admitted += 1
            return .admitted
        case .refused:
            s.refusedQueueFull += 1
            return .refused(.queueFull)
        case .queued, .mustWait:
            return nil
        }
    }

    /// Gives the slot to the longest waiter, or frees it.
    public func release() {
        let next = state.withLock { s -> Waiter? in
            guard case let .admit(ticket) = s.admission.depart() else { return nil }
            s.admitted += 1
            return s.waiters.removeValue(forKey: ticket)
        }
        next?.timer?.cancel()
        next?.continuation.resume(returning: .admitted)
    }

    private func timeOut(_ ticket: UInt64) {
        let waiter = state.withLock { s -> Waiter? in
            guard s.admission.abandon(ticket) else { return nil }
            s.refusedTimeout += 1
            return s.waiters.removeValue(forKey: ticket)
        }
        waiter?.continuation.resume(returning: .refused(.waitTimeout))
    }

    /// Counts for metrics: in use, waiting, admitted so far, refusals by reason.
    public struct Snapshot: Sendable, Equatable {
        public var active: Int
        public var queued: Int
        public var admitted: Int
        public var refusedQueueFull: Int
        public var refusedTimeout: Int
    }

    public var snapshot: Snapshot {
        state.withLock { s in
            Snapshot(active: s.admission.active, queued: s.admission.queued, admitted: s.admitted,
                     refusedQueueFull: s.refusedQueueFull, refusedTimeout: s.refusedTimeout)
        }
    }
}
