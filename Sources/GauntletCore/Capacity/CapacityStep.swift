/// One step of a capacity search: the rate offered, what came back, and the run's full summary.
public struct CapacityStep: Sendable, Equatable, Codable {
    /// 1-based, in the order the steps ran.
    public var index: Int
    /// Total requests per second offered (all request types, in the scenario's proportions).
    public var rate: Double
    /// Completed requests per second over the measured part of the step.
    public var achievedRate: Double
    /// The SLO held at this rate (every threshold, and the target kept up with the offered rate).
    public var held: Bool
    /// Why it did not hold: the failed thresholds, or the target falling behind the offered rate.
    public var breaches: [String]
    public var generator: GeneratorHealth
    public var hops: [CapacityHop]
    public var signals: ComponentSignals
    /// Mean requests in flight over the step (Little's law: achieved rate × mean latency).
    public var concurrency: Double
    /// Wall-clock seconds the step took, warm-up included.
    public var seconds: Double
    public var summary: RunSummary

    public init(
        index: Int, rate: Double, achievedRate: Double, held: Bool, breaches: [String], generator: GeneratorHealth,
        hops: [CapacityHop], signals: ComponentSignals, concurrency: Double, seconds: Double, summary: RunSummary
    ) {
        self.index = index
        self.rate = rate
        self.achievedRate = achievedRate
        self.held = held
        self.breaches = breaches
        self.generator = generator
        self.hops = hops
        self.signals = signals
        self.concurrency = concurrency
        self.seconds = seconds
        self.summary = summary
    }

    /// Judges a finished step: the thresholds are the SLO, and a target that serves (answers correctly)
    /// less than `1 − precision` of the offered rate has not served it, whatever its latency says.
    public static func judge(index: Int, rate: Double, summary: RunSummary, generator: GeneratorHealth, precision: Double, seconds: Double) -> CapacityStep {
        var breaches = summary.thresholds.filter { !$0.passed }.map(\.message)
        let achieved = summary.all.achievedRate
        let intended = summary.all.intendedRate ?? rate
        // Served: answered as the oracle expects (or refused for an allowed reason), not merely completed.
        let answered = summary.all.ok + summary.all.rejected
        let served = summary.all.count > 0 ? achieved * Double(answered) / Double(summary.all.count) : 0
        if served < intended * (1 - precision) {
            breaches.append("the target served \(Quantity.trim(served.rounded())) of \(Quantity.trim(intended.rounded())) req/s offered")
        }
        let meanLatency = summary.all.latency?.mean ?? 0
        return CapacityStep(
            index: index, rate: rate, achievedRate: achieved, held: breaches.isEmpty, breaches: breaches, generator: generator,
            hops: CapacityHop.hops(of: summary), signals: ComponentSignals.signals(of: summary),
            concurrency: achieved * meanLatency, seconds: seconds, summary: summary)
    }

    public var outcome: CapacitySearch.Outcome {
        CapacitySearch.Outcome(rate: rate, held: held, generatorBound: generator.bound)
    }

    public func hop(_ name: String) -> CapacityHop? { hops.first { $0.hop == name } }
}

/// The generator's own health in a step, kept apart from the target's backpressure.
public struct GeneratorHealth: Sendable, Equatable, Codable {
    /// The busiest load-generator thread's CPU, as a fraction of one core over the step.
    public var workerCpu: Double
    /// The largest share of the step a worker thread waited for a core (nil: not measured).
    public var runQueueWait: Double?
    /// CPU cores of this machine.
    public var cores: Int
    /// Generator lag p99: due with a connection free, yet sent late (schema 1 summaries: the whole schedule lag).
    public var lagP99: Double?
    public var fellBehind: Bool
    /// The generator could not offer the rate: it fell behind *and* a worker thread was saturated or
    /// starved of CPU (`GeneratorCPU.starved`).
    public var bound: Bool

    public init(workerCpu: Double, runQueueWait: Double? = nil, cores: Int, lagP99: Double?, fellBehind: Bool, bound: Bool) {
        self.workerCpu = workerCpu
        self.runQueueWait = runQueueWait
        self.cores = cores
        self.lagP99 = lagP99
        self.fellBehind = fellBehind
        self.bound = bound
    }

    /// A worker thread this busy has no room left to send on time.
    public static let saturatedCPU = 0.85

    /// The one place that decides whether the generator, rather than the target, limited a step.
    ///
    /// Since schema 2 the driver splits schedule lag into the target's backpressure (connection wait) and
    /// the generator's own lateness, and its lag figure here is the latter. Its `fellBehind` also covers a
    /// delivery shortfall, which an overloaded target causes as well, so lag counts against the generator
    /// only when a worker thread was saturated or starved too (measured: without that rule a 50 req/s
    /// target that held every connection was reported generator-bound at 10 req/s). The worker figures
    /// are the kernel's, from the step's summary.
    public static func assess(summary: RunSummary, cores: Int) -> GeneratorHealth {
        let lag = summary.scheduleLag
        let split = lag.generatorLag != nil
        let workerCpu = lag.generatorCPU?.busiest ?? 0
        let starved = lag.generatorCPU?.starved ?? false
        let bound = lag.fellBehind && (workerCpu >= saturatedCPU || starved)
        return GeneratorHealth(
            workerCpu: workerCpu, runQueueWait: lag.generatorCPU?.runQueueWait, cores: cores, lagP99: split ? lag.generatorLag?.p99 : lag.lag?.p99, fellBehind: lag.fellBehind, bound: bound)
    }
}
