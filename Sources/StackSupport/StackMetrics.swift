import Metrics
import Prometheus

/// One component's own metrics registry, rendered as Prometheus text at its `/metrics`.
///
/// Each component gets its own registry (rather than bootstrapping the process-wide `MetricsSystem`) so
/// that several stacks can run in one test process and each `/metrics` shows only its component's series.
/// Create swift-metrics instruments with `factory`: `Counter(label: "logins_total", factory: metrics.factory)`.
public struct StackMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: any MetricsFactory

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
    }

    /// The Prometheus text exposition (content type `text/plain; version=0.0.4`).
    public func render() -> String { registry.emitToString() }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
