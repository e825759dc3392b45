import Foundation

/// What `gauntlet capacity` found, as written to `capacity.json` (schema version 1; snake_case keys;
/// rates per second, durations in seconds). `compare` and the capacity report read it back.
public struct CapacityResult: Sendable, Equatable, Codable {
    public static let currentSchemaVersion = 1

    public enum Outcome: String, Sendable, Equatable, Codable {
        /// The knee was found (median of the repeats, with its spread).
        case knee
        /// The SLO held at the search's upper bound.
        case aboveMaximum = "above_maximum"
        /// The generator could not offer more from this machine; capacity is at least `capacity`.
        case generatorBound = "generator_bound"
        /// The SLO already failed at the start rate.
        case sloFailsAtStart = "slo_fails_at_start"
        /// The run failed (the target died, a step overran its budget); the steps so far are kept.
        case failed
    }

    public var schemaVersion: Int
    public var scenario: String
    public var startedAt: String
    /// Seconds the whole search took.
    public var elapsed: Double
    public var settings: CapacitySettings
    /// Each request type's share of the total rate (the scenario's mix).
    public var mix: [String: Double]
    public var outcome: Outcome
    /// The knee (`knee`), the proven lower bound (`above_maximum`, `generator_bound`, `failed`), or nil.
    public var capacity: Double?
    public var knee: CapacityKnee?
    public var bottleneck: Bottleneck?
    public var fit: ScalabilityFit?
    public var expected: Headroom?
    /// The one-line answer printed on the terminal.
    public var verdict: String
    public var failure: String?
    public var machine: MachineInfo
    public var steps: [CapacityStep]

    /// The knee against the rate the user expects to serve.
    public struct Headroom: Sendable, Equatable, Codable {
        public var rate: Double
        /// capacity ÷ expected; below 1 the expected rate does not fit.
        public var headroom: Double
    }

    public init(
        scenario: String, startedAt: String, elapsed: Double, settings: CapacitySettings, mix: [String: Double], verdict search: CapacityVerdict, steps: [CapacityStep],
        expected: Double?, machine: MachineInfo
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.scenario = scenario
        self.startedAt = startedAt
        self.elapsed = elapsed
        self.settings = settings
        self.mix = mix
        self.steps = steps
        self.machine = machine
        switch search {
        case .knee(let knee):
            outcome = .knee
            capacity = knee.rate
            self.knee = knee
        case .aboveMaximum(let rate):
            outcome = .aboveMaximum
            capacity = rate
        case .generatorBound(let atLeast, _):
            outcome = .generatorBound
            capacity = atLeast
        case .sloFailsAtStart:
            outcome = .sloFailsAtStart
        case .failed(let reason, let lastGood):
            outcome = .failed
            capacity = lastGood
            failure = reason
        }
        let breaking: Double? = switch search {
        case .knee(let knee): knee.high
        case .sloFailsAtStart(let rate): rate
        default: nil
        }
        bottleneck = BottleneckAttribution.attribute(steps: steps, breakingRate: breaking)
        fit = ScalabilityFit.fit(steps.filter { !$0.generator.bound }.map { ($0.concurrency, $0.achievedRate) })
        if let expected, expected > 0 {
            self.expected = Headroom(rate: expected, headroom: (capacity ?? 0) / expected)
        }
        verdict = ""
        verdict = answer(search)
    }

    /// capacity ≥ expected, or no expectation given.
    public var headroomHolds: Bool { (expected?.headroom ?? 1) >= 1 }

    func answer(_ search: CapacityVerdict) -> String {
        let rate = { (value: Double) in "\(CapacityFormat.rate(value)) req/s" }
        var line: String
        switch search {
        case .knee(let knee):
            line = "capacity \(rate(knee.rate)) ± \(CapacityFormat.rate(knee.spread / 2)) (\(knee.estimates.count) repeats)"
        case .aboveMaximum(let max):
            line = "capacity ≥ \(rate(max)): the SLO held at the search's upper bound (capacity.max_rate)"
        case .generatorBound(let atLeast, let offered) where atLeast > 0:
            line = "generator-bound: capacity ≥ \(rate(atLeast)); the generator could not offer \(rate(offered)) from this machine (\(machine.cpus) cores)"
        case .generatorBound(_, let offered):
            line = "generator-bound: the generator could not offer even the start rate \(rate(offered)) from this machine (\(machine.cpus) cores); the target's capacity is unknown"
        case .sloFailsAtStart(let start):
            line = "the SLO already fails at the start rate \(rate(start)): \(steps.first?.breaches.joined(separator: "; ") ?? "")"
        case .failed(let reason, let lastGood):
            line = "the search failed after \(steps.count) steps: \(reason)" + (lastGood.map { "; the SLO held up to \(rate($0))" } ?? "")
        }
        if let hop = bottleneck, hop.hop != nil, outcome == .knee || outcome == .sloFailsAtStart {
            line += "; gives out first: \(hop.component ?? "")"
        }
        if let expected {
            line += String(format: "; headroom at %@: %.2f×", rate(expected.rate), expected.headroom)
        }
        return line
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Decodes `capacity.json`; refuses a schema version this build does not know.
    public static func decode(_ data: Data) throws -> CapacityResult {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in SnakeCaseKey(camelCasing: path.last!.stringValue) }
        let result = try decoder.decode(CapacityResult.self, from: data)
        guard result.schemaVersion == currentSchemaVersion else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: [], debugDescription: "capacity.json has schema_version \(result.schemaVersion); this Gauntlet reads \(currentSchemaVersion)"))
        }
        return result
    }
}
