import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOSSL

/// The hop to targets (TLS, via AsyncHTTPClient trusting the stack CA) and ALB's 502/503/504 mapping.
extension EdgeProxy {
    /// Headers that describe one connection and must not cross a proxy (RFC 9110 §7.6.1), plus the ones the LB
    /// sets itself. Any `x-amzn-oidc-*` a client sent is dropped separately.
    static let droppedRequestHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
        "content-length", "host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-port", "x-amzn-trace-id",
    ]
    static let droppedResponseHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length", "server-timing",
    ]
    static let maxTargetBodyBytes = 32 * 1024 * 1024

    func forward(_ request: Request, body: ByteBuffer, group chosenGroup: String, session: EdgeSession?, exchange: Exchange) async -> EdgeResponse {
        var group = chosenGroup
        let elapsedMs = Int(Self.seconds(since: started) * 1000)
        var stallMs = 0
        switch faults.effect(chosenGroup: chosenGroup, allGroups: targets.groupNames, roll: Double.random(in: 0..<1), elapsedMs: elapsedMs) {
        case .none: break
        case let .misroute(to): group = to
        case let .stall(ms): stallMs = ms
        case let .fail(status):
            var response = EdgeResponse.albError(status, errorReason: "FaultInjected")
            response.targetGroup = group
            return response
        }
        guard let target = targets.pick(group) else {
            var response = EdgeResponse.albError(503, errorReason: "NoHealthyTargets")
            response.targetGroup = group
            return response
        }

        let facts = exchange.facts
        var outbound = HTTPClientRequest(url: target.baseURL + facts.path + (facts.rawQuery.isEmpty ? "" : "?\(facts.rawQuery)"))
        outbound.method = HTTPMethod(rawValue: facts.method)
        var forwardedFor: [String] = []
        for header in facts.headers {
            let lower = header.name.lowercased()
            if lower == "x-forwarded-for" { forwardedFor.append(header.value); continue }
            if Self.droppedRequestHeaders.contains(lower) || lower.hasPrefix("x-amzn-oidc-") { continue }
            outbound.headers.add(name: header.name, value: header.value)
        }
        outbound.headers.add(name: "Host", value: facts.host)
        outbound.headers.add(name: "X-Forwarded-For", value: (forwardedFor + [facts.sourceIP]).joined(separator: ", "))
        outbound.headers.add(name: "X-Forwarded-Proto", value: "https")
        outbound.headers.add(name: "X-Forwarded-Port", value: "\(listenerPort.value)")
        outbound.headers.add(name: "X-Amzn-Trace-Id", value: exchange.traceID)
        if let session {
            do {
                let data = try signer.sign(userInfoJSON: session.userInfoJSON, expiresAt: session.accessExpiresAt)
                outbound.headers.add(name: "x-amzn-oidc-accesstoken", value: session.accessToken)
                outbound.headers.add(name: "x-amzn-oidc-identity", value: session.subject)
                outbound.headers.add(name: "x-amzn-oidc-data", value: data)
            } catch {
                return .albError(500, errorReason: "AuthInvalidUserinfoResponse")
            }
        }
        if body.readableBytes > 0 || ["POST", "PUT", "PATCH"].contains(facts.method) {
            outbound.body = .bytes(body)
        }

        let dispatched = Self.seconds(since: exchange.received)
        let start = ContinuousClock.now
        var response: EdgeResponse
        do {
            if stallMs > 0 { try await Task.sleep(for: .milliseconds(stallMs)) }
            let deadline = NIODeadline.now() + .nanoseconds(Int64(config.targetTimeout * 1e9))
            let reply = try await http.execute(outbound, deadline: deadline)
            let replyBody = try await reply.body.collect(upTo: Self.maxTargetBodyBytes)
            response = EdgeResponse(status: Int(reply.status.code), body: replyBody)
            for header in reply.headers where !Self.droppedResponseHeaders.contains(header.name.lowercased()) {
                response.headers.append((header.name, header.value))
            }
            response.targetStatus = Int(reply.status.code)
            let delay = faults.delay(group: group, answerSeconds: Self.seconds(since: exchange.received))
            if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
        } catch {
            let (status, reason) = Self.classify(error)
            response = .albError(status, errorReason: reason)
        }
        response.target = target.hostPort
        response.targetGroup = group
        response.targetSeconds = Self.seconds(since: start)
        response.dispatchSeconds = dispatched
        return response
    }

    /// ALB's reading of a failed target exchange: timeouts are 504, everything else the target did wrong is 502.
    static func classify(_ error: any Error) -> (status: Int, reason: String) {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return (504, "TargetResponseTimeout")
            case .connectTimeout:
                return (504, "TargetConnectionTimeout")
            case .remoteConnectionClosed:
                return (502, "TargetConnectionReset")
            default:
                return (502, "TargetConnectionError")
            }
        }
        if error is NIOSSLError || error is BoringSSLError { return (502, "TargetTLSError") }
        if error is IOError { return (502, "TargetConnectionRefused") }
        if error is CancellationError { return (504, "TargetResponseTimeout") }
        let text = String(describing: error)
        if text.contains("SSL") || text.contains("TLS") || text.contains("certificate") { return (502, "TargetTLSError") }
        return (502, "TargetResponseMalformed")
    }
}
