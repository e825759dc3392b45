import GauntletCore

/// The recorded requests of a replay's sources, merged in time order and planned one by one: what
/// `gauntlet replay` streams to its plan file and to the driver.
public struct ReplaySourcePlan {
    private var merged: MergedRequestSource
    private var planner: ReplayPlanner
    private var lastOffset = 0.0

    /// Opens every source (`format` forces one; otherwise each is detected). Gauntlet's request logs count
    /// seconds from their run's start and the other formats carry wall-clock times, so the two never mix.
    public init(
        sources: [String], format: ReplaySourceFiles.Format? = nil, strict: Bool = false,
        identity: ALBClientIdentity = .addressAndUserAgent, planner: ReplayPlanner
    ) throws(ReplayIssue) {
        var readers: [any RecordedRequestSource] = []
        var formats: [(source: String, format: ReplaySourceFiles.Format)] = []
        for source in sources {
            let resolved: ReplaySourceFiles.Format
            if let format { resolved = format } else { resolved = try ReplaySourceFiles.detectFormat(source) }
            formats.append((source, resolved))
            readers.append(try ReplaySourceFiles.reader(source, format: resolved, strict: strict, identity: identity))
        }
        if let log = formats.first(where: { $0.format == .gauntlet }), let other = formats.first(where: { $0.format != .gauntlet }) {
            throw ReplayIssue(
                file: other.source, line: 0,
                message: "cannot be merged with the Gauntlet request log \(log.source): its wall-clock times and the log's times from its run's start share no clock; replay them separately")
        }
        merged = MergedRequestSource(readers)
        self.planner = planner
    }

    /// The next planned request, in intended order; nil when every source is exhausted.
    public mutating func next() throws(ReplayIssue) -> PlannedReplayRequest? {
        while let request = try merged.next() {
            guard let planned = planner.plan(request) else { continue }
            lastOffset = planned.offset
            return planned
        }
        return nil
    }

    /// What planning has left so far: complete once `next()` has returned nil.
    public var summary: ReplayPlanSummary {
        ReplayPlanSummary(planner: planner, lastOffset: lastOffset, skipped: merged.skipped)
    }
}

extension ReplaySourceFiles {
    /// Every record of a Gauntlet request log (a replay's `requests.jsonl`), in the order written.
    public static func requestLog(_ path: String, strict: Bool = false) throws(ReplayIssue) -> [RequestLogRecord] {
        var reader = RequestLogReader(try open(path), strict: strict)
        var records: [RequestLogRecord] = []
        while let (record, _) = try reader.nextRecord() { records.append(record) }
        return records
    }
}
