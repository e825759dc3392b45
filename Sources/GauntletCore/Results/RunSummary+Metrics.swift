extension RunSummary {
    /// The measured value of a `MetricCatalog` metric name (`latency.ui.p99`, `routing.misroutes`,
    /// `upload.events_per_second` …) in its base unit, or nil when the run has no value for it.
    public func value(of metric: String) -> Double? {
        let parts = metric.split(separator: ".", maxSplits: 2).map(String.init)
        guard let head = parts.first else { return nil }
        func scope(_ name: String) -> RequestStats? {
            name == "all" ? all : RequestType(rawValue: name).flatMap { stats(for: $0)?.total }
        }
        switch head {
        case "latency", "service_time":
            guard parts.count == 3, let stats = scope(parts[1]) else { return nil }
            return (head == "latency" ? stats.latency : stats.serviceTime)?.value(of: parts[2])
        case "auth":
            guard parts.count == 3 else { return nil }
            return auth.latency(of: parts[1])?.value(of: parts[2])
        case "schedule":
            guard parts.count == 3, parts[1] == "lag" else { return nil }
            return scheduleLag.lag?.value(of: parts[2])
        case "routing":
            guard parts.count == 2 else { return nil }
            switch parts[1] {
            case "misroutes": return Double(misroutes.total)
            case "misroute_rate": return misroutes.rate
            default: return nil
            }
        case "errors":
            if parts.count == 2 {
                switch parts[1] {
                case "rate": return all.errorRate
                case "count": return Double(all.failed)
                default: return nil
                }
            }
            guard parts.count == 3, let stats = scope(parts[1]) else { return nil }
            switch parts[2] {
            case "rate": return stats.errorRate
            case "count": return Double(stats.failed)
            default: return nil
            }
        case "requests":
            guard parts.count == 3, let stats = scope(parts[1]) else { return nil }
            switch parts[2] {
            case "count": return Double(stats.count)
            case "rate": return stats.achievedRate
            default: return nil
            }
        case "upload":
            guard let upload else { return nil }
            if parts.count == 2 {
                switch parts[1] {
                case "events_per_second": return upload.eventsPerSecond
                case "mb_per_second": return upload.mbPerSecond
                case "events": return Double(upload.events)
                case "rejected": return Double(upload.rejectedTotal)
                default: return nil
                }
            }
            guard parts.count == 3, parts[1] == "freshness" else { return nil }
            return upload.freshness?.value(of: parts[2])
        default:
            return nil
        }
    }

    /// Evaluates thresholds against this summary (core's `Threshold.evaluate`) and stores the verdicts.
    public mutating func evaluate(_ thresholds: [Threshold]) {
        self.thresholds = thresholds.evaluate { value(of: $0) }.map(ThresholdResult.init)
    }

    /// True when every threshold held (no thresholds: true).
    public var thresholdsPassed: Bool { thresholds.allSatisfy(\.passed) }
}
