/// One line of an AWS Application Load Balancer access log, every field in AWS's order.
///
/// `-` in the log (no value) is nil here, and so is `-1` for a processing time (the request was never
/// dispatched, or the connection closed first). Fields AWS added over the years (classification in
/// 2020, conn_trace_id in 2024, the transform fields in 2025) are optional so that older logs read too;
/// fields after the last one known here are ignored, as AWS asks of parsers.
public struct ALBLogRecord: Sendable, Equatable {
    /// `http`, `https`, `h2`, `grpcs`, `ws`, `wss`; AWS says to tolerate others, so they are kept.
    public enum ConnectionType: Sendable, Equatable {
        case http, https, h2, grpcs, ws, wss
        case other(String)

        public init(_ text: String) {
            switch text {
            case "http": self = .http
            case "https": self = .https
            case "h2": self = .h2
            case "grpcs": self = .grpcs
            case "ws": self = .ws
            case "wss": self = .wss
            default: self = .other(text)
            }
        }

        public var rawValue: String {
            switch self {
            case .http: "http"
            case .https: "https"
            case .h2: "h2"
            case .grpcs: "grpcs"
            case .ws: "ws"
            case .wss: "wss"
            case .other(let text): text
            }
        }
    }

    /// An `ip:port` pair; IPv6 addresses are written without brackets, so the port follows the last colon.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var address: String
        public var port: Int

        public init(address: String, port: Int) {
            self.address = address
            self.port = port
        }

        public var description: String { "\(address):\(port)" }
    }

    /// The quoted request line: `GET https://host:443/path?q HTTP/1.1`. An unparseable request is
    /// logged as `- - - ` with all three parts nil.
    public struct RequestLine: Sendable, Equatable {
        public var method: String?
        /// The full URL: scheme, host, port, path and query.
        public var url: String?
        public var httpVersion: String?

        public init(method: String?, url: String?, httpVersion: String?) {
            self.method = method
            self.url = url
            self.httpVersion = httpVersion
        }
    }

    public var type: ConnectionType
    /// When the LB generated the response (epoch seconds); for WebSockets, when the connection closed.
    public var time: Double
    public var elb: String
    public var client: Endpoint
    public var target: Endpoint?
    public var requestProcessingTime: Double?
    public var targetProcessingTime: Double?
    public var responseProcessingTime: Double?
    public var elbStatusCode: Int?
    public var targetStatusCode: Int?
    public var receivedBytes: Int
    public var sentBytes: Int
    public var request: RequestLine
    public var userAgent: String?
    public var sslCipher: String?
    public var sslProtocol: String?
    public var targetGroupARN: String?
    public var traceID: String?
    public var domainName: String?
    public var chosenCertARN: String?
    /// 0 for the default rule, nil when no rule matched (`-`).
    public var matchedRulePriority: Int?
    /// When the LB received the request from the client (epoch seconds).
    public var requestCreationTime: Double?
    public var actionsExecuted: [String]
    public var redirectURL: String?
    public var errorReason: String?
    /// `ip:port` of every target tried, in order.
    public var targetPortList: [String]
    public var targetStatusCodeList: [Int]
    public var classification: String?
    public var classificationReason: String?
    public var connTraceID: String?
    public var transformedHost: String?
    public var transformedURI: String?
    public var requestTransformStatus: String?

    public init(
        type: ConnectionType, time: Double, elb: String, client: Endpoint, target: Endpoint? = nil,
        requestProcessingTime: Double? = nil, targetProcessingTime: Double? = nil, responseProcessingTime: Double? = nil,
        elbStatusCode: Int? = nil, targetStatusCode: Int? = nil, receivedBytes: Int = 0, sentBytes: Int = 0,
        request: RequestLine, userAgent: String? = nil, sslCipher: String? = nil, sslProtocol: String? = nil,
        targetGroupARN: String? = nil, traceID: String? = nil, domainName: String? = nil, chosenCertARN: String? = nil,
        matchedRulePriority: Int? = nil, requestCreationTime: Double? = nil, actionsExecuted: [String] = [],
        redirectURL: String? = nil, errorReason: String? = nil, targetPortList: [String] = [],
        targetStatusCodeList: [Int] = [], classification: String? = nil, classificationReason: String? = nil,
        connTraceID: String? = nil, transformedHost: String? = nil, transformedURI: String? = nil,
        requestTransformStatus: String? = nil
    ) {
        self.type = type
        self.time = time
        self.elb = elb
        self.client = client
        self.target = target
        self.requestProcessingTime = requestProcessingTime
        self.targetProcessingTime = targetProcessingTime
        self.responseProcessingTime = responseProcessingTime
        self.elbStatusCode = elbStatusCode
        self.targetStatusCode = targetStatusCode
        self.receivedBytes = receivedBytes
        self.sentBytes = sentBytes
        self.request = request
        self.userAgent = userAgent
        self.sslCipher = sslCipher
        self.sslProtocol = sslProtocol
        self.targetGroupARN = targetGroupARN
        self.traceID = traceID
        self.domainName = domainName
        self.chosenCertARN = chosenCertARN
        self.matchedRulePriority = matchedRulePriority
        self.requestCreationTime = requestCreationTime
        self.actionsExecuted = actionsExecuted
        self.redirectURL = redirectURL
        self.errorReason = errorReason
        self.targetPortList = targetPortList
        self.targetStatusCodeList = targetStatusCodeList
        self.classification = classification
        self.classificationReason = classificationReason
        self.connTraceID = connTraceID
        self.transformedHost = transformedHost
        self.transformedURI = transformedURI
        self.requestTransformStatus = requestTransformStatus
    }

    /// The fields in AWS's order, by the names AWS's documentation gives them.
    public static let fieldNames = [
        "type", "time", "elb", "client:port", "target:port", "request_processing_time",
        "target_processing_time", "response_processing_time", "elb_status_code", "target_status_code",
        "received_bytes", "sent_bytes", "request", "user_agent", "ssl_cipher", "ssl_protocol",
        "target_group_arn", "trace_id", "domain_name", "chosen_cert_arn", "matched_rule_priority",
        "request_creation_time", "actions_executed", "redirect_url", "error_reason", "target:port_list",
        "target_status_code_list", "classification", "classification_reason", "conn_trace_id",
        "transformed_host", "transformed_uri", "request_transform_status",
    ]
    /// The oldest ALB logs end after `trace_id`; anything shorter is truncated.
    public static let minimumFieldCount = 18

    /// Time the LB spent on the request, end to end, when every part of it is known.
    public var totalProcessingTime: Double? {
        guard let request = requestProcessingTime, let target = targetProcessingTime,
              let response = responseProcessingTime else { return nil }
        return request + target + response
    }
}
