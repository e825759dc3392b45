/// A token bucket: `rate` tokens a second, at most `capacity` saved up. Pure: time is a parameter, so the
/// quota's behaviour is tested without clocks or sockets.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let capacity: Double
    private var tokens: Double
    private var last: Double?

    public init(rate: Double, capacity: Double? = nil) {
        self.rate = rate
        self.capacity = max(1, capacity ?? rate)
        self.tokens = self.capacity
    }

    /// Takes one token at time `now` (seconds, monotonic); false when the bucket is empty.
    public mutating func take(now: Double) -> Bool {
        if let last, now > last {
            tokens = min(capacity, tokens + (now - last) * rate)
        }
        if last == nil || now > last! { last = now }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
