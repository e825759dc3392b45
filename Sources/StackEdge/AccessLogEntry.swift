import Foundation

/// One ALB access-log record. `line` renders every field in AWS's documented order, quoting the fields AWS
/// quotes and writing `-` (or `-1` for unmeasured times) for what does not apply.
public struct AccessLogEntry: Sendable, Hashable {
    public var type = "https"
    /// When the LB finished the response.
    public var time: Date
    /// `app/<name>/<id>`.
    public var elb: String
    public var clientAddress: String
    public var clientPort: Int
    /// `ip:port` of the target, nil when the request never reached one.
    public var target: String?
    public var requestProcessingTime: Double = -1
    public var targetProcessingTime: Double = -1
    public var responseProcessingTime: Double = -1
    public var elbStatusCode: Int
    public var targetStatusCode: Int?
    public var receivedBytes: Int
    public var sentBytes: Int
    public var method: String
    /// `https://host:port/path?query`.
    public var url: String
    public var httpVersion = "HTTP/1.1"
    public var userAgent: String?
    public var sslCipher: String?
    public var sslProtocol: String?
    public var targetGroupARN: String?
    public var traceID: String
    public var domainName: String?
    public var chosenCertARN: String?
    /// nil logs `-` (no rule evaluated); 0 is the default rule, as on ALB.
    public var matchedRulePriority: Int?
    public var requestCreationTime: Date
    public var actionsExecuted: [String]
    public var redirectURL: String?
    public var errorReason: String?
    public var classification: String?
    public var classificationReason: String?
    public var connTraceID: String

    public init(time: Date, elb: String, clientAddress: String, clientPort: Int, elbStatusCode: Int, receivedBytes: Int, sentBytes: Int,
                method: String, url: String, traceID: String, requestCreationTime: Date, actionsExecuted: [String], connTraceID: String) {
        self.time = time
        self.elb = elb
        self.clientAddress = clientAddress
        self.clientPort = clientPort
        self.elbStatusCode = elbStatusCode
        self.receivedBytes = receivedBytes
        self.sentBytes = sentBytes
        self.method = method
        self.url = url
        self.traceID = traceID
        self.requestCreationTime = requestCreationTime
        self.actionsExecuted = actionsExecuted
        self.connTraceID = connTraceID
    }

    public var line: String {
        func dash(_ s: String?) -> String { s.flatMap { $0.isEmpty ? nil : $0 } ?? "-" }
        func quoted(_ s: String?) -> String { "\"" + Self.escape(dash(s)) + "\"" }
        func seconds(_ t: Double) -> String { t < 0 ? "-1" : String(format: "%.3f", t) }
        let fields: [String] = [
            type,
            Self.timestamp(time),
            elb,
            "\(clientAddress):\(clientPort)",
            dash(target),
            seconds(requestProcessingTime),
            seconds(targetProcessingTime),
            seconds(responseProcessingTime),
            "\(elbStatusCode)",
            targetStatusCode.map(String.init) ?? "-",
            "\(receivedBytes)",
            "\(sentBytes)",
            "\"\(method) \(Self.escape(url)) \(httpVersion)\"",
            quoted(userAgent),
            dash(sslCipher),
            dash(sslProtocol),
            dash(targetGroupARN),
            quoted(traceID),
            quoted(domainName),
            quoted(chosenCertARN),
            matchedRulePriority.map(String.init) ?? "-",
            Self.timestamp(requestCreationTime),
            quoted(actionsExecuted.joined(separator: ",")),
            quoted(redirectURL),
            quoted(errorReason),
            quoted(target),
            quoted(targetStatusCode.map(String.init)),
            quoted(classification),
            quoted(classificationReason),
            connTraceID,
        ]
        return fields.joined(separator: " ")
    }

    /// ISO 8601 with microseconds in UTC, e.g. `2026-11-29T00:12:03.123456Z`.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        var micros = Int(((seconds - whole) * 1_000_000).rounded())
        var t = time_t(whole)
        if micros >= 1_000_000 { micros -= 1_000_000; t += 1 }
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }

    /// Keeps one record per line and the quoting intact whatever a client sends (ALB escapes the same way).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case " "..."~": out.unicodeScalars.append(scalar)
            default:
                for byte in String(scalar).utf8 { out += String(format: "\\x%02x", byte) }
            }
        }
        return out
    }
}
