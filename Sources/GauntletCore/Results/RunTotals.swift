/// A run's cumulative figures in exact, addable form: every histogram (sparse, so a shard's file is a few
/// kilobytes whatever its rate) and every counter, per series. What `shard.json` carries so that
/// `gauntlet merge` can add N shards into the figures one machine would have measured, tails included,
/// rather than averaging their percentiles.
public struct RunTotals: Sendable, Equatable, Codable {
    /// Per series (`type.index * phaseCount + phase`), as in `IntervalRecord`.
    public var corrected: [SparseHistogram]
    public var service: [SparseHistogram]
    public var counters: [SeriesCounters]
    /// Per `AuthStep.index`.
    public var auth: [SparseHistogram]
    public var lag: SparseHistogram
    public var generatorLag: SparseHistogram
    public var connectionWait: SparseHistogram
    public var freshness: SparseHistogram
    public var examples: [MisrouteExample]
    public var logins: Int
    public var loginFailures: Int
    public var refreshes: Int
    public var dnsFailures: Int
}
