/// Bounded admission as a pure state machine: at most `limit` holders at once, at most `queueLimit` waiting
/// behind them, first come first served; everything beyond is refused at once. Each method returns what the
/// caller must do, and the I/O layer (``AdmissionGate``) only carries it out.
///
/// This is how the stack sheds overload the way its AWS counterparts do: a bounded pool that answers
/// "busy" (503) quickly instead of a queue that grows until every client times out.
public struct AdmissionState: Sendable {
    public let limit: Int
    public let queueLimit: Int
    public private(set) var active = 0
    /// Waiting tickets in arrival order.
    private var waiting: [UInt64] = []
    private var nextTicket: UInt64 = 0

    public init(limit: Int, queueLimit: Int) {
        precondition(limit >= 1 && queueLimit >= 0, "validated by the config")
        self.limit = limit
        self.queueLimit = queueLimit
    }

    public enum Arrival: Sendable, Equatable {
        case admitted
        /// Wait for ``Departure/admit(_:)`` with this ticket, or give up with ``abandon(_:)``.
        case queued(ticket: UInt64)
        case refused
        /// Only from `arrive(canWait: false)`: it would have queued; nothing changed.
        case mustWait
    }

    public enum Departure: Sendable, Equatable {
        case none
        /// The slot passes to this waiter.
        case admit(ticket: UInt64)
    }

    public var queued: Int { waiting.count }

    /// - Parameter canWait: false asks only whether a slot or a refusal is immediate (the caller is not yet
    ///   ready to wait), leaving the state unchanged when it would queue.
    public mutating func arrive(canWait: Bool = true) -> Arrival {
        if active < limit, waiting.isEmpty {
            active += 1
            return .admitted
        }
        guard waiting.count < queueLimit else { return .refused }
        guard canWait else { return .mustWait }
        nextTicket &+= 1
        waiting.append(nextTicket)
        return .queued(ticket: nextTicket)
    }

    /// A holder is done; its slot goes to the longest waiter, if any.
    public mutating func depart() -> Departure {
        precondition(active > 0, "depart without arrive")
        if waiting.isEmpty {
            active -= 1
            return .none
        }
        return .admit(ticket: waiting.removeFirst())
    }

    /// A waiter gives up. True when it was still waiting (now refused); false when it had been admitted
    /// meanwhile, in which case it holds a slot and must ``depart()``.
    public mutating func abandon(_ ticket: UInt64) -> Bool {
        guard let index = waiting.firstIndex(of: ticket) else { return false }
        waiting.remove(at: index)
        return true
    }
}
