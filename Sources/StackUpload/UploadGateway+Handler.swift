import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension UploadGateway {
    func handleUpload(_ request: Request) async -> Response {
        var request = request
        let requestID = UUID().uuidString.lowercased()

        // 1. The authorizer: a Bearer token, when required or sent.
        if let authorization = request.headers[.authorization] {
            guard authorization.count > 7, authorization.prefix(7).lowercased() == "bearer ", let bearer else {
                return failure(.unauthorized, "UnauthorizedException", "Unauthorized", requestID)
            }
            do {
                _ = try await bearer.verify(String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces))
            } catch {
                logger.info("upload: bearer token refused", metadata: ["reason": "\(error)", "request": "\(requestID)"])
                return failure(.unauthorized, "UnauthorizedException", "Unauthorized", requestID)
            }
        } else if config.requireBearer {
            return failure(.unauthorized, "UnauthorizedException", "Unauthorized", requestID)
        }

        // 2. The API key.
        guard let presented = request.headers[.gatewayAPIKey], let keyName = keysByValue[presented] else {
            return failure(.forbidden, "ForbiddenException", "Forbidden", requestID)
        }

        // 3. The key's token bucket.
        if case .throttled(let retryAfter) = throttle.take(key: keyName, now: clock()) {
            var response = failure(.tooManyRequests, "TooManyRequestsException", "Too Many Requests", requestID)
            response.headers[.retryAfter] = String(max(1, Int(retryAfter.rounded(.up))))
            return response
        }

        // 4. Content type and encoding.
        let format: EventBatchParser.Format
        switch Self.mediaType(request.headers[.contentType]) {
        case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines": format = .ndjson
        case "application/json": format = .jsonArray
        case let other:
            return failure(
                .unsupportedMediaType, "UnsupportedMediaTypeException",
                "Unsupported Media Type: Content-Type \(other.isEmpty ? "missing" : other); expected application/x-ndjson or application/json",
                requestID)
        }
        guard let encoding = BodyDecoder.Encoding(header: request.headers[.contentEncoding]) else {
            return failure(
                .unsupportedMediaType, "UnsupportedMediaTypeException",
                "Unsupported Media Type: Content-Encoding \(request.headers[.contentEncoding] ?? ""); expected gzip, deflate or identity",
                requestID)
        }

        // 5. The 10 MB cap, on the bytes received and then on the decoded bytes.
        let cap = config.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > cap {
            return tooLarge(cap, requestID)
        }
        let received: [UInt8]
        do {
            let buffer = try await request.collectBody(upTo: cap)
            received = Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            return tooLarge(cap, requestID)
        } catch {
            return failure(.badRequest, "BadRequestException", "could not read the request body: \(error)", requestID)
        }
        let body: [UInt8]
        do throws(BodyDecoder.DecodeError) {
            body = try BodyDecoder.decode(received, encoding: encoding, limit: cap)
        } catch {
            switch error {
            case .tooLarge:
                return tooLarge(cap, requestID)
            case .corrupt(let reason):
                return failure(
                    .unsupportedMediaType, "UnsupportedMediaTypeException",
                    "Unsupported Media Type: the \(encoding) body cannot be decoded (\(reason))", requestID)
            }
        }

        // 6. Every event, all or nothing.
        let batch: EventBatch
        do throws(EventBatchError) {
            batch = try EventBatchParser.parse(body, format: format, limits: limits)
        } catch {
            var fields: [(String, String)] = [("message", "Invalid request body: \(error.description)")]
            switch error.location {
            case .line(let n): fields.append(("line", String(n)))
            case .index(let n): fields.append(("index", String(n)))
            case .body: break
            }
            fields.append(("problem", Self.jsonString(error.problem)))
            return json(
                .badRequest,
                "{\"message\":\(Self.jsonString(fields[0].1))"
                    + fields.dropFirst().map { ",\"\($0.0)\":\($0.1)" }.joined() + "}",
                errorType: "BadRequestException", requestID)
        }

        // 7. Idempotency, scoped to the API key, then the durable append.
        var scopedKey: String?
        if let key = request.headers[.gatewayIdempotencyKey] {
            guard !key.isEmpty, key.utf8.count <= 255, key.utf8.allSatisfy({ $0 >= 0x21 && $0 < 0x7f }) else {
                return failure(
                    .badRequest, "BadRequestException",
                    "Idempotency-Key must be 1-255 visible ASCII characters", requestID)
            }
            scopedKey = keyName + " " + key
        }
        let receipt: AppendReceipt
        do {
            receipt = try await store.append(batch, idempotencyKey: scopedKey)
        } catch EventStore.StoreError.idempotencyConflict {
            return failure(
                .conflict, "ConflictException",
                "Idempotency-Key was already used with a different request body", requestID)
        } catch {
            logger.error("upload: store append failed", metadata: ["error": "\(error)", "request": "\(requestID)"])
            return failure(.serviceUnavailable, "ServiceUnavailableException", "Service Unavailable", requestID)
        }
        var response = json(
            .accepted, "{\"accepted\":\(receipt.count),\"batch\":\"\(receipt.batchID)\",\"offset\":\(receipt.offset)}",
            errorType: nil, requestID)
        if receipt.replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    private func tooLarge(_ cap: Int, _ requestID: String) -> Response {
        failure(.contentTooLarge, "RequestTooLargeException", "Request Too Long: the body is over \(cap) bytes (compressed or decoded)", requestID)
    }

    func failure(_ status: HTTPResponse.Status, _ errorType: String, _ message: String, _ requestID: String) -> Response {
        json(status, "{\"message\":\(Self.jsonString(message))}", errorType: errorType, requestID)
    }

    func json(_ status: HTTPResponse.Status, _ body: String, errorType: String?, _ requestID: String) -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .amznRequestID: requestID]
        if let errorType { headers[.amznErrorType] = errorType }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// `application/JSON; charset=utf-8` → `application/json`.
    static func mediaType(_ header: String?) -> String {
        guard let header else { return "" }
        return header.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
