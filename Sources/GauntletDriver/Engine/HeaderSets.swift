/// The header lines requests carry, each set named by a small id so that a pure `PlannedRequest` can say
/// which to send and the transport builds each curl list once (`CurlMultiLoop.list(for:)`).
///
/// Every set gets `User-Agent: gauntlet/<version>` unless it names its own. The User-Agent rides in the
/// list rather than CURLOPT_USERAGENT, which makes libcurl aprintf the header anew for every request
/// (measured in a plain-C loop: about 2,000 more instructions per request, ~4% of libcurl's cost).
struct HeaderSets: Sendable {
    static let none = -1
    static let userAgent = "User-Agent: gauntlet/\(DriverInfo.version)"

    private(set) var sets: [[String]] = []
    private var byKey: [String: Int] = [:]

    /// The id of `lines` (registered on first use).
    mutating func id(_ lines: [String]) -> Int {
        let key = lines.joined(separator: "\n")
        if let id = byKey[key] { return id }
        let named = lines.contains { $0.lowercased().hasPrefix("user-agent:") }
        sets.append(named ? lines : lines + [Self.userAgent])
        byKey[key] = sets.count - 1
        return sets.count - 1
    }

    func lines(_ id: Int) -> [String] { sets.indices.contains(id) ? sets[id] : [] }
}
