import Hummingbird
import HummingbirdTesting
import StackSupport
import Testing

@testable import StackBackends

/// A UI backend at capacity answers 503 with `Retry-After` and its name, counted in its metrics.
@Suite("UI backend admission")
struct BackendAdmissionTests {
    @Test("full: 503, Retry-After, X-Served-By, counted; freed: served again")
    func refusesWhenFullThenServes() async throws {
        let gate = AdmissionGate(limit: 1, queueLimit: 0, maxWait: .milliseconds(10))
        let metrics = StackMetrics()
        let router = Router(context: BackendRequestContext.self)
        router.add(middleware: MetricsEndpointMiddleware(metrics: metrics))
        router.add(middleware: AdmissionMiddleware(name: "manager-ui", gate: gate, metrics: metrics))
        router.get("/manager/api/ping") { _, _ in "pong" }
        let app = Application(router: router)
        try await app.test(.router) { client in
            #expect(await gate.acquire() == .admitted, "the test holds the only slot")
            try await client.execute(uri: "/manager/api/ping", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                #expect(response.headers[.xServedBy] == "manager-ui")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"backend_refused_total{backend="manager-ui",reason="queue_full"} 1"#), "\(text)")
            }
            gate.release()
            try await client.execute(uri: "/manager/api/ping", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == "pong")
            }
        }
        #expect(gate.snapshot.active == 0)
    }
}

/// The Manager UI's store holds bounded memory however many creates a load test sends.
@Suite("Manager UI store limits")
struct ManagerStoreLimitTests {
    @Test("sources and API keys stop at their caps with 409 limit_exceeded")
    func capsHold() async throws {
        let store = ManagerStore(users: [], sources: [])
        for n in 0..<ManagerStore.maxSources {
            _ = try await store.createSource(LogSourceInput(name: "source-\(n)", kind: "http"))
        }
        await #expect(throws: APIError.self) { _ = try await store.createSource(LogSourceInput(name: "one-more", kind: "http")) }
        do {
            _ = try await store.createSource(LogSourceInput(name: "one-more", kind: "http"))
        } catch {
            #expect(error.status == .conflict && error.code == "limit_exceeded")
        }
        #expect(await store.listSources().count == ManagerStore.maxSources)
    }
}
