/// Turns a scenario into the steps of a capacity search: the same request mix, users, HTTP settings and
/// thresholds, with every type's schedule replaced by an open-loop constant rate in the mix's proportions.
public struct CapacityPlan: Sendable, Equatable {
    public var scenario: Scenario
    public var settings: CapacitySettings
    /// Each request type's share of the total rate (they add up to 1).
    public var mix: [RequestType: Double]

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case closedLoop(RequestType)
        case noRate

        public var description: String {
            switch self {
            case .closedLoop(let type):
                "requests.\(type.rawValue) has a closed-loop `max` schedule; a capacity search offers open-loop rates, so give it a rate (its share of the mix)"
            case .noRate:
                "every request type's rate is 0, so the scenario fixes no mix; give the types rates in the proportions to search with"
            }
        }
    }

    public init(scenario: Scenario) throws(Problem) {
        self.scenario = scenario
        self.settings = scenario.capacity ?? CapacitySettings()
        var rates: [RequestType: Double] = [:]
        for type in scenario.requestTypes {
            guard let schedule = scenario.schedule(for: type) else { continue }
            guard let rate = Self.meanRate(schedule, runDuration: scenario.duration) else { throw .closedLoop(type) }
            rates[type] = rate
        }
        let total = rates.values.reduce(0, +)
        guard total > 0 else { throw .noRate }
        mix = rates.filter { $0.value > 0 }.mapValues { $0 / total }
    }

    /// The schedule's mean rate over the run; nil for a closed loop.
    static func meanRate(_ schedule: ArrivalSchedule, runDuration: Double) -> Double? {
        guard schedule.isOpenLoop else { return nil }
        let segments = schedule.segments(runDuration: Swift.max(runDuration, 1))
        let length = segments.reduce(0) { $0 + ($1.end - $1.start) }
        guard length > 0 else { return 0 }
        return segments.reduce(0) { $0 + ($1.end - $1.start) * ($1.startRate + $1.endRate) / 2 } / length
    }

    /// The scenario of one step: `rate` requests per second in total, warm-up (discarded) then the step.
    public func step(rate: Double) -> Scenario {
        var step = scenario
        step.phases = []
        if settings.warmup > 0 { step.phases.append(Phase(name: "warmup", duration: settings.warmup, warmup: true)) }
        step.phases.append(Phase(name: "step", duration: settings.stepDuration))
        func schedule(_ type: RequestType) -> ArrivalSchedule { .constant(rate: rate * (mix[type] ?? 0)) }
        step.upload?.schedule = schedule(.upload)
        step.ui?.schedule = schedule(.ui)
        step.api?.schedule = schedule(.api)
        step.httpRequests?.schedule = schedule(.http)
        return step
    }

    /// The mix as capacity.json writes it.
    public var mixByName: [String: Double] {
        Dictionary(uniqueKeysWithValues: mix.map { ($0.key.rawValue, $0.value) })
    }
}
