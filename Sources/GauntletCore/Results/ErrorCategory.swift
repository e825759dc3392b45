/// Why a request failed: a small, closed set, safe as a metric label and as a JSON key.
///
/// Transport failures come from the driver's one libcurl door; `status4xx`/`status5xx` are responses the
/// oracle did not expect (an expected 403 for a wrong role is not an error); `oracle` is a misroute.
public enum ErrorCategory: String, Sendable, Codable, CaseIterable, Comparable {
    /// Name resolution failed (our DNS client or libcurl's).
    case dns
    /// TCP connection refused or unreachable.
    case connect
    /// TLS handshake or certificate verification failed.
    case tls
    /// The request did not finish within its timeout.
    case timeout
    /// The connection was reset or closed mid-exchange (empty reply, recv/send failure).
    case reset
    /// The peer broke HTTP (malformed response, bad chunking, HTTP/2 framing).
    case `protocol`
    /// An unexpected 4xx (or other non-5xx status the oracle did not expect).
    case status4xx = "status_4xx"
    /// An unexpected 5xx.
    case status5xx = "status_5xx"
    /// The response broke the routing/auth matrix: a misroute (see `MisrouteKind`).
    case oracle
    /// Virtual-user authentication failed, so the request could not be sent as that user.
    case auth
    /// Anything else libcurl reports; the code is kept in the request log.
    case other

    public static func < (lhs: ErrorCategory, rhs: ErrorCategory) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The category an unexpected HTTP status falls in.
    public static func forStatus(_ status: Int) -> ErrorCategory {
        status >= 500 ? .status5xx : .status4xx
    }

    /// Dense index for per-worker counter arrays.
    public var index: Int { Self.allCases.firstIndex(of: self)! }
}
