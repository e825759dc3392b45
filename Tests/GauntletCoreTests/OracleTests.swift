import Testing
@testable import GauntletCore

@Suite struct OracleTests {
    let oracle = RoutingOracle()
    let login = "https://auth.example.logs.gauntlet.test/oauth2/authorize?client_id=x&state=y"

    struct Row: Sendable, CustomStringConvertible {
        var type: RequestType
        var path: String
        var role: Role?
        var status: Int
        var servedBy: String?
        var location: String?
        var verdict: OracleVerdict
        var description: String { "\(type) \(path) as \(role?.rawValue ?? "anonymous") → \(status) \(servedBy ?? "-")" }
    }

    static let loginURL = "https://auth.example.logs.gauntlet.test/oauth2/authorize?client_id=x"

    // Issue 4's matrix, cell by cell, plus each way a cell can be broken.
    static let rows: [Row] = [
        // browser GET /
        Row(type: .ui, path: "/", role: nil, status: 302, location: loginURL, verdict: .pass),
        Row(type: .ui, path: "/", role: .managers, status: 200, servedBy: "manager-ui", verdict: .pass),
        Row(type: .ui, path: "/", role: .analysts, status: 200, servedBy: "analytics-ui", verdict: .pass),
        Row(type: .ui, path: "/", role: .analysts, status: 200, servedBy: "manager-ui", verdict: .misroute(.wrongBackend)),
        Row(type: .ui, path: "/", role: nil, status: 200, servedBy: "manager-ui", verdict: .misroute(.unauthenticatedServed)),
        // browser /manager/…
        Row(type: .ui, path: "/manager/users", role: nil, status: 302, location: loginURL, verdict: .pass),
        Row(type: .ui, path: "/manager/users", role: .managers, status: 200, servedBy: "manager-ui", verdict: .pass),
        Row(type: .ui, path: "/manager/users", role: .analysts, status: 403, verdict: .pass),
        Row(type: .ui, path: "/manager/users", role: .analysts, status: 200, servedBy: "manager-ui", verdict: .misroute(.wrongRoleServed)),
        Row(type: .ui, path: "/manager/users", role: .managers, status: 403, verdict: .misroute(.authorizedDenied)),
        Row(type: .ui, path: "/manager/users?x=1", role: nil, status: 302, location: "https://evil.test/", verdict: .misroute(.badRedirect)),
        // browser /analytics/…
        Row(type: .ui, path: "/analytics/search", role: nil, status: 302, location: loginURL, verdict: .pass),
        Row(type: .ui, path: "/analytics/search", role: .managers, status: 200, servedBy: "analytics-ui", verdict: .pass),
        Row(type: .ui, path: "/analytics/search", role: .analysts, status: 200, servedBy: "analytics-ui", verdict: .pass),
        Row(type: .ui, path: "/analytics/search", role: .analysts, status: 200, servedBy: nil, verdict: .misroute(.unmarked)),
        Row(type: .ui, path: "/analytics/search", role: nil, status: 401, verdict: .misroute(.wrongDenial)),
        // API /manager/api/…
        Row(type: .api, path: "/manager/api/users", role: nil, status: 401, verdict: .pass),
        Row(type: .api, path: "/manager/api/users", role: .managers, status: 200, servedBy: "manager-ui", verdict: .pass),
        Row(type: .api, path: "/manager/api/users", role: .analysts, status: 403, verdict: .pass),
        Row(type: .api, path: "/manager/api/users", role: nil, status: 302, location: loginURL, verdict: .misroute(.wrongDenial)),
        Row(type: .api, path: "/manager/api/users", role: .analysts, status: 200, servedBy: "analytics-ui", verdict: .misroute(.wrongRoleServed)),
        Row(type: .api, path: "/manager/api/users", role: .managers, status: 200, servedBy: "analytics-ui", verdict: .misroute(.wrongBackend)),
        // API /analytics/api/…
        Row(type: .api, path: "/analytics/api/search?q=a", role: nil, status: 401, verdict: .pass),
        Row(type: .api, path: "/analytics/api/search", role: .managers, status: 200, servedBy: "analytics-ui", verdict: .pass),
        Row(type: .api, path: "/analytics/api/search", role: .analysts, status: 200, servedBy: "analytics-ui", verdict: .pass),
        Row(type: .api, path: "/analytics/api/search", role: nil, status: 200, servedBy: "analytics-ui", verdict: .misroute(.unauthenticatedServed)),
        Row(type: .api, path: "/analytics/api/search", role: .analysts, status: 502, verdict: .failure(.status5xx)),
        Row(type: .api, path: "/analytics/api/nope", role: .analysts, status: 404, servedBy: "analytics-ui", verdict: .failure(.status4xx)),
    ]

    @Test(arguments: rows)
    func matrix(_ row: Row) {
        let request = OracleRequest(type: row.type, path: row.path, role: row.role)
        let response = OracleResponse(status: row.status, servedBy: row.servedBy, location: row.location)
        #expect(oracle.classify(request, response) == row.verdict, "\(row)")
    }

    @Test func uploads() {
        let valid = OracleRequest(type: .upload, method: "POST", path: "/v1/events", credentialValid: true)
        let bad = OracleRequest(type: .upload, method: "POST", path: "/v1/events", credentialValid: false)
        #expect(oracle.classify(valid, OracleResponse(status: 202)) == .pass)
        #expect(oracle.classify(valid, OracleResponse(status: 429)) == .rejected(.throttled))
        #expect(oracle.classify(valid, OracleResponse(status: 413)) == .rejected(.tooLarge))
        #expect(oracle.classify(valid, OracleResponse(status: 403)) == .misroute(.validCredentialRefused))
        #expect(oracle.classify(valid, OracleResponse(status: 500)) == .failure(.status5xx))
        #expect(oracle.classify(bad, OracleResponse(status: 403)) == .pass)
        #expect(oracle.classify(bad, OracleResponse(status: 202)) == .misroute(.badCredentialAccepted))
    }

    @Test func genericRequestsCompareTheExpectedStatus() {
        let request = OracleRequest(type: .http, path: "/", expectStatus: 204)
        #expect(oracle.classify(request, OracleResponse(status: 204)) == .pass)
        #expect(oracle.classify(request, OracleResponse(status: 200)) == .failure(.status4xx))
        #expect(oracle.classify(request, OracleResponse(status: 503)) == .failure(.status5xx))
    }

    @Test func expectationsNameTheBackend() {
        #expect(oracle.expectation(for: OracleRequest(type: .ui, path: "/", role: .managers)) == .servedBy("manager-ui"))
        #expect(oracle.expectation(for: OracleRequest(type: .ui, path: "/managerial", role: .analysts)) == .anySuccess)
        #expect(oracle.expectation(for: OracleRequest(type: .api, path: "/manager/api", role: .analysts)) == .forbidden)
    }
}
