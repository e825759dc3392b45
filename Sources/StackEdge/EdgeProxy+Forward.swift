import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOSSL
import StackSupport

/// The hop to targets (TLS, via AsyncHTTPClient with a bounded keep-alive pool per target group) and ALB's
/// 502/503/504 mapping.
extension EdgeProxy {
    /// Headers that describe one connection and must not cross a proxy (RFC 9110 §7.6.1), plus the ones the LB
    /// sets itself. Any `x-amzn-oidc-*` a client sent is dropped separately. Lowercase, as `canonicalName` is.
    static let droppedRequestHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
        "content-length", "host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-port", "x-amzn-trace-id",
    ]
    static let droppedResponseHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length", "server-timing",
    ]
    static let maxTargetBodyBytes = 32 * 1024 * 1024
    /// `error_reason` when the group's connections are all busy and its queue is full (503 at once).
    static let capacityReason = "TargetConnectionLimitExceeded"
    /// `error_reason` when no connection came free within `target_connection_wait` (503).
    static let waitTimeoutReason = "TargetConnectionWaitTimeout"

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
        var outbound = HTTPClientRequest(url: target.baseURL + facts.path + (facts.rawQuery.isEmpty ? "" : "?" + facts.rawQuery))
        outbound.method = HTTPMethod(rawValue: facts.method)
        outbound.headers.reserveCapacity(request.headers.count + 8)
        var forwardedFor = ""
        for field in request.headers {
            let name = field.name.canonicalName
            if name == "x-forwarded-for" { forwardedFor += field.value + ", "; continue }
            if Self.droppedRequestHeaders.contains(name) || name.hasPrefix("x-amzn-oidc-") { continue }
            outbound.headers.add(name: field.name.rawName, value: field.value)
        }
        outbound.headers.add(name: "Host", value: facts.host)
        outbound.headers.add(name: "X-Forwarded-For", value: forwardedFor + facts.sourceIP)
        outbound.headers.add(name: "X-Forwarded-Proto", value: "https")
        outbound.headers.add(name: "X-Forwarded-Port", value: String(listenerPort.value))
        outbound.headers.add(name: "X-Amzn-Trace-Id", value: exchange.traceID)
        if let session {
            guard let data = oidcData(for: session, exchange: exchange) else {
                return .albError(500, errorReason: "AuthInvalidUserinfoResponse")
            }
            outbound.headers.add(name: "x-amzn-oidc-accesstoken", value: session.accessToken)
            outbound.headers.add(name: "x-amzn-oidc-identity", value: session.subject)
            outbound.headers.add(name: "x-amzn-oidc-data", value: data)
        }
        if body.readableBytes > 0 || facts.method == "POST" || facts.method == "PUT" || facts.method == "PATCH" {
            outbound.body = .bytes(body)
        }

        let dispatched = Self.seconds(since: exchange.received)
        let start = ContinuousClock.now
        var response: EdgeResponse
        // A bounded pool per target group: a request that finds every connection busy waits briefly, then is
        // refused with 503, as ALB does when its targets are at capacity; it never queues without bound.
        let gate = gates[group]
        let admission = await gate?.acquire() ?? .admitted
        switch admission {
        case let .refused(refusal):
            response = .albError(503, errorReason: refusal == .queueFull ? Self.capacityReason : Self.waitTimeoutReason)
            response.targetGroup = group
            response.dispatchSeconds = dispatched
            return response
        case .admitted:
            break
        }
        do {
            defer { gate?.release() }
            if stallMs > 0 { try await Task.sleep(for: .milliseconds(stallMs)) }
            let deadline = NIODeadline.now() + .nanoseconds(Int64(config.targetTimeout * 1e9))
            let reply = try await targetHTTP.execute(outbound, deadline: deadline)
            let replyBody = try await reply.body.collect(upTo: Self.maxTargetBodyBytes)
            response = EdgeResponse(status: Int(reply.status.code), body: replyBody)
            response.headers.reserveCapacity(reply.headers.count)
            for header in reply.headers where !Self.droppedResponseHeaders.contains(header.name.lowercased()) {
                response.headers.append((header.name, header.value))
            }
            response.targetStatus = Int(reply.status.code)
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

    /// `x-amzn-oidc-data` for the session: the one signed earlier for this cookie while it is valid, else a
    /// new signature, kept with the cached session. Nil when the userInfo cannot be signed.
    private func oidcData(for session: EdgeSession, exchange: Exchange) -> String? {
        if let cached = exchange.cachedOIDCData { return cached }
        guard let data = try? signer.sign(userInfoJSON: session.userInfoJSON, expiresAt: session.accessExpiresAt) else { return nil }
        if let key = exchange.sessionKey { sessions.attach(oidcData: data, to: key) }
        return data
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
