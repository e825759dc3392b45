import Crypto
import Foundation
import SharedPrimitives

/// The user pool's fixed contents: users, groups and app clients. Built once at start-up (that is when
/// the password hashing happens) and read-only afterwards, so request handlers share it without locks.
public struct UserPool: Sendable {
    public struct User: Sendable {
        public let username: String
        public let sub: String
        public let email: String
        public let groups: [String]
        let password: PasswordHash
    }

    public struct Client: Sendable {
        public let name: String
        public let clientId: String
        public let clientSecret: String?
        public let authFlows: Set<String>
        public let oauthFlows: Set<String>
        public let scopes: [String]
        public let callbackURLs: [String]
        public let logoutURLs: [String]
    }

    /// A demo credential as the endpoints file publishes it (the clear password is only ever derived,
    /// from the seed, for publishing; the pool keeps the hash).
    public struct Credential: Sendable, Codable, Equatable {
        public let username: String
        public let password: String
        public let groups: [String]
    }

    public let poolId: String
    public let region: String
    public let groups: [String]
    public let users: [String: User]
    public let clients: [String: Client]
    /// Clients by name (`web`, `api`, `uploader`).
    public let clientsByName: [String: Client]
    public let credentials: [Credential]
    public let resourceScopes: Set<String>

    static func isValidPoolId(_ id: String) -> Bool {
        let parts = id.split(separator: "_", omittingEmptySubsequences: false)
        return parts.count == 2 && parts[0].count >= 4 && parts[0].allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
            && (1...55).contains(parts[1].count) && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// Demo usernames are `manager-001`…, `analyst-001`…; their passwords are derived from the seed.
    public static func demoCredentials(seed: UInt64, managers: Int, analysts: Int) -> [Credential] {
        func make(_ prefix: String, _ group: String, _ count: Int) -> [Credential] {
            (0..<count).map { i in
                let username = prefix + "-" + String(format: "%03d", i + 1)
                var rng = SeededGenerator(seed: seed, stream: "password:\(username)")
                // Meets Cognito's default policy: 8+ chars, upper, lower, digit, symbol.
                let password = "Gt-" + rng.string(length: 10, alphabet: "abcdefghijkmnopqrstuvwxyz23456789") + "9X!"
                return Credential(username: username, password: password, groups: [group])
            }
        }
        return make("manager", "managers", managers) + make("analyst", "analysts", analysts)
    }

    public init(config: IdentityConfig, seed: UInt64, region: String) throws {
        self.region = region
        var idRNG = SeededGenerator(seed: seed, stream: "pool-id")
        poolId = config.poolId ?? "\(region)_\(idRNG.string(length: 9, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))"
        groups = config.groups
        resourceScopes = Set(config.resourceServer.scopes.map { "\(config.resourceServer.identifier)/\($0)" })

        var credentials = Self.demoCredentials(seed: seed, managers: config.demoUsers.managers, analysts: config.demoUsers.analysts)
        for user in config.users {
            guard !user.username.isEmpty, !user.password.isEmpty else {
                throw IdentitySetupError.invalid("identity.users: every user needs a username and a password")
            }
            credentials.append(Credential(username: user.username, password: user.password, groups: user.groups))
        }
        for credential in credentials {
            for group in credential.groups where !config.groups.contains(group) {
                throw IdentitySetupError.invalid("user '\(credential.username)' is in group '\(group)', which identity.groups does not define")
            }
        }
        self.credentials = credentials

        // Hashing is the slow part of start-up: spread it over the cores.
        let rounds = config.passwordHashRounds
        let hashes = [PasswordHash](unsafeUninitializedCapacity: credentials.count) { buffer, count in
            // Each iteration writes only its own slot, so sharing the buffer across threads is safe.
            let slots = UnsafeSlots(base: buffer.baseAddress)
            let passwords = credentials.map(\.password)
            DispatchQueue.concurrentPerform(iterations: passwords.count) { i in
                slots.base?.advanced(by: i).initialize(to: PasswordHash(password: passwords[i], rounds: rounds))
            }
            count = passwords.count
        }
        var users: [String: User] = [:]
        for (credential, hash) in zip(credentials, hashes) {
            guard users[credential.username] == nil else {
                throw IdentitySetupError.invalid("user '\(credential.username)' is defined twice")
            }
            var rng = SeededGenerator(seed: seed, stream: "sub:\(credential.username)")
            users[credential.username] = User(
                username: credential.username, sub: rng.uuid(),
                email: "\(credential.username)@\(credential.username.hasPrefix("manager") ? "managers" : "analysts").example.test",
                groups: credential.groups, password: hash)
        }
        self.users = users

        var clients: [String: Client] = [:]
        var byName: [String: Client] = [:]
        for (name, c) in config.clients.sorted(by: { $0.key < $1.key }) {
            var rng = SeededGenerator(seed: seed, stream: "client:\(name)")
            let alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
            let id = rng.string(length: 26, alphabet: alphabet)
            let secret = c.secret ? rng.string(length: 51, alphabet: alphabet) : nil
            for scope in c.scopes where !["openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"].contains(scope)
                && !resourceScopes.contains(scope)
            {
                throw IdentitySetupError.invalid("client '\(name)' has scope '\(scope)', which is neither an OIDC scope nor one of the resource server's")
            }
            let client = Client(
                name: name, clientId: id, clientSecret: secret, authFlows: Set(c.authFlows),
                oauthFlows: Set(c.oauthFlows), scopes: c.scopes, callbackURLs: c.callbackURLs, logoutURLs: c.logoutURLs)
            clients[id] = client
            byName[name] = client
        }
        self.clients = clients
        self.clientsByName = byName
    }

    /// Cognito's SECRET_HASH: Base64(HMAC-SHA256(key: client secret, message: username + client id)).
    public static func secretHash(username: String, clientId: String, clientSecret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array((username + clientId).utf8), using: SymmetricKey(data: Array(clientSecret.utf8)))
        return Data(mac).base64EncodedString()
    }
}

private struct UnsafeSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<PasswordHash>?
}

public enum IdentitySetupError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self {
        case .invalid(let why): "identity provider config: \(why)"
        }
    }
}
