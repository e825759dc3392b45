import Foundation

/// One line of Gauntlet's own per-request log (`requests.jsonl`, written by `run` when asked), which
/// `replay` reads back.
///
/// Format: JSON Lines, UTF-8, one object per request, in the order requests completed:
///
/// ```json
/// {"t":12.5,"type":"api","method":"GET","url":"https://example.logs.gauntlet.test/manager/api/users",
///  "status":200,"latency":0.0123,"service_time":0.0118,"user":"managers-3","role":"managers",
///  "error":null,"phase":"steady"}
/// ```
///
/// | key | type | meaning |
/// |---|---|---|
/// | `t` | number | intended send time, seconds since the start of the run (warm-up included) |
/// | `type` | string | `upload`, `ui`, `api` or `http` |
/// | `method` | string | HTTP method |
/// | `url` | string | absolute URL as sent (or a path, for logs written against a relative target) |
/// | `status` | int or null | final status; null when no response arrived |
/// | `latency` | number or null | seconds from the intended send time to the response (coordinated-omission-corrected) |
/// | `service_time` | number or null | seconds from the actual send to the response (uncorrected) |
/// | `user` | string or null | the virtual user, e.g. `managers-3`; null for uploads by API key |
/// | `role` | string or null | `managers` or `analysts` |
/// | `error` | string or null | the error category (`dns`, `connect`, `tls`, `timeout`, `reset`, `status`, `oracle`, …) |
/// | `phase` | string or null | the scenario phase |
///
/// Unknown keys are ignored, so the driver may add fields without breaking older readers.
public struct RequestLogRecord: Codable, Sendable, Equatable {
    public var intendedTime: Double
    public var type: RequestType
    public var method: String
    public var url: String
    public var status: Int?
    public var latency: Double?
    public var serviceTime: Double?
    public var user: String?
    public var role: Role?
    public var error: String?
    public var phase: String?

    enum CodingKeys: String, CodingKey {
        case intendedTime = "t"
        case type, method, url, status, latency
        case serviceTime = "service_time"
        case user, role, error, phase
    }

    public init(
        intendedTime: Double, type: RequestType, method: String, url: String, status: Int?, latency: Double? = nil,
        serviceTime: Double? = nil, user: String? = nil, role: Role? = nil, error: String? = nil, phase: String? = nil
    ) {
        self.intendedTime = intendedTime
        self.type = type
        self.method = method
        self.url = url
        self.status = status
        self.latency = latency
        self.serviceTime = serviceTime
        self.user = user
        self.role = role
        self.error = error
        self.phase = phase
    }

    /// The record as one JSON line (no trailing newline), keys sorted so logs diff cleanly.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain values cannot fail.
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}
