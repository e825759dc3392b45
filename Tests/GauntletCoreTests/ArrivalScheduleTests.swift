import Testing
@testable import GauntletCore

@Suite("Arrival schedules")
struct ArrivalScheduleTests {
    func count(_ times: [Double], in range: Range<Double>) -> Int {
        times.filter { range.contains($0) }.count
    }

    @Test("constant: count within ±1 of rate × duration, evenly spaced", arguments: [
        (1.0, 10.0), (7.0, 3.0), (100.0, 2.5), (0.3, 20.0), (1000.0, 1.0), (33.3, 9.0),
    ])
    func constant(rate: Double, duration: Double) {
        let times = ArrivalSchedule.constant(rate: rate).intendedTimes(runDuration: duration, seed: 1)
        #expect(abs(Double(times.count) - rate * duration) <= 1)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        for gap in gaps { #expect(abs(gap - 1 / rate) < 1e-9) }
        #expect(times.allSatisfy { $0 >= 0 && $0 < duration })
    }

    @Test("ramp integrates linearly: each second gets the mean of its rates")
    func ramp() {
        let schedule = ArrivalSchedule.ramp(from: 0, to: 100, duration: 10)
        let times = schedule.intendedTimes(runDuration: 10, seed: 1)
        #expect(abs(times.count - 500) <= 1)
        for second in 0..<10 {
            let expected = 10.0 * Double(second) + 5  // mean of 10s and 10(s+1)
            #expect(abs(Double(count(times, in: Double(second)..<Double(second + 1))) - expected) <= 1)
        }
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(zip(gaps.dropFirst(), gaps).allSatisfy { $0 <= $1 + 1e-12 }, "a rising ramp shortens the gaps")
    }

    @Test("a ramp shorter than the run holds its final rate")
    func rampHold() {
        let times = ArrivalSchedule.ramp(from: 10, to: 20, duration: 5).intendedTimes(runDuration: 10, seed: 1)
        #expect(abs(count(times, in: 0..<5) - 75) <= 1)
        #expect(abs(count(times, in: 5..<10) - 100) <= 1)
        #expect(ArrivalSchedule.ramp(from: 10, to: 20, duration: 5).rate(at: 7, runDuration: 10) == 20)
    }

    @Test("a falling ramp to zero")
    func rampDown() {
        let times = ArrivalSchedule.ramp(from: 50, to: 0, duration: nil).intendedTimes(runDuration: 4, seed: 1)
        #expect(abs(times.count - 100) <= 1)
        #expect(abs(count(times, in: 0..<2) - 75) <= 1)
    }

    @Test("steps: right counts per segment, last step held")
    func steps() {
        let schedule = ArrivalSchedule.steps([.init(rate: 10, duration: 2), .init(rate: 50, duration: 3)])
        let times = schedule.intendedTimes(runDuration: 7, seed: 1)
        #expect(abs(count(times, in: 0..<2) - 20) <= 1)
        #expect(abs(count(times, in: 2..<5) - 150) <= 1)
        #expect(abs(count(times, in: 5..<7) - 100) <= 1)
    }

    @Test("spike: base, peak for its duration, base again")
    func spike() {
        let times = ArrivalSchedule.spike(base: 5, peak: 200, at: 4, duration: 2).intendedTimes(runDuration: 10, seed: 1)
        #expect(abs(count(times, in: 0..<4) - 20) <= 1)
        #expect(abs(count(times, in: 4..<6) - 400) <= 1)
        #expect(abs(count(times, in: 6..<10) - 20) <= 1)
    }

    @Test("poisson: mean rate right, gaps exponential, reproducible from the seed")
    func poisson() {
        let schedule = ArrivalSchedule.poisson(rate: 200)
        let a = schedule.intendedTimes(runDuration: 50, seed: 42)
        let b = schedule.intendedTimes(runDuration: 50, seed: 42)
        let c = schedule.intendedTimes(runDuration: 50, seed: 43)
        #expect(a == b)
        #expect(a != c)
        // 10,000 expected; the standard deviation of a Poisson count is 100, so ±400 is 4σ.
        #expect(abs(a.count - 10_000) < 400)
        let gaps = zip(a.dropFirst(), a).map { $0 - $1 }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let variance = gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)
        #expect(abs(mean - 0.005) < 0.0002)
        // For an exponential distribution the standard deviation equals the mean.
        #expect(abs(variance.squareRoot() / mean - 1) < 0.05)
        #expect(zip(a.dropFirst(), a).allSatisfy { $0 > $1 })
    }

    @Test("max schedules are closed-loop and have no intended times")
    func closedLoop() {
        #expect(!ArrivalSchedule.max(connections: 8).isOpenLoop)
        #expect(ArrivalSchedule.max(connections: 8).intendedTimes(runDuration: 10, seed: 1).isEmpty)
        #expect(ArrivalSchedule.constant(rate: 1).isOpenLoop)
    }

    @Test("zero rates send nothing")
    func zero() {
        #expect(ArrivalSchedule.constant(rate: 0).intendedTimes(runDuration: 10, seed: 1).isEmpty)
        #expect(ArrivalSchedule.poisson(rate: 0).intendedTimes(runDuration: 10, seed: 1).isEmpty)
    }

    @Test("expected count matches the integral and the iterator agrees with it")
    func expectedCount() {
        let schedule = ArrivalSchedule.spike(base: 10, peak: 100, at: 2, duration: 1)
        #expect(schedule.expectedCount(until: 5, runDuration: 5) == 140)
        #expect(schedule.peakRate(runDuration: 5) == 100)
        var iterator = ArrivalIterator(schedule: schedule, runDuration: 5, seed: 9)
        while iterator.next() != nil {}
        #expect(iterator.count == 140)
    }
}
