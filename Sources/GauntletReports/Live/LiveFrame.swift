import Foundation
import GauntletCore

/// What a live view shows at one moment: the run so far, summarised exactly as its final report will be
/// (so the live page, `/metrics` and the terminal agree with `report.html`), plus where the run stands.
///
/// A frame is cumulative — the whole per-second series since the start, not the last second — so a
/// reader who arrives late sees the whole run so far.
public struct LiveFrame: Sendable {
    /// The summary of the run so far (`RunAccumulator.summary`); thresholds are evaluated on it.
    public var summary: RunSummary
    /// Every closed second so far, per request type.
    public var timeSeries: [TimeSeriesPoint]
    /// Seconds since the run started.
    public var elapsed: Double
    /// Requests sent and not yet answered.
    public var inFlight: Int
    /// True once the run has ended: the frame is its final summary.
    public var finished: Bool
    /// For `capacity`: the search so far.
    public var search: LiveSearch?

    public init(summary: RunSummary, timeSeries: [TimeSeriesPoint], elapsed: Double, inFlight: Int, finished: Bool = false, search: LiveSearch? = nil) {
        self.summary = summary
        self.timeSeries = timeSeries
        self.elapsed = elapsed
        self.inFlight = inFlight
        self.finished = finished
        self.search = search
    }

    /// The scheduled length of the run in seconds.
    public var duration: Double { summary.scenario.duration }

    /// The phase running at `elapsed`: nil before a scenario with phases starts and after it ends.
    public var phase: PhaseInfo? {
        summary.scenario.phases.last { $0.start <= elapsed && elapsed < $0.start + $0.duration }
    }

    /// Requests answered so far in every phase, warm-up included (the summary's totals leave warm-up out).
    public func requests(_ type: RequestTypeSummary) -> (count: Int, failed: Int) {
        type.phases.reduce((0, 0)) { ($0.0 + $1.stats.count, $0.1 + $1.stats.failed) }
    }

    /// Requests answered so far over every type and phase.
    public var requestCount: Int {
        summary.requestTypes.reduce(0) { $0 + requests($1).count }
    }

    /// Failed requests so far over every type and phase.
    public var failedCount: Int {
        summary.requestTypes.reduce(0) { $0 + requests($1).failed }
    }

    /// Errors so far per category over every type and phase, most frequent first.
    public var errorsByCategory: [CategoryCount] {
        var counts: [String: Int] = [:]
        for type in summary.requestTypes {
            for phase in type.phases {
                for error in phase.stats.errors { counts[error.category, default: 0] += error.count }
            }
        }
        return counts.map { CategoryCount(category: $0.key, count: $0.value) }.sorted { ($0.count, $1.category) > ($1.count, $0.category) }
    }

    /// The per-second point of `type` for the last closed second, if any.
    public func lastPoint(_ type: RequestType) -> TimeSeriesPoint? {
        timeSeries.last { $0.type == type }
    }
}

/// A capacity search as it goes: the steps tried so far, each one's SLO verdict, and the knee as the search
/// narrows it. `gauntlet capacity` maps its own search state onto this to show it live.
public struct LiveSearch: Sendable, Equatable, Codable {
    public struct Step: Sendable, Equatable, Codable {
        /// The step's offered rate (requests per second over the mix).
        public var rate: Double
        /// What the target achieved at that rate; nil while the step runs.
        public var achievedRate: Double?
        /// Corrected latency p99 of the step, seconds.
        public var p99: Double?
        /// Whether the SLO (the scenario's thresholds) held; nil while the step runs.
        public var held: Bool?
        /// A short note: which threshold failed, or "generator limit".
        public var note: String?

        public init(rate: Double, achievedRate: Double? = nil, p99: Double? = nil, held: Bool? = nil, note: String? = nil) {
            self.rate = rate
            self.achievedRate = achievedRate
            self.p99 = p99
            self.held = held
            self.note = note
        }
    }

    public var steps: [Step]
    /// The highest rate that held so far.
    public var kneeLow: Double?
    /// The lowest rate that failed so far.
    public var kneeHigh: Double?
    /// A one-line verdict once the search ends.
    public var verdict: String?

    public init(steps: [Step] = [], kneeLow: Double? = nil, kneeHigh: Double? = nil, verdict: String? = nil) {
        self.steps = steps
        self.kneeLow = kneeLow
        self.kneeHigh = kneeHigh
        self.verdict = verdict
    }
}
