import GauntletCore
import SharedPrimitives

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

    /// RFC 1952 gzip. A zlib that will not start (out of memory) leaves the body uncompressed, as it always
    /// has, rather than stopping the run.
    static func gzipCompress(_ input: [UInt8]) -> [UInt8] {
        (try? Zlib.compress(input, format: .gzip)) ?? input
    }
}
