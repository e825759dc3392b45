import GauntletCore

/// A worker's virtual users and their sessions: who is logged in, who waits to log in, and the requests
/// parked until their user's session is ready. Pure; the state machine sends what the logins need.
struct UserSessions: Sendable {
    private(set) var users: [VirtualUser] = []
    private var byRole: [Role: [Int]] = [:]
    /// Users waiting for a login slot, in order.
    private var queue: [Int] = []

    init(credentials: [UserCredential], share: WorkerShare) {
        for (index, credential) in credentials.enumerated() where share.takesUser(index) {
            byRole[credential.role, default: []].append(users.count)
            users.append(VirtualUser(credential: credential))
        }
    }

    var isEmpty: Bool { users.isEmpty }
    var count: Int { users.count }
    var hasQueue: Bool { !queue.isEmpty }

    subscript(user: Int) -> VirtualUser {
        get { users[user] }
        set { users[user] = newValue }
    }

    /// A user of `audience`, drawn with the lane's generator (nil: anonymous, or none on this worker).
    func user(for audience: Audience, _ generator: inout SeededGenerator) -> Int? {
        func draw(_ candidates: [Int]?) -> Int? {
            guard let candidates, !candidates.isEmpty else { return nil }
            return candidates[Int(generator.next() % UInt64(candidates.count))]
        }
        switch audience {
        case .anonymous: return nil
        case .any: return users.isEmpty ? nil : Int(generator.next() % UInt64(users.count))
        case .managers: return draw(byRole[.managers])
        case .analysts: return draw(byRole[.analysts])
        }
    }

    /// The session to send with at `t`: the cookie and access token, or nil when the user must log in
    /// first (logged out, mid-login, or its access token about to expire, which logs it out).
    mutating func session(of user: Int, at t: Double) -> (cookie: String?, bearer: String?)? {
        if case .active = users[user].state, users[user].accessToken != nil, t >= users[user].tokenExpiry - 5 {
            users[user].state = .loggedOut
        }
        guard case .active(let cookie, _) = users[user].state else { return nil }
        return (cookie, users[user].accessToken)
    }

    /// The session a request that waited for this login goes out with: no expiry margin, since a token
    /// that lives less than the margin would otherwise send the user back to log in without end.
    func active(_ user: Int) -> (cookie: String?, bearer: String?)? {
        guard case .active(let cookie, _) = users[user].state else { return nil }
        return (cookie, users[user].accessToken)
    }

    /// Parks a request until its user is logged in, queueing the login if none is under way.
    mutating func park(_ request: PlannedRequest) {
        let user = request.user
        users[user].pending.append(request)
        queueLogin(user)
    }

    /// Queues `user`'s login unless it is logged in, logging in or queued.
    mutating func queueLogin(_ user: Int) {
        guard case .loggedOut = users[user].state, !queue.contains(user) else { return }
        queue.append(user)
    }

    /// The next queued user still logged out.
    mutating func nextQueued() -> Int? {
        while !queue.isEmpty {
            let user = queue.removeFirst()
            if case .loggedOut = users[user].state { return user }
        }
        return nil
    }

    /// The first user with a session (a freshness probe searches as it), if any.
    var anyActive: (user: Int, cookie: String?)? {
        for (index, user) in users.enumerated() {
            if case .active(let cookie, _) = user.state { return (index, cookie) }
        }
        return nil
    }

    /// The user logged in at `t`: its waiting requests, ready to go.
    mutating func activate(_ user: Int, cookie: String?, at t: Double) -> [PlannedRequest] {
        users[user].state = .active(cookie: cookie, since: t)
        users[user].sessions += 1
        return takePending(user)
    }

    /// The user's login failed: logged out, and its waiting requests to be failed.
    mutating func loginFailed(_ user: Int) -> [PlannedRequest] {
        users[user].state = .loggedOut
        return takePending(user)
    }

    private mutating func takePending(_ user: Int) -> [PlannedRequest] {
        defer { users[user].pending.removeAll() }
        return users[user].pending
    }

    /// The logged-in users' sessions, their times moved from the run's clock (`origin`) to the monotonic one.
    func carried(origin: Double) -> [String: CarriedSession] {
        var carried: [String: CarriedSession] = [:]
        for user in users {
            guard case .active(let cookie, _) = user.state else { continue }
            carried[user.credential.username] = CarriedSession(
                jar: user.jar, cookie: cookie, accessToken: user.accessToken, refreshToken: user.refreshToken,
                tokenExpiry: user.accessToken == nil ? nil : origin + user.tokenExpiry)
        }
        return carried
    }

    /// Takes over the sessions an earlier run left for this worker's users; a session the target has
    /// since dropped comes back as the LB's 401 or a login redirect, which logs the user in again.
    mutating func adopt(_ carried: [String: CarriedSession], origin: Double) {
        for index in users.indices {
            guard let session = carried[users[index].credential.username] else { continue }
            users[index].jar = session.jar
            users[index].accessToken = session.accessToken
            users[index].refreshToken = session.refreshToken
            users[index].tokenExpiry = (session.tokenExpiry ?? origin) - origin
            users[index].state = .active(cookie: session.cookie, since: 0)
        }
    }

    var usernames: [String] { users.map(\.credential.username) }

    /// Keeps the cookies a response set on the load balancer's host, refreshing the session's cookie.
    mutating func store(_ setCookies: [String], for user: Int, host: String) {
        guard !setCookies.isEmpty else { return }
        for cookie in setCookies { users[user].jar.store(cookie, host: host) }
        if case .active(_, let since) = users[user].state {
            users[user].state = .active(cookie: users[user].jar.header(for: host), since: since)
        }
    }
}
