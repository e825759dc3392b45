import Foundation
import GauntletCore

/// The upload `client_credentials` token: one per worker, fetched when first needed, replaced shortly
/// before it expires, one fetch at a time; uploads that arrive without a token wait for it.
struct UploadTokenCache: Sendable {
    enum Lookup: Equatable {
        /// Send with this token; `refresh`: fetch its successor now (it runs out within `refreshMargin`).
        case use(String, refresh: Bool)
        /// No usable token: the request waits; `fetch`: start the fetch (none in flight).
        case wait(fetch: Bool)
    }

    static let refreshMargin = 30.0
    private(set) var token: String?
    private(set) var expiry = 0.0
    private(set) var fetching = false
    private var waiters: [PlannedRequest] = []

    /// What to do with an upload due at `t`.
    mutating func lookup(at t: Double) -> Lookup {
        if let token, t < expiry {
            return .use(token, refresh: expiry - t < Self.refreshMargin && !fetching)
        }
        return .wait(fetch: !fetching)
    }

    /// Whether the next fetch replaces a token (a refresh) or gets the first.
    var refreshing: Bool { token != nil }

    mutating func park(_ request: PlannedRequest) { waiters.append(request) }

    mutating func fetchStarted() { fetching = true }

    /// A fetch ended at `t` (nil token: it failed). Returns the requests that waited: ready to go, or
    /// to be failed when no token came.
    mutating func received(_ answer: (value: String, expiresIn: Double)?, at t: Double) -> [PlannedRequest] {
        fetching = false
        if let answer {
            token = answer.value
            expiry = t + answer.expiresIn
        }
        defer { waiters.removeAll() }
        return waiters
    }

    /// The token endpoint's answer: `access_token` and `expires_in` (default an hour).
    static func accessToken(in body: [UInt8]) -> (value: String, expiresIn: Double)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let token = object["access_token"] as? String else { return nil }
        return (token, (object["expires_in"] as? Double) ?? Double(object["expires_in"] as? Int ?? 3600))
    }
}
