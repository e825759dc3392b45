import StackSupport

/// Deliberate misbehaviour, so the harness can prove it notices: misrouting, stalls, 5xx and a slower target.
public struct FaultConfig: Sendable, Hashable, Codable {
    /// Fraction (0…1) of forwarded requests sent to a different target group than the rule chose.
    public var misrouteFraction: Double
    /// Fraction (0…1) of forwarded requests answered with `errorStatus` instead of reaching the target.
    public var errorFraction: Double
    public var errorStatus: Int
    /// Targets stall for `stallMs` at the start of every `stallEveryMs` window (0 disables).
    public var stallMs: Int
    public var stallEveryMs: Int
    /// The target group whose answers are held back (empty: none), by `delayFraction` of the time the
    /// LB took to answer (its auth plus the target) plus `delayMs`: a slower build of one component as its
    /// clients see it, for `compare` to catch.
    public var delayGroup: String
    public var delayFraction: Double
    public var delayMs: Double

    public init(
        misrouteFraction: Double = 0, errorFraction: Double = 0, errorStatus: Int = 502, stallMs: Int = 0, stallEveryMs: Int = 5000,
        delayGroup: String = "", delayFraction: Double = 0, delayMs: Double = 0
    ) {
        self.misrouteFraction = misrouteFraction
        self.errorFraction = errorFraction
        self.errorStatus = errorStatus
        self.stallMs = stallMs
        self.stallEveryMs = stallEveryMs
        self.delayGroup = delayGroup
        self.delayFraction = delayFraction
        self.delayMs = delayMs
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case misrouteFraction = "misroute_fraction", errorFraction = "error_fraction", errorStatus = "error_status"
        case stallMs = "stall_ms", stallEveryMs = "stall_every_ms"
        case delayGroup = "delay_group", delayFraction = "delay_fraction", delayMs = "delay_ms"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FaultConfig()
        self.init(
            misrouteFraction: try c.decodeIfPresent(Double.self, forKey: .misrouteFraction) ?? d.misrouteFraction,
            errorFraction: try c.decodeIfPresent(Double.self, forKey: .errorFraction) ?? d.errorFraction,
            errorStatus: try c.decodeIfPresent(Int.self, forKey: .errorStatus) ?? d.errorStatus,
            stallMs: try c.decodeIfPresent(Int.self, forKey: .stallMs) ?? d.stallMs,
            stallEveryMs: try c.decodeIfPresent(Int.self, forKey: .stallEveryMs) ?? d.stallEveryMs,
            delayGroup: try c.decodeIfPresent(String.self, forKey: .delayGroup) ?? d.delayGroup,
            delayFraction: try c.decodeIfPresent(Double.self, forKey: .delayFraction) ?? d.delayFraction,
            delayMs: try c.decodeIfPresent(Double.self, forKey: .delayMs) ?? d.delayMs)
    }

    public var isActive: Bool { misrouteFraction > 0 || errorFraction > 0 || stallMs > 0 }
    public var delays: Bool { !delayGroup.isEmpty && (delayFraction > 0 || delayMs > 0) }

    func validate() throws(EdgeConfigError) {
        for (field, value) in [("misroute_fraction", misrouteFraction), ("error_fraction", errorFraction)] where !(0...1).contains(value) {
            throw .invalidValue(field: "faults.\(field)", value: "\(value)", expected: "a fraction between 0 and 1")
        }
        guard (500...599).contains(errorStatus) else {
            throw .invalidValue(field: "faults.error_status", value: "\(errorStatus)", expected: "a 5xx status")
        }
        guard stallMs >= 0, stallEveryMs > 0, stallMs < stallEveryMs else {
            throw .invalidValue(field: "faults.stall_ms", value: "\(stallMs) every \(stallEveryMs)", expected: "0 ≤ stall_ms < stall_every_ms")
        }
        guard delayFraction >= 0, delayFraction <= 10, delayMs >= 0, delayMs <= 60_000 else {
            throw .invalidValue(field: "faults.delay_fraction", value: "\(delayFraction), \(delayMs) ms", expected: "a fraction 0…10 of the target's time and 0…60000 ms")
        }
    }
}

/// Decides, per forwarded request, which fault (if any) applies. Randomness and time are injected so tests
/// can pin the outcome.
public struct FaultInjector: Sendable {
    public enum Effect: Sendable, Hashable {
        case none
        case misroute(to: String)
        case fail(status: Int)
        case stall(milliseconds: Int)
    }

    public let config: FaultConfig

    public init(config: FaultConfig) { self.config = config }

    /// - Parameters:
    ///   - roll: a uniform draw in [0, 1) for this request.
    ///   - elapsedMs: milliseconds since the LB started.
    public func effect(chosenGroup: String, allGroups: [String], roll: Double, elapsedMs: Int) -> Effect {
        guard config.isActive else { return .none }
        if roll < config.errorFraction { return .fail(status: config.errorStatus) }
        if roll < config.errorFraction + config.misrouteFraction {
            let others = allGroups.filter { $0 != chosenGroup }.sorted()
            if let other = others.first { return .misroute(to: other) }
        }
        if config.stallMs > 0 {
            let phase = elapsedMs % config.stallEveryMs
            if phase < config.stallMs { return .stall(milliseconds: config.stallMs - phase) }
        }
        return .none
    }

    /// How long to hold back an answer from `group` that was ready `answerSeconds` after the LB received
    /// the request: the configured fraction of that time plus the fixed part, so `add: 10%` makes the
    /// answers of that component 10% later at the LB whatever the machine's speed. A fraction of the
    /// target's own time alone would be lost in the LB's auth time: a backend answering in 1 ms behind
    /// a 5 ms LB, 10% slower, is 2% slower to every client, and no gate should be judged on that.
    public func delay(group: String, answerSeconds: Double) -> Double {
        guard config.delays, group == config.delayGroup else { return 0 }
        return config.delayFraction * max(0, answerSeconds) + config.delayMs / 1000
    }
}
