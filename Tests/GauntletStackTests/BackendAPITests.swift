import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import HummingbirdTesting
import StackBackends
import StackSupport
import Testing

@Suite("Manager UI and Analytics UI backends over HTTP")
struct BackendAPITests {
    let keys = BackendTestKeys.shared
    static let users = [
        DirectoryUser(username: "alice", email: "alice@example.test", groups: ["managers"]),
        DirectoryUser(username: "bob", email: "bob@example.test", groups: ["analysts"]),
    ]

    func managerApp() throws -> some ApplicationProtocol {
        let store = ManagerStore(users: Self.users, now: { BackendTestKeys.now })
        let router = ManagerUI.buildRouter(config: BackendsConfig(), trust: try keys.trust(), store: store, now: { BackendTestKeys.now })
        return Application(router: router)
    }

    func analyticsApp(events: [AnalyticsEvent]) throws -> some ApplicationProtocol {
        let router = AnalyticsUI.buildRouter(
            config: BackendsConfig(), trust: try keys.trust(), events: InMemoryEventSource(events: events), now: { BackendTestKeys.now }
        )
        return Application(router: router)
    }

    func json(_ value: [String: Any]) -> ByteBuffer {
        ByteBuffer(bytes: Array(try! JSONSerialization.data(withJSONObject: value)))
    }

    var jsonHeaders: HTTPFields {
        var headers = keys.headers()
        headers[.contentType] = "application/json"
        return headers
    }

