import Foundation

/// Acknowledged uploads sampled for freshness, polled for in Analytics search until they show up: the
/// time from acknowledgement to visibility is the figure; one that never shows up is a failure.
struct FreshnessProber: Sendable {
    /// An acknowledged upload whose visibility in Analytics search is being polled for.
    struct Probe: Sendable, Equatable {
        var token: String
        var acknowledged: Double
        var nextPoll: Double
        var inFlight = false
    }

    enum Answer: Equatable {
        /// Found, this many seconds after the acknowledgement.
        case found(Double)
        /// Not found within `giveUp`: the upload's token.
        case lost(String)
        /// Not yet; polled again later.
        case again
    }

    static let interval = 0.05
    static let giveUp = 30.0
    private(set) var probes: [Int: Probe] = [:]
    private var sequence = 0

    var isEmpty: Bool { probes.isEmpty }

    mutating func acknowledged(_ token: String, at t: Double) {
        sequence += 1
        probes[sequence] = Probe(token: token, acknowledged: t, nextPoll: t + Self.interval)
    }

    /// Probes due for a poll at `t`, oldest first.
    func due(at t: Double) -> [Int] {
        probes.filter { !$0.value.inFlight && $0.value.nextPoll <= t }.keys.sorted()
    }

    /// The search URL that finds probe `id`'s upload.
    func searchURL(_ id: Int, lb: String) -> String? {
        probes[id].map { lb + "/analytics/api/search?limit=1&q=" + $0.token }
    }

    mutating func polling(_ id: Int) { probes[id]?.inFlight = true }

    /// A search answered at `t`: `returned` events (nil: no usable answer).
    mutating func answered(_ id: Int, returned: Int?, at t: Double) -> Answer? {
        guard var probe = probes[id] else { return nil }
        probe.inFlight = false
        if let returned, returned > 0 {
            probes[id] = nil
            return .found(t - probe.acknowledged)
        }
        if t - probe.acknowledged > Self.giveUp {
            probes[id] = nil
            return .lost(probe.token)
        }
        probe.nextPoll = t + Self.interval
        probes[id] = probe
        return .again
    }

    /// The earliest poll not in flight.
    var nextPoll: Double? { probes.values.filter { !$0.inFlight }.map(\.nextPoll).min() }

    /// `returned` of an Analytics search answer.
    static func returnedCount(in body: [UInt8]) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        return (object["returned"] as? Int) ?? (object["events"] as? [Any])?.count
    }
}
