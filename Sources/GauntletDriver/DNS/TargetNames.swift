import GauntletCore

/// The target's host names that its DNS server answers for, and one round of looking them all up into
/// CURLOPT_RESOLVE pins. Blocking (UDP, up to the client's timeout per name): the first round runs before
/// the run, later ones on `DNSRepinner`'s thread, never on a worker's loop.
struct TargetNames: Sendable {
    struct Round: Sendable, Equatable {
        /// `host:port:address` entries (with `-host:port` removals first, when replacing earlier pins).
        var pins: [String]
        /// Each lookup's time, in seconds.
        var lookups: [Double]
        /// The shortest TTL of the answers.
        var ttl: Double
    }

    let client: DNSClient
    let hosts: [(host: String, port: Int)]

    /// nil when the target names no DNS server (static pins or the system resolver are used instead).
    init?(_ target: ResolvedTarget) {
        guard let server = target.dnsServer else { return nil }
        client = DNSClient(server: server, port: target.dnsPort)
        var hosts: [(host: String, port: Int)] = []
        for base in [target.lb, target.idp, target.upload].compactMap({ $0 }) {
            guard let url = WebURL(base) else { continue }
            let port = url.origin.split(separator: ":").last.flatMap { Int($0) } ?? (url.origin.hasPrefix("https") ? 443 : 80)
            let numeric = url.host.allSatisfy { $0.isNumber || $0 == "." }
            if !numeric, !hosts.contains(where: { $0.host == url.host && $0.port == port }) { hosts.append((url.host, port)) }
        }
        self.hosts = hosts
    }

    /// Looks every name up; `replacing`: earlier pins exist and are removed first.
    func resolve(replacing: Bool) throws(TransportError) -> Round {
        var round = Round(pins: [], lookups: [], ttl: .infinity)
        for (host, port) in hosts {
            let answer = try client.resolve(host)
            round.lookups.append(answer.elapsed)
            if replacing { round.pins.append("-\(host):\(port)") }
            round.pins.append("\(host):\(port):\(answer.address)")
            round.ttl = Swift.min(round.ttl, Double(answer.ttl))
        }
        return round
    }
}
