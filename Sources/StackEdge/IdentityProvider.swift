import NIOSSL

/// Where the identity provider lives, as the runner knows it. Browsers are sent to `publicBaseURL` (a name
/// they resolve through the stack's DNS); the LB itself talks to `internalBaseURL` server-to-server.
public struct IdentityProviderEndpoints: Sendable, Hashable {
    public var publicBaseURL: String
    public var internalBaseURL: String
    /// The `iss` put into `x-amzn-oidc-data` (Cognito's is `https://cognito-idp.<region>.amazonaws.com/<pool>`).
    public var issuer: String

    public init(publicBaseURL: String, internalBaseURL: String? = nil, issuer: String? = nil) {
        self.publicBaseURL = Self.trimmed(publicBaseURL)
        self.internalBaseURL = Self.trimmed(internalBaseURL ?? publicBaseURL)
        self.issuer = issuer ?? self.publicBaseURL
    }

    public var authorizeURL: String { publicBaseURL + "/oauth2/authorize" }
    public var tokenURL: String { internalBaseURL + "/oauth2/token" }
    public var userInfoURL: String { internalBaseURL + "/oauth2/userInfo" }

    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

/// The LB's app client at the identity provider (a confidential client: it has a secret).
public struct OIDCClientCredentials: Sendable, Hashable {
    public var clientID: String
    public var clientSecret: String

    public init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }
}

/// TLS for both sides of the LB: the listener's server configuration (certificate from the stack CA, TLS 1.2+)
/// and the client configuration for targets and the identity provider (trusting the stack CA).
public struct EdgeTLS: Sendable {
    public var listener: TLSConfiguration
    public var upstream: TLSConfiguration

    public init(listener: TLSConfiguration, upstream: TLSConfiguration) {
        var listener = listener
        switch listener.minimumTLSVersion {
        case .tlsv1, .tlsv11: listener.minimumTLSVersion = .tlsv12
        default: break
        }
        self.listener = listener
        self.upstream = upstream
    }
}
