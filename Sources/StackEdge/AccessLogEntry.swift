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
        var out = ""
        out.reserveCapacity(768)
        func field(_ s: String) { out += s; out += " " }
        func dash(_ s: String?) { field((s?.isEmpty ?? true) ? "-" : s!) }
        func quoted(_ s: String?) { out += "\""; out += (s?.isEmpty ?? true) ? "-" : Self.escape(s!); out += "\" " }
        func seconds(_ t: Double) { field(t < 0 ? "-1" : LogFormat.fixed3(t)) }
        field(type)
        field(Self.timestamp(time))
        field(elb)
        field("\(clientAddress):\(clientPort)")
        dash(target)
        seconds(requestProcessingTime)
        seconds(targetProcessingTime)
        seconds(responseProcessingTime)
        field(String(elbStatusCode))
        field(targetStatusCode.map(String.init) ?? "-")
        field(String(receivedBytes))
        field(String(sentBytes))
        out += "\""; out += method; out += " "; out += Self.escape(url); out += " "; out += httpVersion; out += "\" "
        quoted(userAgent)
        dash(sslCipher)
        dash(sslProtocol)
        dash(targetGroupARN)
        quoted(traceID)
        quoted(domainName)
        quoted(chosenCertARN)
        field(matchedRulePriority.map(String.init) ?? "-")
        field(Self.timestamp(requestCreationTime))
        quoted(actionsExecuted.joined(separator: ","))
        quoted(redirectURL)
        quoted(errorReason)
        quoted(target)
        quoted(targetStatusCode.map(String.init))
        quoted(classification)
        quoted(classificationReason)
        out += connTraceID
        return out
    }

    /// ISO 8601 with microseconds in UTC, e.g. `2026-11-29T00:12:03.123456Z`.
    static func timestamp(_ date: Date) -> String { LogFormat.timestamp(date) }

    /// Keeps one record per line and the quoting intact whatever a client sends (ALB escapes the same way).
    static func escape(_ s: String) -> String {
        // Almost every value is printable ASCII with nothing to escape: return it as it is.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7e && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case " "..."~": out.unicodeScalars.append(scalar)
            default:
                for byte in String(scalar).utf8 { out += "\\x" + LogFormat.hex([byte]) }
            }
        }
        return out
    }
}
