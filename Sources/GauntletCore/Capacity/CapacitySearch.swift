/// The capacity search as a pure state machine: feed it each step's outcome, it says what to do next.
///
/// It ramps geometrically from the start rate until a step breaks the SLO, bisects between the last
/// good rate and the first bad one down to the precision, then measures the two rates that bracket the
/// knee again until it has `repeats` brackets. The knee is the median of the brackets' estimates and its
/// spread their range. A step the generator could not offer ends the search as generator-bound: that
/// limit is this machine's, not the target's, and is never reported as a knee.
public struct CapacitySearch: Sendable {
    public enum Action: Sendable, Equatable {
        /// Run one open-loop constant-rate step at this total rate.
        case run(rate: Double)
        case finished(CapacityVerdict)
    }

    /// What one step showed, reduced to what the search decides on.
    public struct Outcome: Sendable, Equatable {
        public var rate: Double
        /// The SLO (the scenario's thresholds, and the target keeping up with the offered rate) held.
        public var held: Bool
        /// The generator could not offer the rate from this machine (its own lag or CPU, not the target).
        public var generatorBound: Bool

        public init(rate: Double, held: Bool, generatorBound: Bool = false) {
            self.rate = rate
            self.held = held
            self.generatorBound = generatorBound
        }
    }

    enum Phase: Sendable, Equatable {
        case ramp
        case bisect
        /// Re-measuring the bracket: `low` is measured first, then `high`.
        case repeatLow
        case repeatHigh(lowHeld: Bool)
        case done
    }

    public let settings: CapacitySettings
    private(set) var phase: Phase = .ramp
    private(set) var lastGood: Double?
    private(set) var firstBad: Double?
    /// The bracket fixed when the bisection converged, and one knee estimate per measurement of it.
    private(set) var bracket: (low: Double, high: Double)?
    private(set) var estimates: [Double] = []
    private var current: Double

    public init(settings: CapacitySettings) {
        self.settings = settings
        self.current = min(settings.startRate, settings.maxRate)
    }

    /// The first step.
    public mutating func start() -> Action { .run(rate: current) }

    public mutating func record(_ outcome: Outcome) -> Action {
        guard phase != .done else { return .finished(.failed(reason: "the search had already finished", lastGood: lastGood)) }
        if outcome.generatorBound {
            phase = .done
            // A step the generator could not offer proves nothing about the target, held or not.
            return .finished(.generatorBound(atLeast: lastGood ?? 0, offered: outcome.rate))
        }
        switch phase {
        case .ramp:
            if outcome.held {
                lastGood = outcome.rate
                if outcome.rate >= settings.maxRate {
                    phase = .done
                    return .finished(.aboveMaximum(rate: outcome.rate))
                }
                return next(min(outcome.rate * settings.growth, settings.maxRate))
            }
            firstBad = outcome.rate
            guard lastGood != nil else {
                phase = .done
                return .finished(.sloFailsAtStart(rate: outcome.rate))
            }
            phase = .bisect
            return bisectOrRepeat()
        case .bisect:
            if outcome.held { lastGood = outcome.rate } else { firstBad = outcome.rate }
            return bisectOrRepeat()
        case .repeatLow:
            phase = .repeatHigh(lowHeld: outcome.held)
            return next(bracket!.high)
        case .repeatHigh(let lowHeld):
            estimates.append(Self.estimate(low: bracket!.low, high: bracket!.high, lowHeld: lowHeld, highHeld: outcome.held))
            return repeatOrFinish()
        case .done:
            return .finished(.failed(reason: "the search had already finished", lastGood: lastGood))
        }
    }

    private mutating func next(_ rate: Double) -> Action {
        current = rate
        return .run(rate: rate)
    }

    private mutating func bisectOrRepeat() -> Action {
        let low = lastGood!, high = firstBad!
        if (high - low) / low > settings.precision {
            // The geometric midpoint: the ramp is geometric, and rates spread over orders of magnitude.
            return next((low * high).squareRoot())
        }
        bracket = (low, high)
        estimates = [Self.estimate(low: low, high: high, lowHeld: true, highHeld: false)]
        return repeatOrFinish()
    }

    private mutating func repeatOrFinish() -> Action {
        if estimates.count < settings.repeats {
            phase = .repeatLow
            return next(bracket!.low)
        }
        phase = .done
        return .finished(.knee(CapacityKnee(estimates: estimates, low: bracket!.low, high: bracket!.high)))
    }

    /// One measurement of the bracket as a knee estimate: between the two when the low rate held and
    /// the high one broke; a bracket's width above it when both held; a bracket's width below when
    /// neither did.
    static func estimate(low: Double, high: Double, lowHeld: Bool, highHeld: Bool) -> Double {
        let middle = (low * high).squareRoot()
        switch (lowHeld, highHeld) {
        case (true, false): return middle
        case (true, true): return high * (high / middle)
        case (false, _): return low * (middle / high)
        }
    }
}

/// How a capacity search ended.
public enum CapacityVerdict: Sendable, Equatable {
    /// The knee: the median of the repeated brackets' estimates, with their spread.
    case knee(CapacityKnee)
    /// The SLO held at the search's upper bound: capacity is at least that.
    case aboveMaximum(rate: Double)
    /// The generator could not offer `offered` from this machine; the target served at least `atLeast`.
    case generatorBound(atLeast: Double, offered: Double)
    /// The very first step broke the SLO: there is no capacity at the start rate to speak of.
    case sloFailsAtStart(rate: Double)
    /// The run itself failed (the target died, a step overran its budget); what was learned is kept.
    case failed(reason: String, lastGood: Double?)
}

/// The knee of a capacity search.
public struct CapacityKnee: Sendable, Equatable, Codable {
    /// Median of `estimates`, requests per second.
    public var rate: Double
    /// max − min of `estimates`: the noise the repeats measured.
    public var spread: Double
    public var estimates: [Double]
    /// The final bracket: the last rate that held and the first that broke, as bisected.
    public var low: Double
    public var high: Double

    public init(estimates: [Double], low: Double, high: Double) {
        let sorted = estimates.sorted()
        let n = sorted.count
        self.rate = n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        self.spread = (sorted.last ?? 0) - (sorted.first ?? 0)
        self.estimates = estimates
        self.low = low
        self.high = high
    }
}
