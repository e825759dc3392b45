import Histogram

/// Counters of one series (a request type in a phase) over one interval.
public struct SeriesCounters: Sendable, Equatable, Codable {
    /// Arrivals the schedule (or replay) produced for the series, sent or not: what `count` is held
    /// against. Counted, not computed from the rate, so a Poisson schedule's draw is not taken for a
    /// shortfall (or a surplus).
    public var scheduled = 0
    public var count = 0
    public var ok = 0
    public var failed = 0
    public var rejected = 0
    public var errors = [Int](repeating: 0, count: ErrorCategory.allCases.count)
    public var misroutes = [Int](repeating: 0, count: MisrouteKind.allCases.count)
    public var rejections = [Int](repeating: 0, count: UploadRejection.allCases.count)
    /// Responses by status code 0…599 (0: no response).
    public var statuses = [Int](repeating: 0, count: 600)
    public var uploadEvents = 0
    public var uploadBytes = 0
    public var uploadBatches = 0

    public init() {}

    public mutating func add(_ other: SeriesCounters) {
        scheduled += other.scheduled
        count += other.count
        ok += other.ok
        failed += other.failed
        rejected += other.rejected
        for i in errors.indices { errors[i] += other.errors[i] }
        for i in misroutes.indices { misroutes[i] += other.misroutes[i] }
        for i in rejections.indices { rejections[i] += other.rejections[i] }
        for i in statuses.indices where other.statuses[i] != 0 { statuses[i] += other.statuses[i] }
        uploadEvents += other.uploadEvents
        uploadBytes += other.uploadBytes
        uploadBatches += other.uploadBatches
    }
}

/// What one worker measured over one interval; workers hand these to the run's `RunAccumulator`.
public struct IntervalRecord: Sendable {
    /// The interval's number: seconds since the start of the run, rounded down (interval = 1 s).
    public var index: Int
    public var worker: Int
    /// Per series (`type.index * phaseCount + phase`).
    public var corrected: [LatencyHistogram]
    public var service: [LatencyHistogram]
    public var counters: [SeriesCounters]
    /// Per `AuthStep.index`.
    public var auth: [LatencyHistogram]
    public var lag: LatencyHistogram
    /// The lag split in two: due with a connection free but sent late (the generator's health), and
    /// due while the target held every connection (its backpressure; only requests that waited).
    public var generatorLag: LatencyHistogram
    public var connectionWait: LatencyHistogram
    public var freshness: LatencyHistogram
    public var examples: [MisrouteExample]
    public var logins = 0
    public var loginFailures = 0
    public var refreshes = 0
    /// Re-resolves of the target's names that failed (the last good answers stayed pinned).
    public var dnsFailures = 0
}

/// A worker's own recorder: histograms and counters that only its thread touches (no lock on the hot
/// path). At each interval boundary the worker calls `takeInterval`, which hands the figures over and
/// starts afresh.
public struct WorkerRecorder: Sendable {
    public let worker: Int
    public let phaseCount: Int
    private let warmup: [Bool]
    private var current: IntervalRecord
    /// Misroute examples kept per interval per worker: enough for a report, bounded in memory.
    public static let examplesPerInterval = 3

    public init(worker: Int, phases: [Phase]) {
        self.worker = worker
        self.phaseCount = Swift.max(phases.count, 1)
        self.warmup = phases.map(\.warmup)
        self.current = Self.empty(index: 0, worker: worker, series: RequestType.allCases.count * phaseCount)
    }

    static func empty(index: Int, worker: Int, series: Int) -> IntervalRecord {
        IntervalRecord(
            index: index, worker: worker,
            corrected: Array(repeating: .latency(), count: series), service: Array(repeating: .latency(), count: series),
            counters: Array(repeating: SeriesCounters(), count: series),
            auth: Array(repeating: .latency(), count: AuthStep.allCases.count), lag: .latency(),
            generatorLag: .latency(), connectionWait: .latency(), freshness: .latency(),
            examples: []
        )
    }

    private func isWarmup(_ phase: Int) -> Bool { phase < warmup.count && warmup[phase] }

