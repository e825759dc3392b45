import GauntletCore
import Synchronization

/// The run-wide stop request: SIGINT/SIGTERM, or a worker that cannot go on.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    private let why = Mutex<String?>(nil)
    private let when = Mutex<Double?>(nil)

    public init() {}

    public func request(_ reason: String) {
        why.withLock { if $0 == nil { $0 = reason } }
        when.withLock { if $0 == nil { $0 = Clock.now() } }
        flag.store(true, ordering: .releasing)
    }

    public var isRequested: Bool { flag.load(ordering: .acquiring) }
    public var reason: String? { why.withLock { $0 } }
    /// Monotonic time of the first request: a partial run's figures end there.
    var requestedAt: Double? { when.withLock { $0 } }
}

/// What a worker shares with the coordinator: finished intervals (handed over once a second, the only
/// lock a worker takes) and a few gauges for the progress line.
final class WorkerLink: Sendable {
    private let mailbox = Mutex<[IntervalRecord]>([])
    let inFlight = Atomic<Int>(0)
    let finished = Atomic<Bool>(false)
    let failure = Mutex<String?>(nil)
    /// The worker thread's scheduler figures at its start and its end (none where the kernel keeps none).
    let times = Mutex<(start: ThreadTimes, end: ThreadTimes)?>(nil)
    /// Request-log lines (`requests.jsonl`), handed over with each interval.
    private let logChunks = Mutex<[[UInt8]]>([])

    func postLog(_ chunk: [UInt8]) {
        guard !chunk.isEmpty else { return }
        logChunks.withLock { $0.append(chunk) }
    }

    func drainLog() -> [[UInt8]] {
        logChunks.withLock { chunks in
            defer { chunks.removeAll() }
            return chunks
        }
    }

    func post(_ record: IntervalRecord) {
        mailbox.withLock { $0.append(record) }
    }

    func drain() -> [IntervalRecord] {
        mailbox.withLock { records in
            defer { records.removeAll() }
            return records
        }
    }
}
