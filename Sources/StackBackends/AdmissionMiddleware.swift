import Hummingbird
import Prometheus
import StackSupport

/// Outermost layer of a UI backend: at most `max_concurrent_requests` requests inside at once and
/// `max_queued_requests` waiting up to `queue_wait`; the rest get 503 with `Retry-After` at once, stamped with
/// who refused them. Before token verification, so that shedding is cheap when it matters.
struct AdmissionMiddleware: RouterMiddleware {
    typealias Context = BackendRequestContext
    let name: String
    let gate: AdmissionGate
    let refusedQueueFull: Counter
    let refusedTimeout: Counter

    init(name: String, gate: AdmissionGate, metrics: StackMetrics) {
        self.name = name
        self.gate = gate
        refusedQueueFull = metrics.registry.makeCounter(
            name: "backend_refused_total", labels: [("backend", name), ("reason", AdmissionGate.Refusal.queueFull.rawValue)])
        refusedTimeout = metrics.registry.makeCounter(
            name: "backend_refused_total", labels: [("backend", name), ("reason", AdmissionGate.Refusal.waitTimeout.rawValue)])
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch await gate.acquire() {
        case .admitted:
            defer { gate.release() }
            return try await next(request, context)
        case let .refused(reason):
            (reason == .queueFull ? refusedQueueFull : refusedTimeout).increment()
            var headers = HTTPFields()
            headers[.retryAfter] = "1"
            headers[.xServedBy] = name
            return APIError(.serviceUnavailable, code: "overloaded", message: "\(name) is at capacity; retry later").response(headers: headers)
        }
    }
}
