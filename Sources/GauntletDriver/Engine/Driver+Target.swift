import Foundation
import GauntletCore

extension Driver {
    /// Resolves the scenario's target (and an endpoints document, when there is one) into the URLs,
    /// trust, name pinning, users and keys the workers use. Errors say which setting is wrong.
    public static func resolveTarget(scenario: Scenario, endpoints: Endpoints?, options: DriverOptions) throws(DriverError) -> ResolvedTarget {
        var target = ResolvedTarget(http2: scenario.http.version == .http2, timeout: scenario.http.timeout)
        target.insecure = scenario.http.insecure
        var endpoints = endpoints
        var remote: RemoteTarget?
        if case .remote(let r) = scenario.target {
            remote = r
            if endpoints == nil, let file = r.endpointsFile {
                endpoints = try loadEndpoints(path: absolute(file, options.scenarioDirectory))
            }
        }
        if let endpoints { apply(endpoints, scenario: scenario, to: &target) }
        if let remote { try apply(remote, options: options, to: &target) }
        if let csv = scenario.users.csv {
            target.users = try loadUsers(csv: absolute(csv, options.scenarioDirectory))
        }
        target.lb = target.lb.map(trimSlash)
        target.idp = target.idp.map(trimSlash)
        target.upload = target.upload.map(trimSlash)
        target.login = scenario.users.login
        try checkNeeds(of: scenario, target)
        return target
    }

    /// What an endpoints document says: URLs, trust, DNS, keys, clients, and the scenario's number of users.
    static func apply(_ endpoints: Endpoints, scenario: Scenario, to target: inout ResolvedTarget) {
        target.lb = endpoints.urls?.lb ?? endpoints.direct?.lb
        target.idp = endpoints.urls?.idp ?? endpoints.direct?.idp
        target.upload = endpoints.urls?.upload ?? endpoints.direct?.upload
        target.caFile = endpoints.caFile
        if let dns = endpoints.dns {
            target.dnsServer = dns.address
            target.dnsPort = dns.port
        }
        target.pins = endpoints.resolve ?? []
        target.apiKeys = endpoints.apiKeys ?? []
        if let api = endpoints.clients?.api ?? endpoints.clients?.web {
            target.apiClient = ClientCredentials(clientId: api.clientId, clientSecret: api.clientSecret ?? "", scope: nil)
        }
        if let uploader = endpoints.clients?.uploader, let secret = uploader.clientSecret {
            target.uploader = ClientCredentials(clientId: uploader.clientId, clientSecret: secret, scope: uploader.scope)
        }
        var managers = 0
        var analysts = 0
        for user in endpoints.users ?? [] {
            if user.groups.contains(Role.managers.rawValue), managers < scenario.users.managers {
                managers += 1
                target.users.append(UserCredential(username: user.username, password: user.password, role: .managers))
            } else if user.groups.contains(Role.analysts.rawValue), analysts < scenario.users.analysts {
                analysts += 1
                target.users.append(UserCredential(username: user.username, password: user.password, role: .analysts))
            }
        }
    }

    /// What a remote target in the scenario says, over the endpoints document.
    static func apply(_ remote: RemoteTarget, options: DriverOptions, to target: inout ResolvedTarget) throws(DriverError) {
        target.lb = remote.lb.map(trimSlash) ?? target.lb
        target.idp = remote.idp.map(trimSlash) ?? target.idp
        target.upload = remote.upload.map(trimSlash) ?? target.upload
        if let ca = remote.caFile { target.caFile = absolute(ca, options.scenarioDirectory) }
        if let dns = remote.dns {
            let parts = dns.split(separator: ":")
            guard let host = parts.first, parts.count <= 2, let port = parts.count == 2 ? UInt16(parts[1]) : 53 else {
                throw .invalidTarget("target.dns \"\(dns)\" is not host:port")
            }
            target.dnsServer = String(host)
            target.dnsPort = port
        }
        if let clientId = remote.clientId {
            var secret = ""
            if let variable = remote.clientSecretEnv {
                guard let value = options.environment[variable], !value.isEmpty else {
                    throw .invalidTarget("target.client_secret_env names $\(variable), which is not set")
                }
                secret = value
            }
            target.apiClient = ClientCredentials(clientId: clientId, clientSecret: secret, scope: nil)
        }
        if let variable = remote.apiKeyEnv {
            guard let key = options.environment[variable], !key.isEmpty else {
                throw .invalidTarget("target.api_key_env names $\(variable), which is not set")
            }
            target.apiKeys = [key]
        }
    }

    /// What the scenario's request types need of the target.
    static func checkNeeds(of scenario: Scenario, _ target: ResolvedTarget) throws(DriverError) {
        if scenario.ui != nil || scenario.api != nil {
            guard target.lb != nil else { throw .invalidTarget("ui/api requests need the load balancer's URL (target.lb or an endpoints file)") }
            let audiences = (scenario.ui?.pages.map(\.audience) ?? []) + (scenario.api?.calls.map(\.audience) ?? [])
            if audiences.contains(where: { $0 != .anonymous }), target.users.isEmpty {
                throw .invalidTarget("ui/api requests for logged-in users need users (users.csv, or the endpoints file's users)")
            }
        }
        if scenario.upload != nil, target.upload == nil {
            throw .invalidTarget("upload requests need the upload gateway's URL (target.upload or an endpoints file)")
        }
        if target.login == .initiateAuth, !target.users.isEmpty, target.apiClient == nil || target.idp == nil {
            throw .invalidTarget("users.login initiate_auth needs the identity provider's URL and an app client (target.client_id, or the endpoints file's clients.api)")
        }
        if let upload = scenario.upload, upload.auth == .bearer {
            guard target.uploader != nil, target.idp != nil else {
                throw .invalidTarget("upload auth `bearer` needs the identity provider's URL and the uploader client (the endpoints file's clients.uploader with its secret)")
            }
        }
        if let ca = target.caFile, !FileManager.default.fileExists(atPath: ca) {
            throw .invalidTarget("CA file \(ca) does not exist")
        }
    }

    public static func loadEndpoints(path: String) throws(DriverError) -> Endpoints {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidTarget("cannot read the endpoints file \(path)")
        }
        do {
            return try Endpoints.decode(data)
        } catch {
            throw .invalidTarget("the endpoints file \(path) is not valid: \(error)")
        }
    }

    /// `username,password,role` lines (a header line and `#` comments are skipped).
    static func loadUsers(csv path: String) throws(DriverError) -> [UserCredential] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .invalidTarget("cannot read the users CSV \(path)") }
        var users: [UserCredential] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.first?.hasPrefix("#") ?? true || (number == 0 && fields.first == "username") { continue }
            guard fields.count == 3, !fields[0].isEmpty, let role = Role(rawValue: fields[2]) ?? Role(rawValue: fields[2] + "s") else {
                throw .invalidTarget("\(path):\(number + 1): expected username,password,role (role managers or analysts), got \"\(line)\"")
            }
            users.append(UserCredential(username: fields[0], password: fields[1], role: role))
        }
        return users
    }

    static func absolute(_ path: String, _ directory: String) -> String {
        path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
    }

    static func trimSlash(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}
