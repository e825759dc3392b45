import GauntletCore

/// One request of an externally supplied, time-ordered stream (a replay) that the driver sends instead
/// of drawing requests from the scenario's arrival schedules.
public struct ReplayItem: Sendable, Equatable {
    /// A virtual user of the replay: recorded client `id` acting in `role`.
    public struct User: Sendable, Equatable, Hashable {
        public var id: Int
        public var role: Role

        public init(id: Int, role: Role) {
            self.id = id
            self.role = role
        }
    }

    /// Intended send time, seconds after the run's start; latency is measured from it.
    public var intended: Double
    public var type: RequestType
    public var method: String
    /// Path and query as recorded, e.g. `/manager/api/users?page=2`; sent to the target's LB (or upload
    /// gateway, for uploads).
    public var pathAndQuery: String
    /// Upload body size in bytes, when the source recorded it (nil: a batch of `defaultUploadEvents`).
    public var bodyBytes: Int?
    /// nil: sent without a session, as recorded.
    public var user: User?
    /// The recorded status; the expected status of `http` requests (the routing matrix judges the rest).
    public var recordedStatus: Int?
    /// The recorded body of an API call (a fetch's JSON), sent as it was with the API's JSON content type.
    public var body: [UInt8]?

    public init(intended: Double, type: RequestType, method: String, pathAndQuery: String, bodyBytes: Int? = nil, user: User?, recordedStatus: Int? = nil, body: [UInt8]? = nil) {
        self.intended = intended
        self.type = type
        self.method = method
        self.pathAndQuery = pathAndQuery
        self.bodyBytes = bodyBytes
        self.user = user
        self.recordedStatus = recordedStatus
        self.body = body
    }

    public static let defaultUploadEvents = 20

    /// The path without the query.
    public var path: String {
        guard let query = pathAndQuery.firstIndex(of: "?") else { return pathAndQuery }
        return String(pathAndQuery[..<query])
    }
}

extension ReplayItem {
    /// The item a planned replay request becomes.
    ///
    /// Who the user was: an access log does not say, so a request the recording shows answered without
    /// a session (401, or a 302 of a page load, which the LB sends to the login page) is replayed without
    /// one; any other request of the LB is sent by the recorded client's virtual user, in the role its
    /// path implies (`/manager/…`, `/analytics/…`), else the role learned for the client, else managers.
    /// Sources that know the role (Gauntlet's own log) are believed.
    public init(_ planned: PlannedReplayRequest) {
        let request = planned.request
        let type = planned.classification.type
        var user: User?
        if type == .ui || type == .api {
            let sessionless = request.status == 401 || (type == .ui && request.status == 302)
            if !sessionless {
                let role = request.role ?? planned.classification.role ?? planned.user.role ?? .managers
                user = User(id: planned.user.client, role: role)
            }
        }
        self.init(
            intended: planned.offset, type: type, method: request.method.uppercased(), pathAndQuery: request.pathAndQuery,
            user: user, recordedStatus: request.status,
            body: type == .api ? request.body.map { Array($0.utf8) } : nil)
    }
}
