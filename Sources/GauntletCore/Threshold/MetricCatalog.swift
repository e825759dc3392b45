/// The figures a threshold (or `compare`) can name, and the unit each is measured in.
///
/// A name is dotted: `latency.ui.p99`, `auth.login.p95`, `routing.misroutes`, `errors.rate`,
/// `upload.events_per_second`. The catalog is closed so that a typo is an error at validation time,
/// with a suggestion, rather than a threshold that silently never applies.
public enum MetricCatalog {
    public enum Kind: String, Sendable, Equatable {
        /// Seconds; written with a unit (`250ms`, `1.5s`).
        case duration
        /// A fraction; written as `0.1%` or `0.001`.
        case ratio
        /// A whole count.
        case count
        /// A plain number (per-second rates, MB/s).
        case number
    }

    public static let statistics = ["min", "mean", "p50", "p75", "p90", "p95", "p99", "p99.9", "p99.99", "max"]
    /// `all` aggregates every request type.
    public static let latencyScopes = RequestType.allCases.map(\.rawValue) + ["all"]
    /// The steps of authentication that are timed separately (see the driver's auth breakdown).
    public static let authSteps = [
        "login",          // the whole login, end to end (browser flow or InitiateAuth)
        "initiate_auth",  // Cognito's InitiateAuth call
        "token",          // /oauth2/token (code exchange, client_credentials)
        "refresh",        // refreshing an expired session or token
        "lb",             // the load balancer's own authentication time (Server-Timing)
        "dns", "connect", "tls", "ttfb",
    ]

    /// The unit of `name`, or nil when no such metric exists.
    public static func kind(of name: String) -> Kind? {
        let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
        switch parts.first {
        case "latency", "service_time":
            guard parts.count == 3, latencyScopes.contains(parts[1]), statistics.contains(parts[2]) else { return nil }
            return .duration
        case "auth":
            guard parts.count == 3, authSteps.contains(parts[1]), statistics.contains(parts[2]) else { return nil }
            return .duration
        case "schedule":
            guard parts.count == 3, parts[1] == "lag", statistics.contains(parts[2]) else { return nil }
            return .duration
        case "routing":
            guard parts.count == 2 else { return nil }
            switch parts[1] {
            case "misroutes": return .count
            case "misroute_rate": return .ratio
            default: return nil
            }
        case "errors":
            if parts.count == 2 {
                return parts[1] == "rate" ? .ratio : parts[1] == "count" ? .count : nil
            }
            guard parts.count == 3, latencyScopes.contains(parts[1]) else { return nil }
            return parts[2] == "rate" ? .ratio : parts[2] == "count" ? .count : nil
        case "requests":
            guard parts.count == 3, latencyScopes.contains(parts[1]) else { return nil }
            switch parts[2] {
            case "count": return .count
            case "rate": return .number
            default: return nil
            }
        case "upload":
            if parts.count == 2 {
                switch parts[1] {
                case "events_per_second", "mb_per_second": return .number
                case "events", "rejected": return .count
                default: return nil
                }
            }
            guard parts.count == 3, parts[1] == "freshness", statistics.contains(parts[2]) else { return nil }
            return .duration
        default:
            return nil
        }
    }

    /// Every metric name, for suggestions and documentation.
    public static var allNames: [String] {
        var names: [String] = []
        for scope in latencyScopes {
            for stat in statistics {
                names.append("latency.\(scope).\(stat)")
                names.append("service_time.\(scope).\(stat)")
            }
            names += ["errors.\(scope).rate", "errors.\(scope).count", "requests.\(scope).count", "requests.\(scope).rate"]
        }
        for step in authSteps {
            for stat in statistics { names.append("auth.\(step).\(stat)") }
        }
        for stat in statistics {
            names.append("schedule.lag.\(stat)")
            names.append("upload.freshness.\(stat)")
        }
        names += [
            "routing.misroutes", "routing.misroute_rate", "errors.rate", "errors.count",
            "upload.events_per_second", "upload.mb_per_second", "upload.events", "upload.rejected",
        ]
        return names
    }
}