    func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
    }

    @Test func everyResponseSaysWhoServedIt() async throws {
        try await managerApp().test(.router) { client in
            for (uri, headers, status) in [
                ("/", keys.headers(), HTTPResponse.Status.ok), ("/manager/", keys.headers(), .ok), ("/manager", keys.headers(), .ok),
                ("/manager/users", keys.headers(), .ok), ("/manager/api-keys", keys.headers(), .ok), ("/manager/retention", keys.headers(), .ok),
                ("/manager/api/users", keys.headers(), .ok), ("/manager/api/nope", keys.headers(), .notFound),
                ("/manager/api/users", HTTPFields(), .unauthorized), ("/", HTTPFields(), .unauthorized),
            ] {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == status, "\(uri)")
                    #expect(response.headers[.servedByForTests] == "manager-ui", "\(uri)")
                }
            }
        }
        try await analyticsApp(events: []).test(.router) { client in
            for (uri, headers, status) in [
                ("/", keys.headers(), HTTPResponse.Status.ok), ("/analytics/", keys.headers(), .ok), ("/analytics/search", keys.headers(), .ok),
                ("/analytics/api/search", keys.headers(), .ok), ("/manager/api/users", keys.headers(), .notFound),
                ("/analytics/api/counts", HTTPFields(), .unauthorized), ("/analytics/api/counts?interval=0s", keys.headers(), .badRequest),
            ] {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == status, "\(uri)")
                    #expect(response.headers[.servedByForTests] == "analytics-ui", "\(uri)")
                }
            }
        }
    }

    @Test func refusesDirectRequestsWithJSON401() async throws {
        try await managerApp().test(.router) { client in
            try await client.execute(uri: "/manager/api/users", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try decode(ErrorBody.self, response.body)
                #expect(body.error.code == "missing_header")
            }
            let analystHeaders = keys.headers(accessToken: keys.accessToken(groups: ["analysts"]))
            try await client.execute(uri: "/manager/", method: .get, headers: analystHeaders) { response in
                #expect(response.status == .unauthorized)
                let decoded1 = try decode(ErrorBody.self, response.body)
                #expect(decoded1.error.code == "group_not_allowed")
            }
        }
    }

    @Test func pagesAreSelfContainedAndLoadTheirDataByFetch() async throws {
        try await managerApp().test(.router) { client in
            try await client.execute(uri: "/manager/users", method: .get, headers: keys.headers()) { response in
                let html = String(buffer: response.body)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(html.contains("api(\"/manager/api/users\")"))
                #expect(!html.contains("src=\"http"), "no external assets")
                #expect(!html.contains("href=\"http"), "no external links")
                #expect(html.contains("alice"), "the signed-in user is shown")
            }
        }
        try await analyticsApp(events: []).test(.router) { client in
            try await client.execute(uri: "/analytics/", method: .get, headers: keys.headers()) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("/analytics/api/search?"))
                #expect(html.contains("/analytics/api/counts?"))
                #expect(html.contains("<svg id=\"chart\""))
            }
        }
    }

    struct SourceBody: Decodable { var id: String; var name: String; var kind: String; var enabled: Bool }
    struct Items<T: Decodable>: Decodable { var items: [T]; var count: Int }

    @Test func sourcesCRUDWithValidation() async throws {
        try await managerApp().test(.router) { client in
            let created = try await client.execute(
                uri: "/manager/api/sources", method: .post, headers: jsonHeaders, body: json(["name": "web-frontend", "kind": "syslog"])
            ) { response in
                #expect(response.status == .created)
                return try decode(SourceBody.self, response.body)
            }
            #expect(created.name == "web-frontend" && created.kind == "syslog" && created.enabled)

            for (body, status, code) in [
                (["name": "web-frontend", "kind": "http"], HTTPResponse.Status.conflict, "conflict"),
                (["name": "Bad Name", "kind": "http"], .badRequest, "invalid_name"),
                (["name": "ok-name", "kind": "carrier-pigeon"], .badRequest, "invalid_kind"),
                (["kind": "http"], .badRequest, "invalid_json"),
            ] as [([String: Any], HTTPResponse.Status, String)] {
                try await client.execute(uri: "/manager/api/sources", method: .post, headers: jsonHeaders, body: json(body)) { response in
                    #expect(response.status == status)
                    let decoded2 = try decode(ErrorBody.self, response.body)
                    #expect(decoded2.error.code == code)
                }
            }
            try await client.execute(
                uri: "/manager/api/sources", method: .post, headers: jsonHeaders, body: ByteBuffer(string: "{not json")
            ) { response in
                #expect(response.status == .badRequest)
                let decoded3 = try decode(ErrorBody.self, response.body)
                #expect(decoded3.error.message == "request body is not valid JSON")
            }
            var textHeaders = keys.headers()
            textHeaders[.contentType] = "text/plain"
            try await client.execute(uri: "/manager/api/sources", method: .post, headers: textHeaders, body: ByteBuffer(string: "x")) { response in
                #expect(response.status == .unsupportedMediaType)
            }

            try await client.execute(
                uri: "/manager/api/sources/\(created.id)", method: .put, headers: jsonHeaders,
                body: json(["name": "web-frontend", "kind": "agent", "enabled": false])
            ) { response in
                #expect(response.status == .ok)
                let updated = try decode(SourceBody.self, response.body)
                #expect(updated.kind == "agent" && !updated.enabled)
            }
            try await client.execute(uri: "/manager/api/sources", method: .get, headers: keys.headers()) { response in
                let list = try decode(Items<SourceBody>.self, response.body)
                #expect(list.count == 2)
                #expect(Set(list.items.map(\.name)) == ["upload-gateway", "web-frontend"])
            }
            try await client.execute(uri: "/manager/api/sources/\(created.id)", method: .delete, headers: keys.headers()) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/manager/api/sources/\(created.id)", method: .get, headers: keys.headers()) { response in
                #expect(response.status == .notFound)
                let decoded4 = try decode(ErrorBody.self, response.body)
                #expect(decoded4.error.code == "not_found")
            }
        }
    }

    struct CreatedKey: Decodable {
        struct Info: Decodable { var id: String; var prefix: String; var createdBy: String; var revoked: Bool }
        var key: String
        var info: Info
    }

    @Test func apiKeysAreShownOnceAndCanBeRevoked() async throws {
        try await managerApp().test(.router) { client in
            let created = try await client.execute(
                uri: "/manager/api/api-keys", method: .post, headers: jsonHeaders, body: json(["name": "ci uploader"])
            ) { response in
                #expect(response.status == .created)
                return try decode(CreatedKey.self, response.body)
            }
            #expect(created.key.hasPrefix("gk_") && created.key.count == 43)
            #expect(created.key.hasPrefix(created.info.prefix))
            #expect(created.info.createdBy == "alice")
            try await client.execute(uri: "/manager/api/api-keys", method: .get, headers: keys.headers()) { response in
                let text = String(buffer: response.body)
                #expect(!text.contains(created.key), "the secret is never listed")
                #expect(text.contains(created.info.id))
            }
            try await client.execute(
                uri: "/manager/api/api-keys", method: .post, headers: jsonHeaders, body: json(["name": "x", "sourceId": "src_missing"])
            ) { response in
                #expect(response.status == .badRequest)
                let decoded5 = try decode(ErrorBody.self, response.body)
                #expect(decoded5.error.field == "sourceId")
            }
            try await client.execute(uri: "/manager/api/api-keys/\(created.info.id)", method: .delete, headers: keys.headers()) { response in
                #expect(response.status == .ok)
                let decoded6 = try decode(CreatedKey.Info.self, response.body)
                #expect(decoded6.revoked)
            }
        }
    }

    struct Retention: Decodable { var days: Int; var legalHold: Bool; var updatedBy: String? }

    @Test func retentionGetAndPutWithValidation() async throws {
        try await managerApp().test(.router) { client in
            try await client.execute(uri: "/manager/api/retention", method: .get, headers: keys.headers()) { response in
                let decoded7 = try decode(Retention.self, response.body)
                #expect(decoded7.days == 30)
            }
            try await client.execute(uri: "/manager/api/retention", method: .put, headers: jsonHeaders, body: json(["days": 0])) { response in
                #expect(response.status == .badRequest)
                let error = try decode(ErrorBody.self, response.body).error
                #expect(error.code == "invalid_days" && error.message.contains("got 0"))
            }
            try await client.execute(uri: "/manager/api/retention", method: .put, headers: jsonHeaders, body: json(["days": "ninety"])) { response in
                #expect(response.status == .badRequest)
                let decoded8 = try decode(ErrorBody.self, response.body)
                #expect(decoded8.error.message.contains("days"))
            }
            try await client.execute(
                uri: "/manager/api/retention", method: .put, headers: jsonHeaders, body: json(["days": 90, "legalHold": true])
            ) { response in
                let retention = try decode(Retention.self, response.body)
                #expect(retention.days == 90 && retention.legalHold && retention.updatedBy == "alice")
            }
            try await client.execute(uri: "/manager/api/users/bob", method: .get, headers: keys.headers()) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("analysts"))
            }
        }
    }

    struct SearchResponse: Decodable {
        struct Event: Decodable { var id: String; var time: Date }
        var events: [Event]
        var returned: Int
        var totalMatched: Int?
    }

    struct CountsResponse: Decodable {
        struct Bucket: Decodable { var start: Date; var count: Int }
        var buckets: [Bucket]
        var total: Int
        var intervalSeconds: Int
    }

    @Test func analyticsSearchAndCounts() async throws {
        let base = BackendTestKeys.now.addingTimeInterval(-3600)
        let events = (0..<30).map { index in
            AnalyticsEvent(
                id: "e\(index)", time: base.addingTimeInterval(Double(index * 60)),
                event: JSONValue(parsing: #"{"level":"\#(index % 3 == 0 ? "ERROR" : "info")","n":\#(index)}"#)
            )
        }
        try await analyticsApp(events: events).test(.router) { client in
            try await client.execute(uri: "/analytics/api/search?q=error&limit=5", method: .get, headers: keys.headers()) { response in
                #expect(response.status == .ok)
                let result = try decode(SearchResponse.self, response.body)
                #expect(result.totalMatched == 10)
                #expect(result.returned == 5)
                #expect(result.events.map(\.id) == ["e27", "e24", "e21", "e18", "e15"], "newest first")
            }
            let from = Int(base.timeIntervalSince1970)
            try await client.execute(
                uri: "/analytics/api/counts?interval=10m&from=\(from)&to=\(from + 1800)", method: .get, headers: keys.headers()
            ) { response in
                let counts = try decode(CountsResponse.self, response.body)
                #expect(counts.intervalSeconds == 600)
                #expect(counts.buckets.map(\.count) == [10, 10, 10])
                #expect(counts.total == 30)
            }
            for (uri, code) in [
                ("/analytics/api/search?limit=0", "invalid_limit"), ("/analytics/api/search?limit=abc", "invalid_limit"),
                ("/analytics/api/search?from=yesterday", "invalid_from"),
                ("/analytics/api/search?from=2026-11-29T01:00:00Z&to=2026-11-29T00:00:00Z", "invalid_to"),
                ("/analytics/api/counts?interval=1s&from=0&to=86400", "too_many_buckets"),
                ("/analytics/api/counts?interval=fortnight", "invalid_interval"),
            ] {
                try await client.execute(uri: uri, method: .get, headers: keys.headers()) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    let decoded9 = try decode(ErrorBody.self, response.body)
                    #expect(decoded9.error.code == code, "\(uri)")
                }
            }
        }
    }

    @Test func configDecodesWithDefaultsAndRejectsNonsense() throws {
        let config = try StackConfigLoader.decode(BackendsConfig.self, yaml: "manager_port: 8444\n")
        #expect(config.managerPort == 8444 && config.analyticsPort == 0)
        #expect(config.analyticsGroups == ["analysts", "managers"])
        #expect(config.maxConcurrentRequests == 64 && config.maxQueuedRequests == 128 && config.queueWait == 0.1)
        for (yaml, message) in [
            ("retention_days: 0\n", "retention_days must be 1...3650"),
            ("manager_groups: []\n", "at least one group"),
            ("manager_prot: 1\n", "unknown key 'manager_prot'"),
            ("max_concurrent_requests: 0\n", "must be 1...100000; got 0"),
            ("max_queued_requests: -1\n", "must be 0...1000000; got -1"),
            ("queue_wait: 90\n", "must be 0...60 seconds; got 90"),
        ] {
            do {
                _ = try StackConfigLoader.decode(BackendsConfig.self, yaml: yaml)
                Issue.record("\(yaml) was accepted")
            } catch let error as StackConfigError {
                #expect("\(error)".contains(message), "\(error)")
                #expect(error.line == 1)
            }
        }
    }
}

@Suite("Analytics counting helpers")
struct BackendCountingTests {
    @Test func bucketsAreZeroFilledAndHalfOpen() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        let query = EventCountsQuery(from: start, to: start.addingTimeInterval(250), intervalSeconds: 100)
        #expect(query.bucketStarts.count == 3, "a partial last bucket still counts")
        let times = [-1, 0, 99, 100, 249, 250].map { start.addingTimeInterval(Double($0)) }
        #expect(query.bucket(times).map(\.count) == [2, 1, 1], "-1 and 250 fall outside [from, to)")
    }
}
