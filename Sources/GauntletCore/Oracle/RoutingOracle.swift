/// Classifies every response against the edge's routing/auth matrix (issue 4) and the scenario's
/// expectations. Pure: a request's facts and a response's status and headers in, a verdict out.
///
/// | request                     | no session   | manager     | analyst      |
/// |-----------------------------|--------------|-------------|--------------|
/// | browser `GET /`             | 302 to login | Manager UI  | Analytics UI |
/// | browser `GET /manager/…`    | 302 to login | Manager UI  | 403          |
/// | browser `GET /analytics/…`  | 302 to login | Analytics UI| Analytics UI |
/// | API `/manager/api/…`        | 401          | Manager UI  | 403          |
/// | API `/analytics/api/…`      | 401          | Analytics UI| Analytics UI |
public struct RoutingOracle: Sendable, Equatable {
    /// `X-Served-By` of the Manager UI and Analytics UI backends.
    public var managerBackend: String
    public var analyticsBackend: String
    /// A login redirect's `Location` contains this (the identity provider's authorize endpoint).
    public var loginPathMarker: String

    public init(managerBackend: String = "manager-ui", analyticsBackend: String = "analytics-ui", loginPathMarker: String = "/oauth2/authorize") {
        self.managerBackend = managerBackend
        self.analyticsBackend = analyticsBackend
        self.loginPathMarker = loginPathMarker
    }

    /// What the matrix promises for a request.
    public func expectation(for request: OracleRequest) -> Expectation {
        switch request.type {
        case .upload:
            return request.credentialValid ? .uploadAccepted : .uploadRefused
        case .http:
            return .status(request.expectStatus ?? 200)
        case .ui, .api:
            break
        }
        let path = Self.pathOnly(request.path)
        let area = Area(path: path)
        guard let role = request.role else {
            switch area {
            case .managerAPI, .analyticsAPI: return .unauthorized
            default: return .loginRedirect
            }
        }
        switch (area, role) {
        case (.root, .managers): return .servedBy(managerBackend)
        case (.root, .analysts): return .servedBy(analyticsBackend)
        case (.managerUI, .managers), (.managerAPI, .managers): return .servedBy(managerBackend)
        case (.managerUI, .analysts), (.managerAPI, .analysts): return .forbidden
        case (.analyticsUI, _), (.analyticsAPI, _): return .servedBy(analyticsBackend)
        case (.other, _): return .anySuccess
        }
    }

    /// The verdict on one response.
    public func classify(_ request: OracleRequest, _ response: OracleResponse) -> OracleVerdict {
        let expected = expectation(for: request)
        let status = response.status
        let toLogin = (300..<400).contains(status) && (response.location?.contains(loginPathMarker) ?? false)
        switch expected {
        case .servedBy(let backend):
            if (200..<400).contains(status), let servedBy = response.servedBy {
                return servedBy == backend ? .pass : .misroute(.wrongBackend)
            }
            if toLogin || status == 401 || status == 403 { return .misroute(.authorizedDenied) }
            if (200..<300).contains(status) { return .misroute(.unmarked) }
            if (300..<400).contains(status) { return .misroute(.badRedirect) }
            if let servedBy = response.servedBy, servedBy != backend, status < 500 { return .misroute(.wrongBackend) }
            return .failure(ErrorCategory.forStatus(status))
        case .forbidden:
            if status == 403 { return .pass }
            if (200..<300).contains(status) || (response.servedBy != nil && status < 400) { return .misroute(.wrongRoleServed) }
            if toLogin || status == 401 { return .misroute(.wrongDenial) }
            if (300..<400).contains(status) { return .misroute(.badRedirect) }
            return .failure(ErrorCategory.forStatus(status))
        case .loginRedirect:
            if toLogin { return .pass }
            if (300..<400).contains(status) { return .misroute(.badRedirect) }
            if (200..<300).contains(status) { return .misroute(.unauthenticatedServed) }
            if status == 401 || status == 403 { return .misroute(.wrongDenial) }
            return .failure(ErrorCategory.forStatus(status))
        case .unauthorized:
            if status == 401 { return .pass }
            if (200..<300).contains(status) { return .misroute(.unauthenticatedServed) }
            if toLogin || status == 403 { return .misroute(.wrongDenial) }
            if (300..<400).contains(status) { return .misroute(.badRedirect) }
            return .failure(ErrorCategory.forStatus(status))
        case .anySuccess:
            if (200..<400).contains(status) { return .pass }
            return .failure(ErrorCategory.forStatus(status))
        case .uploadAccepted:
            if (200..<300).contains(status) { return .pass }
            if let reason = UploadRejection(status: status) { return .rejected(reason) }
            if status == 401 || status == 403 { return .misroute(.validCredentialRefused) }
            return .failure(ErrorCategory.forStatus(status))
        case .uploadRefused:
            if status == 401 || status == 403 { return .pass }
            if (200..<300).contains(status) { return .misroute(.badCredentialAccepted) }
            if let reason = UploadRejection(status: status) { return .rejected(reason) }
            return .failure(ErrorCategory.forStatus(status))
        case .status(let want):
            return status == want ? .pass : .failure(ErrorCategory.forStatus(status))
        }
    }

