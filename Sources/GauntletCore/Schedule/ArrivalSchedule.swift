/// When a request type's requests are meant to be sent: a rate over time (open loop), or a fixed number of
/// connections sending back to back (closed loop, for saturation).
///
/// Open-loop schedules are pure: the intended send times are a function of the schedule, the run's length
/// and the seed (see `ArrivalIterator`), never of how fast the target answers. That is what makes latency
/// measured from the intended time free of coordinated omission.
public enum ArrivalSchedule: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var rate: Double
        public var duration: Double

        public init(rate: Double, duration: Double) {
            self.rate = rate
            self.duration = duration
        }
    }

    /// `rate` requests per second, evenly spaced.
    case constant(rate: Double)
    /// Rate changing linearly from `from` to `to` over `duration` seconds (nil: the whole run), then held.
    case ramp(from: Double, to: Double, duration: Double?)
    /// Constant rates one after the other; the last is held until the run ends.
    case steps([Step])
    /// `base` rate, jumping to `peak` at `at` seconds for `duration` seconds, then back to `base`.
    case spike(base: Double, peak: Double, at: Double, duration: Double)
    /// A Poisson process of mean `rate` per second: exponential gaps drawn from the scenario's seed.
    case poisson(rate: Double)
    /// Closed loop: `connections` requests in flight at all times, each sent as soon as the last returns.
    case max(connections: Int)

    public var isOpenLoop: Bool {
        if case .max = self { return false }
        return true
    }

    /// The schedule's rate as piecewise-linear segments covering [0, runDuration).
    func segments(runDuration: Double) -> [RateSegment] {
        switch self {
        case let .constant(rate), let .poisson(rate):
            return [RateSegment(start: 0, end: runDuration, startRate: rate, endRate: rate)]
        case let .ramp(from, to, duration):
            let length = Swift.min(duration ?? runDuration, runDuration)
            var segments = [RateSegment(start: 0, end: length, startRate: from, endRate: to)]
            if length < runDuration {
                segments.append(RateSegment(start: length, end: runDuration, startRate: to, endRate: to))
            }
            return segments
        case let .steps(steps):
            var segments: [RateSegment] = []
            var start = 0.0
            for step in steps where start < runDuration {
                let end = Swift.min(start + step.duration, runDuration)
                segments.append(RateSegment(start: start, end: end, startRate: step.rate, endRate: step.rate))
                start = end
            }
            if start < runDuration, let last = steps.last {
                segments.append(RateSegment(start: start, end: runDuration, startRate: last.rate, endRate: last.rate))
            }
            return segments
        case let .spike(base, peak, at, duration):
            let spikeStart = Swift.min(at, runDuration)
            let spikeEnd = Swift.min(at + duration, runDuration)
            return [
                RateSegment(start: 0, end: spikeStart, startRate: base, endRate: base),
                RateSegment(start: spikeStart, end: spikeEnd, startRate: peak, endRate: peak),
                RateSegment(start: spikeEnd, end: runDuration, startRate: base, endRate: base),
            ].filter { $0.end > $0.start }
        case .max:
            return []
        }
    }

    /// The intended rate at time `t` (seconds since the start of the run).
    public func rate(at t: Double, runDuration: Double) -> Double {
        for segment in segments(runDuration: runDuration) where t >= segment.start && t < segment.end {
            return segment.rate(at: t)
        }
        return 0
    }

    /// The number of requests the schedule intends to send in [0, t): the integral of its rate.
    public func expectedCount(until t: Double, runDuration: Double) -> Double {
        var total = 0.0
        for segment in segments(runDuration: runDuration) {
            guard t > segment.start else { break }
            total += segment.area(until: Swift.min(t, segment.end))
        }
        return total
    }

    /// The highest rate the schedule asks for, for sizing connection pools and warning about lag.
    public func peakRate(runDuration: Double) -> Double {
        segments(runDuration: runDuration).reduce(0) { Swift.max($0, $1.startRate, $1.endRate) }
    }

    /// Every intended send time, in seconds since the start of the run. For tests and short runs: the
    /// driver walks an `ArrivalIterator` instead, which holds no list.
    public func intendedTimes(runDuration: Double, seed: UInt64) -> [Double] {
        var iterator = ArrivalIterator(schedule: self, runDuration: runDuration, seed: seed)
        var times: [Double] = []
        while let t = iterator.next() { times.append(t) }
        return times
    }

    /// The intended send times one shard owns: the same walk, keeping the arrivals `shard` owns.
    public func intendedTimes(runDuration: Double, seed: UInt64, shard: Shard) -> [Double] {
        var iterator = ArrivalIterator(schedule: self, runDuration: runDuration, seed: seed)
        var times: [Double] = []
        var arrival = 0
        while let t = iterator.next() {
            if shard.localIndex(ofArrival: arrival) != nil { times.append(t) }
            arrival += 1
        }
        return times
    }
}

/// A stretch of the schedule over which the rate changes linearly.
struct RateSegment: Sendable, Equatable {
    var start: Double
    var end: Double
    var startRate: Double
    var endRate: Double

    var slope: Double { end > start ? (endRate - startRate) / (end - start) : 0 }

    func rate(at t: Double) -> Double { startRate + slope * (t - start) }

    /// Requests intended in [start, t).
    func area(until t: Double) -> Double {
        let tau = t - start
        return startRate * tau + slope * tau * tau / 2
    }

    var totalArea: Double { area(until: end) }

    /// The time by which `area` requests have been intended since the segment's start.
    func time(forArea area: Double) -> Double {
        // Solves startRate·τ + slope·τ²/2 = area in the form that stays exact when the slope is 0 and
        // when the starting rate is 0 (a ramp from nothing).
        let root = (startRate * startRate + 2 * slope * area).squareRoot()
        let denominator = startRate + root
        guard denominator > 0 else { return .infinity }
        return start + 2 * area / denominator
    }
}
