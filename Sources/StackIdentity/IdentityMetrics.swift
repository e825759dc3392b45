import Metrics
import StackSupport

/// The identity provider's own series at `/metrics`: logins, refreshes, failures by reason, throttled
/// requests and latency per operation. Labels come from small closed sets (never usernames or tokens).
struct IdentityMetrics: Sendable {
    let metrics: StackMetrics

    func login(flow: String) {
        Counter(label: "idp_logins_total", dimensions: [("flow", flow)], factory: metrics.factory).increment()
    }

    func refresh(flow: String) {
        Counter(label: "idp_refreshes_total", dimensions: [("flow", flow)], factory: metrics.factory).increment()
    }

    func failure(_ reason: String) {
        Counter(label: "idp_auth_failures_total", dimensions: [("reason", reason)], factory: metrics.factory).increment()
    }

    func throttled(_ endpoint: String) {
        Counter(label: "idp_throttled_total", dimensions: [("endpoint", endpoint)], factory: metrics.factory).increment()
    }

    func latency(_ operation: String, seconds: Double) {
        Timer(label: "idp_request_duration_seconds", dimensions: [("operation", operation)], factory: metrics.factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }
}
