/// Maps a recorded request onto the architecture's request types and roles.
///
/// - upload: the `upload.` host, or a path under `/v1/events`;
/// - api: `/manager/api/…` or `/analytics/api/…` (the UIs' fetch/XHR calls);
/// - ui: any other GET (or HEAD) of the load balancer's host — page loads and assets;
/// - http: everything else (POSTs outside the APIs, other hosts), replayed as a plain request.
///
/// Steps of the login flow (the identity provider's host, `/oauth2/…`, `/login`, `/logout`) are marked:
/// a virtual user performs its own login, so replaying the recorded steps would log in twice.
public enum ReplayClassifier {
    public struct Classification: Sendable, Equatable {
        public var type: RequestType
        /// The role the path implies, if any (`/manager/…` → managers, `/analytics/…` → analysts).
        public var role: Role?
        public var isAuthFlow: Bool

        public init(type: RequestType, role: Role?, isAuthFlow: Bool = false) {
            self.type = type
            self.role = role
            self.isAuthFlow = isAuthFlow
        }
    }

    /// A source that recorded the type (Gauntlet's own log) is believed; otherwise host and path decide.
    public static func classify(_ request: RecordedRequest) -> Classification {
        var result = classify(method: request.method, host: request.host, path: request.path)
        if let type = request.type { result.type = type }
        if let role = request.role { result.role = role }
        return result
    }

    public static func classify(method: String, host: String, path: String) -> Classification {
        let host = host.lowercased()
        let role = role(forPath: path)
        if host.hasPrefix("upload.") || path == "/v1/events" || path.hasPrefix("/v1/events/") {
            return Classification(type: .upload, role: nil)
        }
        if host.hasPrefix("auth.") || path.hasPrefix("/oauth2/") || path == "/login" || path == "/logout" {
            return Classification(type: .ui, role: role, isAuthFlow: true)
        }
        if path.hasPrefix("/manager/api/") || path.hasPrefix("/analytics/api/") || path == "/manager/api" || path == "/analytics/api" {
            return Classification(type: .api, role: role)
        }
        let method = method.uppercased()
        if method == "GET" || method == "HEAD" {
            return Classification(type: .ui, role: role)
        }
        return Classification(type: .http, role: role)
    }

    /// The role of a user the load balancer itself refused on `path`: a 403 the LB answered with a fixed
    /// response, never asking a target, means the user's groups did not fit the path's rule. Only the
    /// Manager UI's paths admit one role alone, so a refused manager path was an analyst's; the Analytics
    /// UI admits both roles, so a refusal there names neither (nil).
    public static func role(refusedOn path: String) -> Role? {
        role(forPath: path) == .managers ? .analysts : nil
    }

    /// The role a path belongs to, when it tells.
    public static func role(forPath path: String) -> Role? {
        if path == "/manager" || path.hasPrefix("/manager/") { return .managers }
        if path == "/analytics" || path.hasPrefix("/analytics/") { return .analysts }
        return nil
    }
}

/// The virtual user a recorded client becomes.
public struct VirtualUserAssignment: Sendable, Equatable, Hashable {
    /// 0-based ordinal of the recorded client, in order of first appearance.
    public var client: Int
    /// The role learned so far for this client (from the source or its paths); nil until one tells.
    public var role: Role?

    public init(client: Int, role: Role?) {
        self.client = client
        self.role = role
    }
}

/// Maps recorded clients onto virtual users consistently: the same client key always gets the same
/// ordinal, so a recorded session stays one session; the first request that reveals a role fixes it.
public struct VirtualUserMapper: Sendable {
    private var assignments: [String: VirtualUserAssignment] = [:]

    public init() {}

    public var clientCount: Int { assignments.count }

    public mutating func assign(clientKey: String, role: Role?) -> VirtualUserAssignment {
        if var existing = assignments[clientKey] {
            if existing.role == nil, let role {
                existing.role = role
                assignments[clientKey] = existing
            }
            return existing
        }
        let assignment = VirtualUserAssignment(client: assignments.count, role: role)
        assignments[clientKey] = assignment
        return assignment
    }

    /// How many clients ended up in each role (nil: no request revealed one).
    public var clientsByRole: [Role?: Int] {
        var counts: [Role?: Int] = [:]
        for assignment in assignments.values { counts[assignment.role, default: 0] += 1 }
        return counts
    }
}
