import StackSupport
import Synchronization

/// The buckets of all API keys, behind one lock (a decision is a few arithmetic operations).
final class Throttle: Sendable {
    private let buckets = Mutex<[String: TokenBucket]>([:])
    let rate: Double
    let burst: Double

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    func take(key: String, now: Double) -> TokenBucket.Decision {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(rate: rate, burst: burst, now: now)
            let decision = bucket.take(now: now)
            buckets[key] = bucket
            return decision
        }
    }
}
