/// A token bucket: `rate` tokens a second, at most `burst` saved up. Pure arithmetic over an injected time
/// (seconds, monotonic), so every quota built on it is tested without clocks or sockets: the identity
/// provider's authentication category (Cognito's requests-per-second quota) and the upload gateway's
/// throttle per API key (API Gateway's rate and burst).
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let burst: Double
    public private(set) var tokens: Double
    /// When the tokens were last topped up; nil until the first `take`, which finds the bucket full.
    public private(set) var updatedAt: Double?

    /// `burst` defaults to one second's worth of tokens; a bucket always holds at least one.
    public init(rate: Double, burst: Double? = nil, now: Double? = nil) {
        self.rate = rate
        self.burst = max(1, burst ?? rate)
        self.tokens = self.burst
        self.updatedAt = now
    }

    public enum Decision: Equatable, Sendable {
        case allowed
        /// Refused; a token will be available after this many seconds.
        case throttled(retryAfter: Double)
    }

    /// Takes one token at time `now`. A clock that steps back adds nothing and takes nothing away.
    public mutating func take(now: Double) -> Decision {
        if let updatedAt {
            if now > updatedAt {
                tokens = min(burst, tokens + (now - updatedAt) * rate)
                self.updatedAt = now
            }
        } else {
            updatedAt = now
        }
        if tokens >= 1 {
            tokens -= 1
            return .allowed
        }
        return .throttled(retryAfter: rate > 0 ? (1 - tokens) / rate : 3600)
    }
}
