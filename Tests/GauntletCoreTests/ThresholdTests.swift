import Testing
@testable import GauntletCore

@Suite("Thresholds and the metric catalog")
struct ThresholdTests {
    @Test("the issue's examples parse to base units", arguments: [
        ("latency.ui.p99 < 250ms", "latency.ui.p99", Threshold.Comparison.lessThan, 0.25),
        ("routing.misroutes == 0", "routing.misroutes", .equal, 0),
        ("upload.events_per_second >= 50000", "upload.events_per_second", .greaterOrEqual, 50000),
        ("auth.login.p95 < 400ms", "auth.login.p95", .lessThan, 0.4),
        ("errors.rate < 0.1%", "errors.rate", .lessThan, 0.001),
        ("latency.api.p99.9<=1.5s", "latency.api.p99.9", .lessOrEqual, 1.5),
        ("schedule.lag.max != 1m", "schedule.lag.max", .notEqual, 60),
    ])
    func parses(text: String, metric: String, comparison: Threshold.Comparison, limit: Double) throws {
        let threshold = try Threshold.parse(text)
        #expect(threshold.metric == metric)
        #expect(threshold.comparison == comparison)
        #expect(abs(threshold.limit - limit) < 1e-12)
    }

    @Test("errors point at the offending part")
    func errors() {
        func failure(_ text: String) -> Threshold.ParseError? {
            do { _ = try Threshold.parse(text); return nil } catch { return error }
        }
        #expect(failure("latncy.ui.p99 < 1s")?.message.contains("did you mean \"latency.ui.p99\"") == true)
        #expect(failure("latency.ui.p99 ~ 1s")?.offset == 15)
        #expect(failure("latency.ui.p99 < 250")?.message.contains("duration with a unit") == true)
        #expect(failure("errors.rate < 150%")?.message.contains("fraction") == true)
        #expect(failure("routing.misroutes == 0.5")?.message.contains("whole number") == true)
        #expect(failure("routing.misroutes ==")?.message.contains("expected a value") == true)
        #expect(failure("")?.offset == 0)
    }

    @Test("verdicts: holds, fails, and no samples fails")
    func verdicts() throws {
        let thresholds = try ["latency.ui.p99 < 250ms", "routing.misroutes == 0", "errors.rate < 1%"].map(Threshold.parse)
        let measured: [String: Double] = ["latency.ui.p99": 0.187, "routing.misroutes": 3]
        let verdicts = thresholds.evaluate { measured[$0] }
        #expect(verdicts.map(\.passed) == [true, false, false])
        #expect(verdicts[0].summary == "latency.ui.p99 < 250ms: measured 187ms — ok")
        #expect(verdicts[2].summary.contains("no samples"))
    }

    @Test("every catalogued name has a kind, and near misses do not")
    func catalog() {
        for name in MetricCatalog.allNames { #expect(MetricCatalog.kind(of: name) != nil, "\(name)") }
        for bad in ["latency.ui", "latency.web.p99", "auth.login.p42", "errors.ui.sum", "upload.freshness", "routing"] {
            #expect(MetricCatalog.kind(of: bad) == nil, "\(bad)")
        }
    }
}
