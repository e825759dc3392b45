import Foundation

/// What the LB remembers about a logged-in user, carried encrypted in the session cookies (the LB keeps no
/// server-side session table, like ALB).
public struct EdgeSession: Sendable, Hashable, Codable {
    public var subject: String
    public var groups: [String]
    public var accessToken: String
    public var idToken: String?
    public var refreshToken: String?
    /// Unix seconds when the access token stops being valid; past it the LB refreshes silently.
    public var accessExpiresAt: Int
    /// Unix seconds when the session ends regardless of refreshes (`session_timeout`).
    public var sessionExpiresAt: Int
    /// The identity provider's userInfo response, verbatim JSON; its claims become `x-amzn-oidc-data`'s payload.
    public var userInfoJSON: String

    public init(subject: String, groups: [String], accessToken: String, idToken: String?, refreshToken: String?,
                accessExpiresAt: Int, sessionExpiresAt: Int, userInfoJSON: String) {
        self.subject = subject
        self.groups = groups
        self.accessToken = accessToken
        self.idToken = idToken
        self.refreshToken = refreshToken
        self.accessExpiresAt = accessExpiresAt
        self.sessionExpiresAt = sessionExpiresAt
        self.userInfoJSON = userInfoJSON
    }

    enum CodingKeys: String, CodingKey {
        case subject = "sub", groups = "grp", accessToken = "at", idToken = "it", refreshToken = "rt"
        case accessExpiresAt = "ax", sessionExpiresAt = "sx", userInfoJSON = "ui"
    }

    public func accessTokenExpired(now: Int) -> Bool { now >= accessExpiresAt }
}

/// The `state` round trip of a login: which URL to return to, bound to the browser by a cookie.
public struct LoginState: Sendable, Hashable, Codable {
    public var state: String
    public var originalURL: String
    public var expiresAt: Int
    /// Session timeout of the rule that started the login.
    public var sessionTimeout: Int
}
