/// How `gauntlet capacity` searches: the scenario's optional `capacity:` section.
///
/// The scenario's request mix fixes the proportions of the request types and its thresholds are the SLO;
/// these settings only say where the search starts, where it stops, and how long each step lasts.
public struct CapacitySettings: Sendable, Equatable, Codable {
    /// Total requests per second (all types together) of the first step.
    public var startRate: Double
    /// The search never offers more than this; reaching it with the SLO held is reported as "≥ max".
    public var maxRate: Double
    /// Measured seconds of each step (its warm-up comes before and is discarded).
    public var stepDuration: Double
    /// Seconds of each step discarded before measuring: connections open, sessions settle, queues fill.
    public var warmup: Double
    /// The bisection stops when the bracket around the knee is narrower than this fraction.
    public var precision: Double
    /// How many times the steps that bracket the knee are measured (the first bracket counts as one).
    public var repeats: Int
    /// The geometric factor of the ramp before the SLO first breaks.
    public var growth: Double
    /// A step that takes longer than this many seconds (warm-up included, plus this slack) ends the search.
    public var stepBudget: Double

    public init(
        startRate: Double = 10, maxRate: Double = 10_000, stepDuration: Double = 10, warmup: Double = 3,
        precision: Double = 0.05, repeats: Int = 3, growth: Double = 2, stepBudget: Double? = nil
    ) {
        self.startRate = startRate
        self.maxRate = maxRate
        self.stepDuration = stepDuration
        self.warmup = warmup
        self.precision = precision
        self.repeats = repeats
        self.growth = growth
        self.stepBudget = stepBudget ?? (warmup + stepDuration) * 2 + 10
    }

    /// The keys of the `capacity:` section, for the decoder's unknown-key check.
    static let keys = ["start_rate", "max_rate", "step", "warmup", "precision", "repeats", "growth", "step_budget"]
}
