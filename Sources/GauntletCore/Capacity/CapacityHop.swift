/// Where a step's time went, hop by hop, read out of its run summary.
///
/// Every hop is one the edge's architecture names, so that a capacity planner can act on it: DNS, the
/// load balancer's listener (connect, TLS), its own authentication time and the time its targets took
/// (both from `Server-Timing`), the identity provider (logins), the upload gateway (acknowledgement) and
/// the event store (freshness: acknowledgement → visible in search).
public struct CapacityHop: Sendable, Equatable, Codable {
    public var hop: String
    public var p50: Double
    public var p99: Double
    public var count: Int

    public init(hop: String, p50: Double, p99: Double, count: Int) {
        self.hop = hop
        self.p50 = p50
        self.p99 = p99
        self.count = count
    }

    /// The hops, in the order a request meets them.
    public static let names = ["dns", "connect", "tls", "lb_auth", "target", "target_manager_ui", "target_analytics_ui", "login", "upload_ack", "freshness"]
    /// The target time split by the backend that served (`X-Served-By`): where a backend is known, the
    /// attribution names it rather than the targets as a whole.
    public static let backends = ["target_manager_ui", "target_analytics_ui"]

    /// The component a hop belongs to, as the attribution names it.
    public static func component(of hop: String) -> String {
        switch hop {
        case "dns": "the DNS server"
        case "connect": "the load balancer's listener (TCP connect)"
        case "tls": "the load balancer's listener (TLS handshake)"
        case "lb_auth": "the load balancer's authentication"
        case "target": "the UI backends behind the load balancer (target time)"
        case "target_manager_ui": "the Manager UI backend (target time)"
        case "target_analytics_ui": "the Analytics UI backend (target time)"
        case "login": "the identity provider (logins)"
        case "upload_ack": "the upload gateway and event store (acknowledgement)"
        case "freshness": "the event store (freshness)"
        default: hop
        }
    }

    /// A short label for tables and charts.
    public static func label(of hop: String) -> String {
        switch hop {
        case "dns": "DNS"
        case "connect": "connect"
        case "tls": "TLS"
        case "lb_auth": "LB auth"
        case "target": "target"
        case "target_manager_ui": "Manager UI"
        case "target_analytics_ui": "Analytics UI"
        case "login": "login"
        case "upload_ack": "upload ack"
        case "freshness": "freshness"
        default: hop
        }
    }

    /// The hops a summary measured (those with at least one sample).
    public static func hops(of summary: RunSummary) -> [CapacityHop] {
        var latencies: [String: LatencyPercentiles] = [:]
        for (hop, name) in [("dns", "dns"), ("connect", "connect"), ("tls", "tls"), ("lb_auth", "lb"), ("target", "target")] + backends.map({ ($0, $0) }) {
            latencies[hop] = summary.auth.hops.first { $0.step == name }?.latency
        }
        latencies["login"] = summary.auth.steps.first { $0.step == "login" }?.latency
        latencies["upload_ack"] = summary.stats(for: .upload)?.total.latency
        latencies["freshness"] = summary.upload?.freshness
        return names.compactMap { name in
            guard let latency = latencies[name], latency.count > 0 else { return nil }
            return CapacityHop(hop: name, p50: latency.p50, p99: latency.p99, count: latency.count)
        }
    }
}

/// A component's own signals of distress in one step, beside the latencies: refusals it counted.
public struct ComponentSignals: Sendable, Equatable, Codable {
    /// Uploads the gateway refused with 429 (its token bucket).
    public var uploadThrottled: Int
    /// Logins that failed (the identity provider's quota refusals among them).
    public var loginFailures: Int
    /// Responses the load balancer answered itself with 5xx (502/503/504: targets unreachable or slow).
    public var lbErrors: Int

    public init(uploadThrottled: Int, loginFailures: Int, lbErrors: Int) {
        self.uploadThrottled = uploadThrottled
        self.loginFailures = loginFailures
        self.lbErrors = lbErrors
    }

    public static func signals(of summary: RunSummary) -> ComponentSignals {
        let throttled = summary.upload?.rejected.filter { $0.category == "throttled" }.reduce(0) { $0 + $1.count } ?? 0
        let lbErrors = summary.requestTypes.filter { $0.type == .ui || $0.type == .api }
            .flatMap(\.total.statuses).filter { [502, 503, 504].contains($0.status) }.reduce(0) { $0 + $1.count }
        return ComponentSignals(uploadThrottled: throttled, loginFailures: summary.auth.loginFailures, lbErrors: lbErrors)
    }
}
