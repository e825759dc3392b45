import StackSupport

/// One listener-rule action. A rule's actions are an optional `authenticate` followed by exactly one terminal
/// action (`forward`, `redirect` or `fixed-response`), as on ALB.
public enum RuleAction: Sendable, Hashable {
    case authenticate(Authenticate)
    case forward(targetGroup: String)
    case redirect(Redirect)
    case fixedResponse(FixedResponse)

    public enum OnUnauthenticated: String, Sendable, Hashable, Codable {
        /// Send the browser to the identity provider's login.
        case authenticate
        /// Answer 401 (what API calls expect).
        case deny
        /// Let the request through without a user.
        case allow
    }

    /// ALB's `authenticate-oidc` action; the identity provider itself arrives from the runner.
    public struct Authenticate: Sendable, Hashable, Codable {
        public var onUnauthenticated: OnUnauthenticated
        public var scope: String
        /// Overrides the listener-wide `session_timeout` (seconds) when set.
        public var sessionTimeout: Int?

        public init(onUnauthenticated: OnUnauthenticated = .authenticate, scope: String = "openid", sessionTimeout: Int? = nil) {
            self.onUnauthenticated = onUnauthenticated
            self.scope = scope
            self.sessionTimeout = sessionTimeout
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case onUnauthenticated = "on_unauthenticated", scope, sessionTimeout = "session_timeout"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                onUnauthenticated: try c.decodeIfPresent(OnUnauthenticated.self, forKey: .onUnauthenticated) ?? .authenticate,
                scope: try c.decodeIfPresent(String.self, forKey: .scope) ?? "openid",
                sessionTimeout: try c.decodeIfPresent(Int.self, forKey: .sessionTimeout))
        }
    }

    /// ALB redirect: each part defaults to the request's own (`#{host}`, `#{path}` … in AWS's notation).
    public struct Redirect: Sendable, Hashable, Codable {
        public var proto: String?
        public var host: String?
        public var port: Int?
        public var path: String?
        public var query: String?
        /// 301 or 302.
        public var statusCode: Int

        public init(proto: String? = nil, host: String? = nil, port: Int? = nil, path: String? = nil, query: String? = nil, statusCode: Int = 302) {
            self.proto = proto; self.host = host; self.port = port; self.path = path; self.query = query
            self.statusCode = statusCode
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case proto = "protocol", host, port, path, query, statusCode = "status_code" }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let status = try c.decodeIfPresent(Int.self, forKey: .statusCode) ?? 302
            guard status == 301 || status == 302 else {
                throw DecodingError.dataCorruptedError(forKey: .statusCode, in: c, debugDescription: "redirect status_code is \(status); expected 301 or 302")
            }
            self.init(proto: try c.decodeIfPresent(String.self, forKey: .proto), host: try c.decodeIfPresent(String.self, forKey: .host),
                      port: try c.decodeIfPresent(Int.self, forKey: .port), path: try c.decodeIfPresent(String.self, forKey: .path),
                      query: try c.decodeIfPresent(String.self, forKey: .query), statusCode: status)
        }

        /// The Location for a request, keeping whatever the action leaves unset.
        public func location(for facts: RequestFacts, listenerPort: Int) -> String {
            let scheme = proto?.lowercased() ?? "https"
            let targetHost = host ?? facts.hostWithoutPort
            let targetPort = port ?? listenerPort
            let defaultPort = scheme == "https" ? 443 : 80
            let portPart = targetPort == defaultPort ? "" : ":\(targetPort)"
            let targetPath = path ?? facts.path
            let targetQuery = query ?? facts.rawQuery
            return "\(scheme)://\(targetHost)\(portPart)\(targetPath)" + (targetQuery.isEmpty ? "" : "?\(targetQuery)")
        }
    }

    public struct FixedResponse: Sendable, Hashable, Codable {
        public var statusCode: Int
        public var contentType: String
        public var body: String

        public init(statusCode: Int, contentType: String = "text/plain; charset=utf-8", body: String = "") {
            self.statusCode = statusCode; self.contentType = contentType; self.body = body
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case statusCode = "status_code", contentType = "content_type", body }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let status = try c.decode(Int.self, forKey: .statusCode)
            guard (200...599).contains(status) else {
                throw DecodingError.dataCorruptedError(forKey: .statusCode, in: c, debugDescription: "fixed-response status_code is \(status); expected 2XX, 4XX or 5XX")
            }
            self.init(statusCode: status, contentType: try c.decodeIfPresent(String.self, forKey: .contentType) ?? "text/plain; charset=utf-8",
                      body: try c.decodeIfPresent(String.self, forKey: .body) ?? "")
        }
    }

    /// The name used in access logs' `actions_executed`.
    public var logName: String {
        switch self {
        case .authenticate: return "authenticate"
        case .forward: return "forward"
        case .redirect: return "redirect"
        case .fixedResponse: return "fixed-response"
        }
    }

    public var isTerminal: Bool {
        if case .authenticate = self { return false }
        return true
    }
}

extension RuleAction: Codable {
    enum Kind: String, CodingKey, CaseIterable {
        case authenticate, forward, redirect, fixedResponse = "fixed-response"
    }

    /// YAML form: a one-key map, e.g. `- authenticate: {on_unauthenticated: deny}`, `- forward: manager-ui`,
    /// `- fixed-response: {status_code: 403, body: Forbidden}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Kind.self)
        let found = ((try? decoder.container(keyedBy: AnyConfigKey.self).allKeys) ?? []).map(\.stringValue).sorted()
        guard found.count == 1, c.allKeys.count == 1, let kind = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "an action is a map with exactly one of: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")); found: \(found.isEmpty ? "nothing" : found.joined(separator: ", "))"))
        }
        switch kind {
        case .authenticate:
            if (try? c.decodeNil(forKey: .authenticate)) == true {
                self = .authenticate(Authenticate())
            } else {
                self = .authenticate(try c.decode(Authenticate.self, forKey: .authenticate))
            }
        case .forward: self = .forward(targetGroup: try c.decode(String.self, forKey: .forward))
        case .redirect: self = .redirect(try c.decode(Redirect.self, forKey: .redirect))
        case .fixedResponse: self = .fixedResponse(try c.decode(FixedResponse.self, forKey: .fixedResponse))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Kind.self)
        switch self {
        case let .authenticate(a): try c.encode(a, forKey: .authenticate)
        case let .forward(group): try c.encode(group, forKey: .forward)
        case let .redirect(r): try c.encode(r, forKey: .redirect)
        case let .fixedResponse(f): try c.encode(f, forKey: .fixedResponse)
        }
    }
}
