import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import StackIdentity
import StackSupport
import Testing

@testable import StackEdge

/// The whole ALB login with the real identity provider (StackIdentity) and the stack's CA: LB → hosted UI
/// form with CSRF → code → `/oauth2/idpresponse` → session → the right backend with a verifiable identity.
@Suite("Load balancer with the real identity provider", .serialized, .timeLimit(.minutes(2)))
struct EdgeIdentityFlowTests {
    /// The real identity provider, two echo targets and the LB, on ephemeral ports, for the duration of `body`.
    struct RealStack: Sendable {
        let lb: LoadBalancer
        let key: EdgeSigningKey
        let lbPort: Int
        let idpPort: Int
        let idp: IdentityProvider
        let webClientID: String
        let names: StackNames
        let caFile: String
        let accessLog: String
        let credentials: [UserPool.Credential]
        let client: HTTPClient
    }

    static func withRealStack(_ body: @Sendable (RealStack) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("edge-idp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var logger = Logger(label: "edge-idp-test")
        logger.logLevel = .warning
        let names = StackNames()
        let ca = try StackCA.loadOrCreate(stateDirectory: dir, hostnames: names.all)
        let context = StackContext(names: names, ca: ca, stateDirectory: dir, seed: 42, region: "us-east-1", logger: logger)
        var identityConfig = IdentityConfig()
        identityConfig.demoUsers.managers = 1
        identityConfig.demoUsers.analysts = 1
        let idp = try await IdentityProvider.make(config: identityConfig, context: context)
        let web = try #require(idp.pool.clientsByName["web"])
        let credentials = UserPool.demoCredentials(seed: 42, managers: 1, analysts: 1)

        let managerPort = PortWaiter(), analyticsPort = PortWaiter()
        let serverTLS = try ca.serverTLSConfiguration()
        let manager = Application(router: echoTargetRouter(name: "manager-ui"), server: try .tls(tlsConfiguration: serverTLS),
                                  configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { managerPort.set($0.localAddress!.port!) }, logger: logger)
        let analytics = Application(router: echoTargetRouter(name: "analytics-ui"), server: try .tls(tlsConfiguration: serverTLS),
                                    configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                    onServerRunning: { analyticsPort.set($0.localAddress!.port!) }, logger: logger)
        let early = ServiceGroup(configuration: .init(services: [try idp.application(logger: logger), manager, analytics], logger: logger))
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: .init(tlsConfiguration: ca.clientTLSConfiguration(), redirectConfiguration: .disallow))
        let accessLog = dir.appendingPathComponent("alb-access.log").path

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await early.run() }
            let idpPort = try await idp.bound.value()
            let (mp, ap) = (await managerPort.wait(), await analyticsPort.wait())
            let config = EdgeConfig()
                .withTargets(EdgeConfig.managerTargetGroup, ["https://127.0.0.1:\(mp)"])
                .withTargets(EdgeConfig.analyticsTargetGroup, ["https://127.0.0.1:\(ap)"])
            let key = EdgeSigningKey()
            let lbBound = BoundPort(name: "load balancer")
            let lb = try LoadBalancer(
                config: config, context: context,
                idp: IdentityProviderEndpoints(publicBaseURL: "https://\(names.identityProvider):\(idpPort)",
                                               internalBaseURL: "https://127.0.0.1:\(idpPort)", issuer: idp.issuer),
                client: OIDCClientCredentials(clientID: web.clientId, clientSecret: try #require(web.clientSecret)),
                signingKey: key, accessLog: accessLog, bound: lbBound)
            let late = ServiceGroup(configuration: .init(services: [lb], logger: logger))
            var failure: (any Error)?
            try await withThrowingTaskGroup(of: Void.self) { inner in
                inner.addTask { try await late.run() }
                let lbPort = try await lbBound.value()
                #expect(lbPort == lb.port)
                for host in ["127.0.0.1", names.loadBalancer] {
                    idp.registerCallback(client: "web", url: "https://\(host):\(lbPort)/oauth2/idpresponse")
                }
                do {
                    try await body(RealStack(lb: lb, key: key, lbPort: lbPort, idpPort: idpPort, idp: idp, webClientID: web.clientId,
                                             names: names, caFile: ca.caFile.path, accessLog: accessLog, credentials: credentials, client: client))
                } catch {
                    failure = error
                }
                try? await client.shutdown()
                await late.triggerGracefulShutdown()
                try await inner.waitForAll()
            }
            await early.triggerGracefulShutdown()
            try await group.waitForAll()
            if let failure { throw failure }
        }
    }

    @Test func hostedUILoginRoutesEachRoleAndSignsItsIdentity() async throws {
        try await Self.withRealStack { stack in
            let lbPort = stack.lbPort
            let browser = Browser(client: stack.client, lbPort: lbPort, idpPort: stack.idpPort, idpHost: stack.names.identityProvider)
            for credential in stack.credentials {
                let isManager = credential.groups.contains("managers")
                let session = try await browser.login(username: credential.username, password: credential.password)
                let home = try await browser.get("https://127.0.0.1:\(lbPort)/", cookies: session)
                #expect(home.status == 200)
                #expect(home.header("x-served-by") == (isManager ? "manager-ui" : "analytics-ui"))
                let seen = home.seen
                // The identity the backend receives verifies with the LB's published key.
                let data = try #require(seen["x-amzn-oidc-data"]?.first)
                let parts = data.split(separator: ".").map(String.init)
                let signature = try P256.Signing.ECDSASignature(rawRepresentation: try #require(Base64URL.decode(parts[2])))
                #expect(stack.key.privateKey.publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)))
                let headerBytes = try #require(Base64URL.decode(parts[0]))
                let header = try #require(try JSONSerialization.jsonObject(with: headerBytes) as? [String: Any])
                #expect(header["signer"] as? String == stack.lb.signer)
                #expect(header["client"] as? String == stack.webClientID)
                #expect(header["iss"] as? String == stack.idp.issuer)
                let payloadBytes = try #require(Base64URL.decode(parts[1]))
                let payload = try #require(try JSONSerialization.jsonObject(with: payloadBytes) as? [String: Any])
                #expect(payload["sub"] as? String == seen["x-amzn-oidc-identity"]?.first)
                // The access token is the IdP's own (RS256, with the user's group).
                let access = try #require(seen["x-amzn-oidc-accesstoken"]?.first)
                #expect(IdentityProviderClient.groups(fromJWT: access) == credential.groups)

                let managerPage = try await browser.get("https://127.0.0.1:\(lbPort)/manager/", cookies: session)
                #expect(managerPage.status == (isManager ? 200 : 403))
                let analyticsAPI = try await browser.get("https://127.0.0.1:\(lbPort)/analytics/api/search", cookies: session)
                #expect(analyticsAPI.header("x-served-by") == "analytics-ui")
            }
        }
    }

    static let toolsPresent = ["/usr/bin/curl", "/usr/bin/jq", "/usr/bin/python3"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

    /// The curl CLI walks the same flow (scripts/verify/edge_curl.sh) against this in-process stack.
    @Test(.enabled(if: toolsPresent, "needs curl, jq and python3")) func curlWalksTheBrowserFlow() async throws {
        try await Self.withRealStack { stack in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("edge-curl-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let lbURL = "https://\(stack.names.loadBalancer):\(stack.lbPort)"
            let endpoints: [String: Any] = [
                "urls": ["lb": lbURL, "idp": "https://\(stack.names.identityProvider):\(stack.idpPort)"],
                "resolve": ["\(stack.names.loadBalancer):\(stack.lbPort):127.0.0.1", "\(stack.names.identityProvider):\(stack.idpPort):127.0.0.1"],
                "ca_file": stack.caFile,
                "users": stack.credentials.map { ["username": $0.username, "password": $0.password, "groups": $0.groups] },
                "access_log": stack.accessLog,
                "lb_key_url": stack.lb.keyURL(),
                "lb_signer": stack.lb.signer,
            ]
            let file = dir.appendingPathComponent("endpoints.json")
            try JSONSerialization.data(withJSONObject: endpoints).write(to: file)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("scripts/verify/edge_curl.sh")
            let output = dir.appendingPathComponent("out.txt")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [script.path, file.path]
            let handle = try FileHandle(forWritingTo: output)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            // Poll rather than block a cooperative thread on waitUntilExit.
            for _ in 0..<1200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { process.terminate() }
            try handle.close()
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            #expect(process.terminationStatus == 0, "\(text)")
            #expect(text.contains(" 0 failed"), "\(text)")
            #expect(text.contains("parses with the Athena regex"), "\(text)")
        }
    }

    static let pyJWTPresent: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import jwt, cryptography"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// PyJWT (as in AWS's own sample) verifies the header the backend received, with the key fetched from lb_key_url.
    @Test(.enabled(if: pyJWTPresent, "needs python3 with pyjwt and cryptography")) func pyJWTVerifiesTheOIDCData() async throws {
        try await Self.withRealStack { stack in
            let browser = Browser(client: stack.client, lbPort: stack.lbPort, idpPort: stack.idpPort, idpHost: stack.names.identityProvider)
            let credential = try #require(stack.credentials.first)
            let session = try await browser.login(username: credential.username, password: credential.password)
            let home = try await browser.get("https://127.0.0.1:\(stack.lbPort)/", cookies: session)
            let data = try #require(home.seen["x-amzn-oidc-data"]?.first)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("scripts/verify/alb_oidc_data.py")
            func run(_ token: String) async throws -> Int32 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", script.path, "--key-url", stack.lb.keyURL(host: "127.0.0.1"), "--cacert", stack.caFile,
                                     "--signer", stack.lb.signer, "--client", stack.webClientID, token]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                for _ in 0..<400 where process.isRunning { try await Task.sleep(for: .milliseconds(25)) }
                if process.isRunning { process.terminate() }
                return process.terminationStatus
            }
            #expect(try await run(data) == 0)
            var tampered = data.split(separator: ".").map(String.init)
            let claimsBytes = try #require(Base64URL.decode(tampered[1]))
            var claims = try #require(try JSONSerialization.jsonObject(with: claimsBytes) as? [String: Any])
            claims["sub"] = "someone-else"
            tampered[1] = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims), padded: true)
            #expect(try await run(tampered.joined(separator: ".")) != 0, "a changed payload must not verify")
        }
    }

    /// A minimal browser: follows the LB → IdP → LB redirects by hand (the IdP's name is reached at 127.0.0.1,
    /// as curl's --resolve would), keeps each host's cookies, and fills in the hosted UI's form.
    struct Browser {
        let client: HTTPClient
        let lbPort: Int
        let idpPort: Int
        let idpHost: String

        func get(_ url: String, cookies: [String: String] = [:]) async throws -> EdgeHarness.Reply {
            try await send(url, method: .GET, cookies: cookies, form: nil)
        }

        func send(_ url: String, method: HTTPMethod, cookies: [String: String], form: String?) async throws -> EdgeHarness.Reply {
            var request = HTTPClientRequest(url: url.replacingOccurrences(of: "https://\(idpHost):", with: "https://127.0.0.1:"))
            request.method = method
            if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0)=\($1)" }.joined(separator: "; ")) }
            if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: form))
            }
            let response = try await client.execute(request, timeout: .seconds(15))
            let body = try await response.body.collect(upTo: 1 << 20)
            return EdgeHarness.Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: String(buffer: body))
        }

        func login(username: String, password: String) async throws -> [String: String] {
            let lb = "https://127.0.0.1:\(lbPort)"
            var lbCookies: [String: String] = [:]
            var idpCookies: [String: String] = [:]
            let start = try await get(lb + "/")
            guard start.status == 302, var location = start.header("location") else { throw EdgeTestFailure("GET / answered \(start.status)") }
            lbCookies.merge(start.cookies) { $1 }
            var page = try await get(location)
            idpCookies.merge(page.cookies) { $1 }
            for _ in 0..<5 where page.status == 302 {
                location = Self.absolute(page.header("location") ?? "", base: "https://127.0.0.1:\(idpPort)")
                page = try await get(location, cookies: idpCookies)
                idpCookies.merge(page.cookies) { $1 }
            }
            guard page.status == 200, let form = Self.form(in: page.body) else { throw EdgeTestFailure("no login form (\(page.status))") }
            var fields = form.hidden
            fields.append(("username", username))
            fields.append(("password", password))
            let body = fields.map { "\($0)=\(IdentityProviderClient.formEncode($1))" }.joined(separator: "&")
            let posted = try await send(Self.absolute(form.action, base: "https://127.0.0.1:\(idpPort)"), method: .POST, cookies: idpCookies, form: body)
            guard posted.status == 302, let callback = posted.header("location"), callback.contains("/oauth2/idpresponse?") else {
                throw EdgeTestFailure("login POST answered \(posted.status): \(posted.body.prefix(300))")
            }
            let back = try await get(callback, cookies: lbCookies)
            guard back.status == 302, back.header("location") == lb + "/" else { throw EdgeTestFailure("callback answered \(back.status)") }
            return back.cookies.filter { $0.key.hasPrefix("AWSELBAuthSessionCookie-") && !$0.value.isEmpty }
        }

        static func absolute(_ url: String, base: String) -> String {
            url.hasPrefix("https://") ? url : base + (url.hasPrefix("/") ? url : "/" + url)
        }

        /// The first form's action and hidden inputs (the CSRF token among them).
        static func form(in html: String) -> (action: String, hidden: [(String, String)])? {
            guard let formTag = html.range(of: "<form[^>]*>", options: .regularExpression) else { return nil }
            let tag = String(html[formTag])
            guard let action = attribute("action", in: tag) else { return nil }
            var hidden: [(String, String)] = []
            var rest = html[formTag.upperBound...]
            while let input = rest.range(of: "<input[^>]*>", options: .regularExpression) {
                let text = String(rest[input])
                if attribute("type", in: text) == "hidden", let name = attribute("name", in: text) {
                    hidden.append((name, attribute("value", in: text) ?? ""))
                }
                rest = rest[input.upperBound...]
            }
            return (action.replacingOccurrences(of: "&amp;", with: "&"), hidden)
        }

        static func attribute(_ name: String, in tag: String) -> String? {
            guard let range = tag.range(of: "\(name)=\"[^\"]*\"", options: .regularExpression) else { return nil }
            return String(tag[range].dropFirst(name.count + 2).dropLast())
        }
    }
}

import NIOHTTP1