    /// The part of the matrix a path falls in.
    enum Area {
        case root, managerUI, managerAPI, analyticsUI, analyticsAPI, other

        init(path: String) {
            if path == "/" || path.isEmpty { self = .root }
            else if Area.under(path, "/manager/api") { self = .managerAPI }
            else if Area.under(path, "/analytics/api") { self = .analyticsAPI }
            else if Area.under(path, "/manager") { self = .managerUI }
            else if Area.under(path, "/analytics") { self = .analyticsUI }
            else { self = .other }
        }

        static func under(_ path: String, _ prefix: String) -> Bool {
            path == prefix || path.hasPrefix(prefix + "/")
        }
    }

    static func pathOnly(_ path: String) -> String {
        var result = Substring(path)
        if let query = result.firstIndex(where: { $0 == "?" || $0 == "#" }) { result = result[..<query] }
        return String(result)
    }
}

/// The facts about a request that the matrix depends on.
public struct OracleRequest: Sendable, Equatable {
    public var type: RequestType
    public var method: String
    public var path: String
    /// The virtual user's role; nil for a request sent without a session.
    public var role: Role?
    /// Uploads: whether the API key (and token) sent are valid ones.
    public var credentialValid: Bool
    /// `http` requests: the status the scenario expects.
    public var expectStatus: Int?

    public init(type: RequestType, method: String = "GET", path: String, role: Role? = nil, credentialValid: Bool = true, expectStatus: Int? = nil) {
        self.type = type
        self.method = method
        self.path = path
        self.role = role
        self.credentialValid = credentialValid
        self.expectStatus = expectStatus
    }
}

/// The parts of a response the oracle reads.
public struct OracleResponse: Sendable, Equatable {
    public var status: Int
    /// `X-Served-By`.
    public var servedBy: String?
    /// `Location`.
    public var location: String?

    public init(status: Int, servedBy: String? = nil, location: String? = nil) {
        self.status = status
        self.servedBy = servedBy
        self.location = location
    }
}

/// What the matrix promises for one request.
public enum Expectation: Sendable, Equatable, CustomStringConvertible {
    case servedBy(String)
    case loginRedirect
    case unauthorized
    case forbidden
    case anySuccess
    case uploadAccepted
    case uploadRefused
    case status(Int)

    public var description: String {
        switch self {
        case .servedBy(let backend): "served by \(backend)"
        case .loginRedirect: "302 to the login page"
        case .unauthorized: "401"
        case .forbidden: "403"
        case .anySuccess: "a 2xx or 3xx"
        case .uploadAccepted: "202 accepted"
        case .uploadRefused: "403 (or 401) for a bad credential"
        case .status(let status): "status \(status)"
        }
    }
}

public enum OracleVerdict: Sendable, Equatable {
    /// As the matrix promises.
    case pass
    /// The matrix was broken.
    case misroute(MisrouteKind)
    /// An unexpected status that is not a routing question (a 5xx, a 404 …).
    case failure(ErrorCategory)
    /// An upload refused for a reason the gateway is allowed to give (throttling, size, validation).
    case rejected(UploadRejection)
}

/// Why the upload gateway refused a batch it was allowed to refuse.
public enum UploadRejection: String, Sendable, Codable, CaseIterable, Comparable {
    case throttled
    case tooLarge = "too_large"
    case invalid
    case unsupportedMedia = "unsupported_media"

    public init?(status: Int) {
        switch status {
        case 429: self = .throttled
        case 413: self = .tooLarge
        case 400: self = .invalid
        case 415: self = .unsupportedMedia
        default: return nil
        }
    }

    public static func < (lhs: UploadRejection, rhs: UploadRejection) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    public var index: Int { Self.allCases.firstIndex(of: self)! }
}
