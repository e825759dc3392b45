import Yams

extension ScenarioDecoder {
    /// The optional `capacity:` section: where `gauntlet capacity` starts, stops, and how long each step is.
    static func decodeCapacity(_ node: Node?, _ r: YAMLReader) -> CapacitySettings? {
        guard let map = r.mapping(node, "capacity") else { return nil }
        let defaults = CapacitySettings()
        let start = r.rate(map.value("start_rate"), map.childPath("start_rate")) ?? defaults.startRate
        if start <= 0 {
            r.report(map.value("start_rate"), map.childPath("start_rate"), "expected a start rate above 0 requests per second")
        }
        let max = r.rate(map.value("max_rate"), map.childPath("max_rate")) ?? defaults.maxRate
        if max <= start {
            r.report(map.value("max_rate") ?? map.node, map.childPath("max_rate"), "expected an upper bound above the start rate (\(Quantity.trim(start))/s), got \(Quantity.trim(max))/s")
        }
        let step = r.seconds(map.value("step"), map.childPath("step")) ?? defaults.stepDuration
        let warmup = r.seconds(map.value("warmup"), map.childPath("warmup"), allowZero: true) ?? defaults.warmup
        var precision = defaults.precision
        if let value = r.ratio(map.value("precision"), map.childPath("precision")) {
            if value <= 0 || value >= 0.5 {
                r.report(map.value("precision"), map.childPath("precision"), "expected a precision between 0 and 50% (e.g. 5%), got \(value)")
            } else {
                precision = value
            }
        }
        let repeats = r.integer(map.value("repeats"), map.childPath("repeats"), min: 1, max: 20, what: "a number of repeats") ?? defaults.repeats
        var growth = defaults.growth
        if let node = map.value("growth") {
            let value = r.quantity(node, map.childPath("growth"), what: "a factor above 1, e.g. 2", parse: { Double($0) }, min: 1, minExclusive: true, max: 100)
            growth = value ?? growth
        }
        let budget = r.seconds(map.value("step_budget"), map.childPath("step_budget"))
        if let budget, budget < warmup + step {
            r.report(map.value("step_budget"), map.childPath("step_budget"), "expected a budget of at least one step's warm-up plus its duration (\(Quantity.format(seconds: warmup + step)))")
        }
        map.rejectUnknownKeys(known: CapacitySettings.keys)
        return CapacitySettings(startRate: start, maxRate: max, stepDuration: step, warmup: warmup, precision: precision, repeats: repeats, growth: growth, stepBudget: budget)
    }
}
