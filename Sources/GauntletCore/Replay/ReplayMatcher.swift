/// Pairs the requests of a replay's own request log with the recorded requests they replayed, so
/// statuses and latencies can be compared one to one.
///
/// Requests are paired in order per `METHOD path?query`: the k-th replayed `GET /a` is the k-th
/// recorded `GET /a`. Holding the plan's pending requests costs memory in proportion to the plan.
///
/// When the replay decided which requests are sent with a session (`expect(_:withSession:)`), that is
/// part of the pairing too: an anonymous `GET /a` and a logged-in one sent at the same instant finish in
/// either order, and must not be paired crosswise.
public struct ReplayMatcher: Sendable {
    private var pending: [String: [RecordedRequest]] = [:]
    private var heads: [String: Int] = [:]
    public private(set) var expected = 0
    public private(set) var matched = 0
    /// Replayed requests no recorded request accounts for.
    public private(set) var unexpected = 0
    /// Seconds between intended and actual send (latency − service time) of every matched request.
    public private(set) var lags: [Double] = []

    public init() {}

    static func key(method: String, pathAndQuery: String) -> String {
        "\(method.uppercased()) \(pathAndQuery)"
    }

    public mutating func expect(_ recorded: RecordedRequest) {
        pending[Self.key(method: recorded.method, pathAndQuery: recorded.pathAndQuery), default: []].append(recorded)
        expected += 1
    }

    /// Expects `recorded` to be replayed with a session (by a virtual user) or without one; the replayed
    /// record's `user` tells which it was.
    public mutating func expect(_ recorded: RecordedRequest, withSession: Bool) {
        bySession = true
        pending[Self.key(method: recorded.method, pathAndQuery: recorded.pathAndQuery) + (withSession ? " +session" : ""), default: []].append(recorded)
        expected += 1
    }

    private var bySession = false

    /// The recorded request `replayed` stands for, or nil when none is left for its method and URL.
    public mutating func match(_ replayed: RequestLogRecord) -> RecordedRequest? {
        let pathAndQuery = URLParts(replayed.url)?.pathAndQuery ?? replayed.url
        let key = Self.key(method: replayed.method, pathAndQuery: pathAndQuery) + (bySession && replayed.user != nil ? " +session" : "")
        let head = heads[key, default: 0]
        guard let queue = pending[key], head < queue.count else {
            unexpected += 1
            return nil
        }
        heads[key] = head + 1
        matched += 1
        if let latency = replayed.latency, let service = replayed.serviceTime { lags.append(max(0, latency - service)) }
        return queue[head]
    }

    /// Recorded requests that were planned but never showed up in the replay's log.
    public var unreplayed: Int { expected - matched }

    /// The lag at a quantile (0…1), nil without samples.
    public func lag(quantile: Double) -> Double? {
        guard !lags.isEmpty else { return nil }
        let sorted = lags.sorted()
        let rank = Int((quantile * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
