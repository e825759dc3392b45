import Foundation

/// The endpoints file `gauntlet stack --endpoints` writes (issue 3): how to reach a running stack.
/// Every key is optional here so that a stack whose later components have not landed still works.
public struct Endpoints: Sendable, Equatable, Decodable {
    public struct URLs: Sendable, Equatable, Decodable {
        public var lb: String?
        public var idp: String?
        public var upload: String?

        public init(lb: String?, idp: String?, upload: String?) {
            self.lb = lb
            self.idp = idp
            self.upload = upload
        }
    }

    public struct DNS: Sendable, Equatable, Decodable {
        public var address: String
        public var port: UInt16

        public init(address: String, port: UInt16) {
            self.address = address
            self.port = port
        }
    }

    public struct Client: Sendable, Equatable, Decodable {
        public var clientId: String
        public var clientSecret: String?
        public var scope: String?

        public init(clientId: String, clientSecret: String? = nil, scope: String? = nil) {
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.scope = scope
        }
    }

    public struct Clients: Sendable, Equatable, Decodable {
        public var web: Client?
        public var api: Client?
        public var uploader: Client?

        public init(web: Client?, api: Client?, uploader: Client?) {
            self.web = web
            self.api = api
            self.uploader = uploader
        }
    }

    public struct User: Sendable, Equatable, Decodable {
        public var username: String
        public var password: String
        public var groups: [String]

        public init(username: String, password: String, groups: [String]) {
            self.username = username
            self.password = password
            self.groups = groups
        }
    }

    public var urls: URLs?
    public var direct: URLs?
    public var resolve: [String]?
    public var dns: DNS?
    public var caFile: String?
    public var region: String?
    public var userPoolId: String?
    public var clients: Clients?
    public var users: [User]?
    public var apiKeys: [String]?

    public init(urls: URLs? = nil, direct: URLs? = nil, resolve: [String]? = nil, dns: DNS? = nil, caFile: String? = nil, users: [User]? = nil, apiKeys: [String]? = nil) {
        self.urls = urls
        self.direct = direct
        self.resolve = resolve
        self.dns = dns
        self.caFile = caFile
        self.users = users
        self.apiKeys = apiKeys
    }

    /// Decodes the endpoints JSON (snake_case keys).
    public static func decode(_ data: Data) throws -> Endpoints {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Endpoints.self, from: data)
    }
}