    /// Records one finished request. Warm-up requests are counted in their phase but their hops and
    /// schedule lag stay out of the run's figures.
    public mutating func record(_ sample: RequestSample) {
        let series = sample.type.index * phaseCount + Swift.min(Swift.max(sample.phase, 0), phaseCount - 1)
        current.corrected[series].record(seconds: sample.finished - sample.intended)
        current.service[series].record(seconds: sample.finished - sample.sent)
        current.counters[series].count += 1
        let status = (0..<600).contains(sample.status) ? sample.status : 0
        current.counters[series].statuses[status] += 1
        switch sample.outcome {
        case .ok:
            current.counters[series].ok += 1
            if sample.type == .upload, (200..<300).contains(sample.status) {
                current.counters[series].uploadEvents += sample.uploadEvents
                current.counters[series].uploadBytes += sample.uploadBytes
                current.counters[series].uploadBatches += 1
            }
        case .rejected(let reason):
            current.counters[series].rejected += 1
            current.counters[series].rejections[reason.index] += 1
        case .error(let category):
            current.counters[series].failed += 1
            current.counters[series].errors[category.index] += 1
        case .misroute(let kind):
            current.counters[series].failed += 1
            current.counters[series].errors[ErrorCategory.oracle.index] += 1
            current.counters[series].misroutes[kind.index] += 1
        }
        guard !isWarmup(sample.phase) else { return }
        if sample.sent > sample.intended { current.lag.record(seconds: sample.sent - sample.intended) } else { current.lag.record(microseconds: 1) }
        let wait = sample.connectionWait
        if wait > 0 { current.connectionWait.record(seconds: wait) }
        let own = sample.generatorLag
        if own > 0 { current.generatorLag.record(seconds: own) } else { current.generatorLag.record(microseconds: 1) }
        if sample.connect > 0 { current.auth[AuthStep.connect.index].record(seconds: sample.connect) }
        if sample.tls > 0 { current.auth[AuthStep.tls.index].record(seconds: sample.tls) }
        if sample.ttfb >= 0 { current.auth[AuthStep.ttfb.index].record(seconds: sample.ttfb) }
        if sample.lbAuth >= 0 { current.auth[AuthStep.lb.index].record(seconds: sample.lbAuth) }
        if sample.target >= 0 { current.auth[AuthStep.target.index].record(seconds: sample.target) }
    }

    /// Counts one arrival of an open-loop schedule or a replay (by its intended time's phase), when the
    /// worker takes it from the schedule or, at the end of a run, finds it due and never sent.
    public mutating func countArrival(_ type: RequestType, phase: Int) {
        current.counters[type.index * phaseCount + Swift.min(Swift.max(phase, 0), phaseCount - 1)].scheduled += 1
    }

    /// Records one timed step of authentication (a whole login, a token call, a DNS lookup …).
    ///
    /// Kept even in warm-up: users log in when first needed, which is mostly during warm-up, and the
    /// login's cost is one of the figures a run exists to measure. (Per-request hops are warm-up-excluded.)
    public mutating func recordAuth(_ step: AuthStep, seconds: Double, phase: Int) {
        current.auth[step.index].record(seconds: seconds)
    }

    public mutating func countLogin(succeeded: Bool, refresh: Bool = false) {
        if refresh { current.refreshes += 1 }
        else if succeeded { current.logins += 1 }
        else { current.loginFailures += 1 }
    }

    public mutating func countDNSFailure() {
        current.dnsFailures += 1
    }

    public mutating func recordFreshness(seconds: Double) {
        current.freshness.record(seconds: seconds)
    }

    /// Keeps a misroute example if this interval has room for one (cheap to call on every misroute).
    public mutating func recordExample(_ example: @autoclosure () -> MisrouteExample) {
        guard current.examples.count < Self.examplesPerInterval else { return }
        current.examples.append(example())
    }

    /// Hands over the interval's figures and starts the next interval with fresh (zero-filled) ones:
    /// cheaper than copying the handed-over arrays and resetting them element by element.
    public mutating func takeInterval(nextIndex: Int) -> IntervalRecord {
        let finished = current
        current = Self.empty(index: nextIndex, worker: worker, series: current.counters.count)
        return finished
    }
}
