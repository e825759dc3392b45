import Prometheus
import StackSupport

/// The load balancer's own counters, as CloudWatch would show ALB's (`HTTPCode_ELB_5XX_Count`, rejected
/// requests): responses by status class, the LB's refusals by `error_reason`, cached sessions and each target
/// group's pool. Served at ``EdgeProxy/metricsPath``. Instruments are made once; a response costs one or two
/// atomic increments.
final class EdgeMetrics: Sendable {
    /// `error_reason`s that mean the LB shed or gave up on a request, each counted in `lb_refused_total`.
    static let refusalReasons = [
        EdgeProxy.capacityReason, EdgeProxy.waitTimeoutReason, "TargetResponseTimeout", "TargetConnectionTimeout", "NoHealthyTargets",
    ]

    let stack = StackMetrics()
    private let byClass: [Counter]
    private let refusals: [String: Counter]
    private let sessions: Gauge

    init() {
        let registry = stack.registry
        byClass = (1...5).map { registry.makeCounter(name: "lb_responses_total", labels: [("code", "\($0)xx")]) }
        refusals = Dictionary(uniqueKeysWithValues: Self.refusalReasons.map {
            ($0, registry.makeCounter(name: "lb_refused_total", labels: [("reason", $0)]))
        })
        sessions = registry.makeGauge(name: "lb_session_cache_entries")
    }

    func answered(_ result: EdgeResponse) {
        let index = result.status / 100 - 1
        if byClass.indices.contains(index) { byClass[index].increment() }
        if result.targetStatus == nil, let reason = result.errorReason { refusals[reason]?.increment() }
    }

    func render(sessions count: Int, gates: [String: AdmissionGate]) -> String {
        sessions.set(Double(count))
        for (group, gate) in gates {
            let snapshot = gate.snapshot
            stack.registry.makeGauge(name: "lb_target_connections_in_use", labels: [("target_group", group)]).set(Double(snapshot.active))
            stack.registry.makeGauge(name: "lb_target_requests_waiting", labels: [("target_group", group)]).set(Double(snapshot.queued))
        }
        return stack.render()
    }
}
