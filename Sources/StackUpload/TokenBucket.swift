import Synchronization

/// API Gateway's throttle: a token bucket per API key holding up to `burst` requests, refilled at `rate` per
/// second. Pure arithmetic over an injected time, so it is tested without sleeping.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let burst: Double
    public private(set) var tokens: Double
    public private(set) var updatedAt: Double

    public init(rate: Double, burst: Double, now: Double) {
        self.rate = rate
        self.burst = max(1, burst)
        self.tokens = self.burst
        self.updatedAt = now
    }

    public enum Decision: Equatable, Sendable {
        case allowed
        /// Refused; a token will be available after this many seconds.
        case throttled(retryAfter: Double)
    }

    public mutating func take(now: Double) -> Decision {
        if now > updatedAt {
            tokens = min(burst, tokens + (now - updatedAt) * rate)
            updatedAt = now
        }
        if tokens >= 1 {
            tokens -= 1
            return .allowed
        }
        return .throttled(retryAfter: rate > 0 ? (1 - tokens) / rate : 3600)
    }
}

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
