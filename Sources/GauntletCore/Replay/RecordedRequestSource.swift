/// Anything that yields recorded requests one at a time: the three readers, and their merge.
public protocol RecordedRequestSource {
    /// The next request, or nil when the source is exhausted.
    mutating func next() throws(ReplayIssue) -> RecordedRequest?
    /// Lines or entries that could not be used, with examples.
    var skipped: SkippedLines { get }
    var name: String { get }
}

extension ALBLogReader: RecordedRequestSource {}
extension HARReader: RecordedRequestSource {}
extension RequestLogReader: RecordedRequestSource {}

/// Several sources merged into one stream in time order (an ALB writes a file per five minutes and
/// node; HAR files from several browsers overlap). Each source is assumed to be in time order
/// itself, so one look-ahead request per source is all the memory this needs.
public struct MergedRequestSource: RecordedRequestSource {
    private var sources: [any RecordedRequestSource]
    private var heads: [RecordedRequest?]
    private var started = false

    public init(_ sources: [any RecordedRequestSource]) {
        self.sources = sources
        self.heads = Array(repeating: nil, count: sources.count)
    }

    public var name: String { sources.map(\.name).joined(separator: ", ") }

    /// Everything the sources skipped, in source order.
    public var skipped: SkippedLines {
        var all = SkippedLines()
        for source in sources { all.add(source.skipped) }
        return all
    }

    public mutating func next() throws(ReplayIssue) -> RecordedRequest? {
        if !started {
            started = true
            for index in sources.indices { heads[index] = try sources[index].next() }
        }
        var earliest: Int?
        for index in heads.indices {
            guard let head = heads[index] else { continue }
            if let best = earliest, let bestHead = heads[best], bestHead.time <= head.time { continue }
            earliest = index
        }
        guard let index = earliest else { return nil }
        let request = heads[index]
        heads[index] = try sources[index].next()
        return request
    }
}
