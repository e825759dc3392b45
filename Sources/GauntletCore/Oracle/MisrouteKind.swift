/// How a response broke the routing/auth matrix. Zero misroutes is the only passing value.
public enum MisrouteKind: String, Sendable, Codable, CaseIterable, Comparable {
    /// Served by a backend, but not the one the matrix names for this role and path.
    case wrongBackend = "wrong_backend"
    /// A user whose role must be refused (403) was served.
    case wrongRoleServed = "wrong_role_served"
    /// A request without a session was served instead of redirected to login or refused with 401.
    case unauthenticatedServed = "unauthenticated_served"
    /// A user whose role must be served was refused (401/403) or sent to login.
    case authorizedDenied = "authorized_denied"
    /// Refused the wrong way: 302 to login where 401 was due (API), or 401 where a redirect was due.
    case wrongDenial = "wrong_denial"
    /// A redirect that does not lead to the identity provider's authorize endpoint.
    case badRedirect = "bad_redirect"
    /// A successful response that does not say who served it (`X-Served-By` missing).
    case unmarked
    /// An upload with a bad API key (or token) was accepted.
    case badCredentialAccepted = "bad_credential_accepted"
    /// A valid upload was refused as unauthorized (403/401).
    case validCredentialRefused = "valid_credential_refused"

    public static func < (lhs: MisrouteKind, rhs: MisrouteKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    public var index: Int { Self.allCases.firstIndex(of: self)! }
}
