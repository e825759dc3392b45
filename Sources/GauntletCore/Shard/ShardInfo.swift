/// What a shard records about itself in `summary.json` (`shard`), so that a merge can line the shards up
/// and say how far apart they started.
public struct ShardInfo: Sendable, Equatable, Codable {
    public var index: Int
    public var count: Int
    public var host: String
    /// Epoch seconds (UTC) at which this shard's schedule started: its time 0.
    public var startedAt: Double
    /// The start barrier it waited for (`--start-at`), epoch seconds; nil when it started at once.
    public var startAt: Double?
    /// The clock the times above were read from, and how well it was synchronised when the run started.
    public var clock: ClockInfo

    public init(shard: Shard, host: String, startedAt: Double, startAt: Double?, clock: ClockInfo) {
        self.index = shard.index
        self.count = shard.count
        self.host = host
        self.startedAt = startedAt
        self.startAt = startAt
        self.clock = clock
    }

    /// Seconds from the barrier to the actual start (how late this shard was), when there was a barrier.
    public var startDelay: Double? { startAt.map { startedAt - $0 } }
}

/// A machine's wall clock as the kernel describes it (`adjtimex`): whether NTP (or PTP) keeps it in step,
/// and its error bounds. Shards on machines with unsynchronised clocks cannot be lined up closer than
/// their clocks' disagreement, so the merge shows it.
public struct ClockInfo: Sendable, Equatable, Codable {
    /// `CLOCK_REALTIME`.
    public var source: String
    /// nil when the kernel could not be asked.
    public var synchronized: Bool?
    /// Seconds, from the kernel's `maxerror` and `esterror`.
    public var maxError: Double?
    public var estimatedError: Double?

    public init(source: String, synchronized: Bool?, maxError: Double?, estimatedError: Double?) {
        self.source = source
        self.synchronized = synchronized
        self.maxError = maxError
        self.estimatedError = estimatedError
    }
}

/// What `gauntlet merge` adds to a merged `summary.json` (`merge`): the shards it added up, each one's
/// share of the work, and how far apart they started.
public struct MergeInfo: Sendable, Equatable, Codable {
    public var shards: [ShardRow]
    /// Seconds between the first and the last shard's start.
    public var startSkew: Double
    /// Epoch seconds of the earliest start: the merged series' second 0.
    public var commonStart: Double

    public init(shards: [ShardRow], startSkew: Double, commonStart: Double) {
        self.shards = shards
        self.startSkew = startSkew
        self.commonStart = commonStart
    }
}

/// One shard's line in the merge's table: a sick generator shows as a short `achieved`, a long lag or
/// errors the others do not have.
public struct ShardRow: Sendable, Equatable, Codable {
    public var index: Int
    public var host: String
    /// The results directory it came from.
    public var directory: String
    /// Seconds after the common start.
    public var startOffset: Double
    /// Requests its schedule share intended and requests it completed (measured phases, all types).
    public var intended: Double?
    public var count: Int
    public var failed: Int
    public var lagP99: Double?
    public var fellBehind: Bool
    public var clockSynchronized: Bool?

    public init(index: Int, host: String, directory: String, startOffset: Double, intended: Double?, count: Int, failed: Int, lagP99: Double?, fellBehind: Bool, clockSynchronized: Bool?) {
        self.index = index
        self.host = host
        self.directory = directory
        self.startOffset = startOffset
        self.intended = intended
        self.count = count
        self.failed = failed
        self.lagP99 = lagP99
        self.fellBehind = fellBehind
        self.clockSynchronized = clockSynchronized
    }
}
