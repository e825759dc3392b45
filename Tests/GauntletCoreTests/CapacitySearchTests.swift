import Foundation
import Testing
@testable import GauntletCore

/// The capacity search, fed synthetic step outcomes: no sockets, no clock.
@Suite struct CapacitySearchTests {
    /// Runs the search against a target whose SLO holds below `capacity` (and, when given, whose
    /// generator gives out at `generatorLimit`); returns the rates run and the verdict.
    static func search(
        capacity: Double, settings: CapacitySettings = CapacitySettings(startRate: 10, maxRate: 100_000, precision: 0.05, repeats: 3),
        generatorLimit: Double = .infinity, noise: (Int) -> Bool? = { _ in nil }
    ) -> (rates: [Double], verdict: CapacityVerdict?) {
        var search = CapacitySearch(settings: settings)
        var action = search.start()
        var rates: [Double] = []
        while case .run(let rate) = action, rates.count < 100 {
            rates.append(rate)
            let held = noise(rates.count) ?? (rate < capacity)
            action = search.record(.init(rate: rate, held: held, generatorBound: rate > generatorLimit))
        }
        guard case .finished(let verdict) = action else { return (rates, nil) }
        return (rates, verdict)
    }

    @Test(arguments: [37.0, 200, 999, 4_321, 60_000])
    func findsAKnownKneeWithinPrecisionInBoundedSteps(capacity: Double) throws {
        let (rates, verdict) = Self.search(capacity: capacity)
        guard case .knee(let knee) = try #require(verdict) else { Issue.record("expected a knee, got \(String(describing: verdict))"); return }
        #expect(abs(knee.rate - capacity) / capacity <= 0.05, "knee \(knee.rate) for capacity \(capacity)")
        #expect(knee.low < capacity && knee.high >= capacity)
        #expect(knee.spread == 0, "a noiseless target gives identical repeats")
        #expect(knee.estimates.count == 3)
        // The ramp (log2 of the range, plus the step that breaks), the bisection (log2 of 1/precision)
        // and two more brackets of two steps each.
        let ramp = Int(log2(capacity / 10).rounded(.up)) + 1
        #expect(rates.count <= ramp + 5 + 4, "\(rates.count) steps: \(rates)")
    }

    @Test func rampIsGeometricThenBisects() {
        let (rates, _) = Self.search(capacity: 100, settings: CapacitySettings(startRate: 10, maxRate: 1000, precision: 0.05, repeats: 1))
        #expect(Array(rates.prefix(5)) == [10, 20, 40, 80, 160])
        // Bisection between 80 (held) and 160 (broke): the geometric midpoint.
        #expect(abs(rates[5] - (80.0 * 160).squareRoot()) < 1e-9)
    }

    @Test func sloFailingAtTheStartRateEndsAtOnce() {
        let (rates, verdict) = Self.search(capacity: 5)
        #expect(rates == [10])
        #expect(verdict == .sloFailsAtStart(rate: 10))
    }

    @Test func theGeneratorsLimitIsNeverAKnee() {
        let (rates, verdict) = Self.search(capacity: 50_000, generatorLimit: 3_000)
        #expect(rates.last! > 3_000)
        #expect(verdict == .generatorBound(atLeast: 2_560, offered: 5_120))
    }

    @Test func holdingAtTheUpperBoundReportsAtLeastTheBound() {
        let (rates, verdict) = Self.search(capacity: 1e9, settings: CapacitySettings(startRate: 100, maxRate: 1000))
        #expect(rates == [100, 200, 400, 800, 1000])
        #expect(verdict == .aboveMaximum(rate: 1000))
    }

    @Test func noisyRepeatsGiveAMedianAndASpread() throws {
        // Steps 1–9 follow the true capacity of 100; then the first repeat's high step holds (noise),
        // the second repeat's low step breaks.
        let (rates, verdict) = Self.search(capacity: 100, settings: CapacitySettings(startRate: 10, maxRate: 1000, precision: 0.05, repeats: 3)) { step in
            switch step {
            case 11: true     // first repeat: high held too
            case 12: false    // second repeat: low broke
            default: nil
            }
        }
        guard case .knee(let knee) = try #require(verdict) else { Issue.record("\(String(describing: verdict))"); return }
        #expect(rates.count == 13)
        #expect(knee.estimates.count == 3)
        let middle = (knee.low * knee.high).squareRoot()
        #expect(knee.rate == middle, "the median is the consistent bracket's midpoint")
        #expect(knee.spread > 0)
        #expect(knee.estimates.max()! > knee.high && knee.estimates.min()! < knee.low)
    }

    @Test func kneeMedianOfAnEvenCount() {
        let knee = CapacityKnee(estimates: [10, 30, 20, 40], low: 19, high: 21)
        #expect(knee.rate == 25)
        #expect(knee.spread == 30)
    }
}
