import CZlib
import GauntletCore

/// Generated upload batches: NDJSON or a JSON array of events of about the scenario's size, seeded, and
/// gzip-compressed when asked. A few variants per batch shape are built before the run, so the hot path
/// only points libcurl at bytes that already exist.
struct UploadPayload: Sendable {
    var body: [UInt8]
    var events: Int
    var contentType: String
    var gzip: Bool

    static let marker = "gauntlet-load"

    /// `token`, when given, is written into the first event so that a search can find this batch (freshness).
    static func make(batch: UploadRequests.Batch, format: UploadRequests.Format, encoding: UploadRequests.Encoding, generator: inout SeededGenerator, variant: Int, token: String? = nil) -> UploadPayload {
        let levels = ["info", "warn", "error", "debug"]
        let words = ["login", "upload", "query", "timeout", "retry", "session", "token", "route", "cache", "disk"]
        var events: [String] = []
        events.reserveCapacity(batch.events)
        for i in 0..<batch.events {
            let level = levels[Int(generator.next() % UInt64(levels.count))]
            var message = ""
            // Pad with words up to the requested event size.
            let overhead = 96
            while message.utf8.count < max(8, batch.eventBytes - overhead) {
                message += words[Int(generator.next() % UInt64(words.count))] + " "
            }
            if i == 0, let token { message = token + " " + message }
            events.append("{\"source\":\"\(marker)\",\"level\":\"\(level)\",\"variant\":\(variant),\"seq\":\(i),\"message\":\"\(message)\"}")
        }
        let text = format == .ndjson ? events.joined(separator: "\n") + "\n" : "[" + events.joined(separator: ",") + "]"
        var body = Array(text.utf8)
        if encoding == .gzip { body = gzipCompress(body) }
        return UploadPayload(body: body, events: batch.events, contentType: format == .ndjson ? "application/x-ndjson" : "application/json", gzip: encoding == .gzip)
    }

    /// RFC 1952 gzip through zlib (window bits 15 + 16).
    static func gzipCompress(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard gauntlet_deflateInit2(&stream, Z_DEFAULT_COMPRESSION, 15 + 16) == Z_OK else { return input }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return -1 }
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        guard produced >= 0 else { return input }
        return Array(output[0..<produced])
    }
}
