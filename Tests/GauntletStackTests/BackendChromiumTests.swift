import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StackBackends
import Testing

/// Stands in for the load balancer in front of a live backend: signs fresh headers onto every
/// request, as ALB does after authenticating, so a browser can load the pages directly.
struct TestLoadBalancerMiddleware: RouterMiddleware {
    typealias Context = BackendRequestContext
    let keys: BackendTestKeys

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var head = request.head
        let soon = Date().addingTimeInterval(300)
        for field in keys.headers(data: keys.oidcData(exp: soon), accessToken: keys.accessToken(exp: soon)) {
            head.headerFields[field.name] = field.value
        }
        return try await next(Request(head: head, body: request.body), context)
    }
}

/// Renders the pages in Debian's headless Chromium and checks that the data their scripts fetch
/// from the API ends up in the DOM, which no server-side test can show.
@Suite(
    "Backend pages in headless Chromium",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")),
    .serialized,
    .timeLimit(.minutes(2))
)
struct BackendChromiumTests {
    let keys = BackendTestKeys.shared

    func trust() throws -> BackendTrust {
        var trust = try keys.trust()
        trust.leeway = 0
        return trust
    }

    /// Runs chromium headless on `url`; returns the DOM after scripts ran and writes a screenshot.
    ///
    /// Chromium is awaited through its termination handler, never by blocking a thread: the backend
    /// under test runs on the same cooperative pool and must keep answering the page's fetches.
    static func render(_ url: String, screenshot: String) async throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let domFile = scratch.appendingPathComponent("dom.html")
        func run(_ extra: [String], stdout: URL?) async throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
            process.arguments = [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-crash-reporter", "--disable-breakpad",
                "--user-data-dir=\(scratch.appendingPathComponent("profile").path)", "--virtual-time-budget=8000",
                "--window-size=1200,800",
            ] + extra + [url]
            if let stdout {
                FileManager.default.createFile(atPath: stdout.path, contents: nil)
                process.standardOutput = try FileHandle(forWritingTo: stdout)
            } else {
                process.standardOutput = FileHandle.nullDevice
            }
            process.standardError = FileHandle.nullDevice
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                process.terminationHandler = { _ in continuation.resume() }
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                // A watchdog, so a wedged browser fails the test instead of hanging it.
                DispatchQueue.global().asyncAfter(deadline: .now() + 45) {
                    if process.isRunning { process.terminate() }
                }
            }
        }
        try await run(["--screenshot=\(screenshot)"], stdout: nil)
        try await run(["--dump-dom"], stdout: domFile)
        return String(decoding: try Data(contentsOf: domFile), as: UTF8.self)
    }

    @Test func managerUsersPageShowsUsersFromTheAPI() async throws {
        let store = ManagerStore(users: [
            DirectoryUser(username: "alice", email: "alice@example.test", groups: ["managers"]),
            DirectoryUser(username: "bob", email: "bob@example.test", groups: ["analysts"]),
        ])
        let router = Router(context: BackendRequestContext.self)
        router.add(middleware: TestLoadBalancerMiddleware(keys: keys))
        ManagerUI.addRoutes(to: router, config: BackendsConfig(), trust: try trust(), store: store)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let shot = FileManager.default.temporaryDirectory.appendingPathComponent("manager-users-\(port).png").path
            defer { try? FileManager.default.removeItem(atPath: shot) }
            let dom = try await Self.render("http://127.0.0.1:\(port)/manager/users", screenshot: shot)
            #expect(dom.contains("data-served-by=\"manager-ui\""))
            #expect(dom.contains("data-username=\"alice\""), "rows are built from /manager/api/users")
            #expect(dom.contains("data-username=\"bob\""))
            #expect(dom.contains("2 users."))
            let png = try #require(FileManager.default.contents(atPath: shot))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 5_000)
            if let keep = ProcessInfo.processInfo.environment["GAUNTLET_KEEP_SCREENSHOTS"] {
                try? png.write(to: URL(fileURLWithPath: keep).appendingPathComponent("manager-users.png"))
            }
        }
    }

    @Test func analyticsPageDrawsTheChartFromCounts() async throws {
        let now = Date()
        let events = (0..<12).map {
            AnalyticsEvent(id: "e\($0)", time: now.addingTimeInterval(Double(-$0 * 1800)), event: .object(["msg": .string("event \($0)")]))
        }
        let router = Router(context: BackendRequestContext.self)
        router.add(middleware: TestLoadBalancerMiddleware(keys: keys))
        AnalyticsUI.addRoutes(to: router, config: BackendsConfig(), trust: try trust(), events: InMemoryEventSource(events: events))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let shot = FileManager.default.temporaryDirectory.appendingPathComponent("analytics-\(port).png").path
            defer { try? FileManager.default.removeItem(atPath: shot) }
            let dom = try await Self.render("http://127.0.0.1:\(port)/analytics/", screenshot: shot)
            #expect(dom.contains("data-served-by=\"analytics-ui\""))
            #expect(dom.contains("data-total=\"12\""), "the chart is drawn from /analytics/api/counts")
            #expect(dom.components(separatedBy: "<rect").count - 1 == 24, "one bar per hour over 24 hours")
            #expect(dom.contains("data-id=\"e0\""), "events come from /analytics/api/search")
            if let keep = ProcessInfo.processInfo.environment["GAUNTLET_KEEP_SCREENSHOTS"],
               let png = FileManager.default.contents(atPath: shot) {
                try? png.write(to: URL(fileURLWithPath: keep).appendingPathComponent("analytics.png"))
            }
        }
    }
}
