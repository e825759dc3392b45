import Synchronization

/// Virtual users' sessions kept between runs, so that the steps of a capacity search measure steady
/// state and not a new round of logins each: a step's workers take their users' sessions from the shelf
/// when they start and put them back when they end.
///
/// Keyed by username: each user belongs to one worker (`WorkerShare`), so workers never touch each
/// other's entries. Times are on the monotonic clock (`Clock.now()`), not a run's.
public final class SessionShelf: Sendable {
    private let shelf = Mutex<[String: CarriedSession]>([:])

    public init() {}

    /// How many users have a session on the shelf.
    public var count: Int { shelf.withLock { $0.count } }

    func sessions() -> [String: CarriedSession] { shelf.withLock { $0 } }

    /// Puts back `users`' sessions: the ones in `carried`, and none for the others (they logged out).
    func put(_ carried: [String: CarriedSession], users: [String]) {
        shelf.withLock { shelf in
            for user in users { shelf[user] = carried[user] }
        }
    }
}

/// One logged-in user's session as it leaves a run.
struct CarriedSession: Sendable, Equatable {
    var jar: CookieJar
    var cookie: String?
    var accessToken: String?
    var refreshToken: String?
    /// When the access token runs out, on the monotonic clock (nil: the user has none).
    var tokenExpiry: Double?
}
