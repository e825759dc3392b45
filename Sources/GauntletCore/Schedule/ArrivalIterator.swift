#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Yields a schedule's intended send times in order, lazily, so a long run at a high rate holds no list.
///
/// Deterministic schedules place the k-th request where the schedule's cumulative count reaches k + ½, so
/// every stretch of the run gets its integral's worth of requests (rounded) and constant rates are evenly
/// spaced. Poisson schedules draw exponential gaps from a generator seeded by the scenario.
public struct ArrivalIterator: IteratorProtocol, Sendable {
    private let segments: [RateSegment]
    private let runDuration: Double
    private let poissonRate: Double?
    private var generator: SeededGenerator
    private var segmentIndex = 0
    private var areaBeforeSegment = 0.0
    private var issued = 0
    private var lastTime = 0.0

    public init(schedule: ArrivalSchedule, runDuration: Double, seed: UInt64) {
        self.segments = schedule.segments(runDuration: runDuration)
        self.runDuration = runDuration
        self.generator = SeededGenerator(seed: seed, stream: "arrivals")
        if case let .poisson(rate) = schedule {
            poissonRate = rate
        } else {
            poissonRate = nil
        }
    }

    /// How many times `next()` has returned a time.
    public var count: Int { issued }

    public mutating func next() -> Double? {
        if let poissonRate {
            guard poissonRate > 0 else { return nil }
            let uniform = generator.nextUnitInterval()
            lastTime += -log1p(-uniform) / poissonRate
            guard lastTime < runDuration else { return nil }
            issued += 1
            return lastTime
        }
        let target = Double(issued) + 0.5
        while segmentIndex < segments.count {
            let segment = segments[segmentIndex]
            let areaAfter = areaBeforeSegment + segment.totalArea
            if target <= areaAfter {
                let t = segment.time(forArea: target - areaBeforeSegment)
                guard t < runDuration else { return nil }
                issued += 1
                lastTime = t
                return t
            }
            areaBeforeSegment = areaAfter
            segmentIndex += 1
        }
        return nil
    }
}
