import Foundation
func oldParse(_ headerValues: [String]) -> [String: String] {
    var cookies: [String: String] = [:]
    for header in headerValues {
        for pair in header.split(separator: ";") {
            let trimmed = pair.trimmingCharacters(in: .whitespaces)
            guard let eq = trimmed.firstIndex(of: "=") else { continue }
            let name = String(trimmed[..<eq])
            if cookies[name] == nil { cookies[name] = String(trimmed[trimmed.index(after: eq)...]) }
        }
    }
    return cookies
}
func oldHex(_ bytes: Int) -> String {
    var g = SystemRandomNumberGenerator()
    return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
}
func time(_ name: String, _ n: Int, _ body: () -> Int) -> Double {
    func cpu() -> Double { var t = timespec(); clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return Double(t.tv_sec) * 1e6 + Double(t.tv_nsec) / 1e3 }
    var sink = 0
    let start = cpu()
    for _ in 0..<n { sink &+= body() }
    let us = (cpu() - start) / Double(n)
    print(String(format: "%-28@ %8.2f CPU-µs/op", name as NSString, us), sink == 42 ? "" : "")
    return us
}
let shard = String(repeating: "AbCdEfGhIj0123456789-_", count: 180)
let header = "AWSELBAuthSessionCookie-0=\(shard.prefix(4000)); AWSELBAuthSessionCookie-1=\(shard.dropFirst(3000)); other=1"
let a = time("cookies (Foundation trim)", 20000) { oldParse([header]).count }
let b = time("cookies (bytes)", 20000) { SessionCookieCodec.parseCookies([header]).count }
print(String(format: "  speed-up %.1fx", a / b))
let c = time("hex(16) String(format:)", 50000) { oldHex(16).utf8.count }
let d = time("hex(16) table", 50000) { LogFormat.randomHex(bytes: 16).utf8.count }
print(String(format: "  speed-up %.1fx", c / d))
let date = Date()
var old = OldAccessLogEntry(time: date, elb: "app/gauntlet-lb/0123456789abcdef", clientAddress: "127.0.0.1", clientPort: 51234, elbStatusCode: 200, receivedBytes: 5400, sentBytes: 320, method: "GET", url: "https://example.logs.gauntlet.test:8443/manager/api/users", traceID: "Root=1-5f3c2b1a-0123456789abcdef01234567", requestCreationTime: date, actionsExecuted: ["authenticate", "forward"], connTraceID: "TID_0123456789abcdef0123456789abcdef")
old.userAgent = "wrk"; old.target = "127.0.0.1:9443"; old.targetStatusCode = 200; old.requestProcessingTime = 0.001; old.targetProcessingTime = 0.002; old.responseProcessingTime = 0
old.sslProtocol = "TLSv1.3"; old.targetGroupARN = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/manager-ui/0123456789abcdef"; old.domainName = "example.logs.gauntlet.test"; old.chosenCertARN = "arn:aws:acm:us-east-1:000000000000:certificate/gauntlet-stack-ca"; old.matchedRulePriority = 10
var new = AccessLogEntry(time: date, elb: old.elb, clientAddress: old.clientAddress, clientPort: old.clientPort, elbStatusCode: 200, receivedBytes: 5400, sentBytes: 320, method: "GET", url: old.url, traceID: old.traceID, requestCreationTime: date, actionsExecuted: old.actionsExecuted, connTraceID: old.connTraceID)
new.userAgent = "wrk"; new.target = old.target; new.targetStatusCode = 200; new.requestProcessingTime = 0.001; new.targetProcessingTime = 0.002; new.responseProcessingTime = 0
new.sslProtocol = "TLSv1.3"; new.targetGroupARN = old.targetGroupARN; new.domainName = old.domainName; new.chosenCertARN = old.chosenCertARN; new.matchedRulePriority = 10
print(old.line == new.line ? "access-log line identical" : "DIFFERENT:\n\(old.line)\n\(new.line)")
let e = time("access-log line (old)", 20000) { old.line.utf8.count }
let f = time("access-log line (new)", 20000) { new.line.utf8.count }
print(String(format: "  speed-up %.1fx", e / f))
let p = WildcardPattern("/manager/*", caseSensitive: true)
_ = time("wildcard /manager/*", 100000) { p.matches("/manager/api/users") ? 1 : 0 }
