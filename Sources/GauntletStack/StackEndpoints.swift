import Foundation
import StackIdentity

/// The endpoints file: how other tools find a running stack. Its keys are part of Gauntlet's public
/// interface. Keys whose component has not started (or does not exist yet) are `null`, never absent.
public struct StackEndpoints: Codable, Sendable, Equatable {
    public struct URLs: Codable, Sendable, Equatable {
        public var lb: String?
        public var idp: String?
        public var upload: String?
        /// The private backends, behind the LB; only `direct` has them (no name resolves to them). A request
        /// sent straight to them without the LB's signed headers must get 401 — that is what they are for.
        public var manager: String?
        public var analytics: String?
        public init(lb: String? = nil, idp: String? = nil, upload: String? = nil) {
            self.lb = lb
            self.idp = idp
            self.upload = upload
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lb, forKey: .lb)
            try c.encode(idp, forKey: .idp)
            try c.encode(upload, forKey: .upload)
            if manager != nil || analytics != nil {
                try c.encode(manager, forKey: .manager)
                try c.encode(analytics, forKey: .analytics)
            }
        }
    }

    public struct DNS: Codable, Sendable, Equatable {
        public var address: String
        public var port: Int
        public init(address: String, port: Int) {
            self.address = address
            self.port = port
        }
    }

    public struct Client: Codable, Sendable, Equatable {
        public var clientId: String
        public var clientSecret: String?
        public var scope: String?
        public init(clientId: String, clientSecret: String? = nil, scope: String? = nil) {
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.scope = scope
        }
        enum CodingKeys: String, CodingKey {
            case clientId = "client_id", clientSecret = "client_secret", scope
        }
    }

    public var urls = URLs()
    public var direct = URLs()
    /// curl `--resolve` strings: `host:port:127.0.0.1`.
    public var resolve: [String] = []
    public var dns: DNS?
    public var caFile: String
    public var region: String
    public var userPoolId: String?
    public var issuer: String?
    public var jwksUrl: String?
    /// `web`, `api`, `uploader` (and any other configured client), by name.
    public var clients: [String: Client] = [:]
    public var users: [UserPool.Credential] = []
    public var apiKeys: [String] = []
    public var lbKeyUrl: String?
    public var lbSigner: String?
    public var accessLog: String?
    public var stateDir: String
    /// `network` when the backends are in the stack's private subnet, `signature` when only the signed
    /// headers keep them private.
    public var isolation: StackIsolation = .signature
    /// The private subnet, with `network` isolation (null otherwise).
    public var vpc: VPC?

    /// Where the private subnet is, for tools that probe it from the host.
    public struct VPC: Codable, Sendable, Equatable {
        /// The network namespace (`ip netns exec NAMESPACE nft list counters` shows the drop counts).
        public var namespace: String
        /// The host's end of the one link into the namespace, which the NACL guards.
        public var hostInterface: String
        /// The namespace's end of that link, link-local: `[fe80::1%<host_interface>]`.
        public var linkAddress: String
        public var publicSubnet: String
        public var privateSubnet: String

        enum CodingKeys: String, CodingKey {
            case namespace, hostInterface = "host_interface", linkAddress = "link_address"
            case publicSubnet = "public_subnet", privateSubnet = "private_subnet"
        }
    }

    public init(caFile: String, region: String, stateDir: String) {
        self.caFile = caFile
        self.region = region
        self.stateDir = stateDir
    }

    enum CodingKeys: String, CodingKey {
        case urls, direct, resolve, dns, caFile = "ca_file", region, userPoolId = "user_pool_id", issuer
        case jwksUrl = "jwks_url", clients, users, apiKeys = "api_keys", lbKeyUrl = "lb_key_url", lbSigner = "lb_signer"
        case accessLog = "access_log", stateDir = "state_dir", isolation, vpc
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(urls, forKey: .urls)
        try c.encode(direct, forKey: .direct)
        try c.encode(resolve, forKey: .resolve)
        try c.encode(dns, forKey: .dns)
        try c.encode(caFile, forKey: .caFile)
        try c.encode(region, forKey: .region)
        try c.encode(userPoolId, forKey: .userPoolId)
        try c.encode(issuer, forKey: .issuer)
        try c.encode(jwksUrl, forKey: .jwksUrl)
        try c.encode(clients, forKey: .clients)
        try c.encode(users, forKey: .users)
        try c.encode(apiKeys, forKey: .apiKeys)
        try c.encode(lbKeyUrl, forKey: .lbKeyUrl)
        try c.encode(lbSigner, forKey: .lbSigner)
        try c.encode(accessLog, forKey: .accessLog)
        try c.encode(stateDir, forKey: .stateDir)
        try c.encode(isolation, forKey: .isolation)
        try c.encode(vpc, forKey: .vpc)
    }

    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes atomically (a tool polling for the file never reads half of it) and 0600: the file holds
    /// client secrets and the demo users' passwords.
    public func write(to url: URL) throws {
        try jsonData().write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }
}
