import Foundation
import GauntletCore

/// Opens replay sources: a file's first bytes decide whether it is gzip.
public enum ReplaySourceFiles {
    /// A chunk source for `path`, decompressing on the fly when the file starts with gzip's magic bytes.
    public static func open(_ path: String) throws(ReplayIssue) -> AnyByteChunkSource {
        var probe = try FileChunkSource(path: path, chunkSize: 2)
        let magic = try probe.nextChunk() ?? []
        let plain = try FileChunkSource(path: path)
        if magic == [0x1F, 0x8B] {
            return AnyByteChunkSource(try GzipChunkSource(plain))
        }
        return AnyByteChunkSource(plain)
    }
}

extension ReplaySourceFiles {
    public enum Format: String, Sendable, CaseIterable {
        case alb, har, gauntlet
    }

    /// The format of `path`: by extension (`.har`, `.jsonl`/`.ndjson`, after any `.gz`), otherwise by
    /// its first line (JSON with `"t"`: Gauntlet's request log; other JSON: HAR; anything else: ALB).
    public static func detectFormat(_ path: String) throws(ReplayIssue) -> Format {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".har") { return .har }
        if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") { return .gauntlet }
        var lines = LineSplitter(try open(path))
        while let line = try lines.nextLine() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard trimmed.hasPrefix("{") else { return .alb }
            return trimmed.contains("\"t\"") && trimmed.contains("\"url\"") ? .gauntlet : .har
        }
        return .alb
    }

    /// A reader for `path` in `format` (detected when nil), decompressing gzip as needed.
    public static func reader(
        _ path: String, format: Format? = nil, strict: Bool = false, identity: ALBClientIdentity = .addressAndUserAgent
    ) throws(ReplayIssue) -> any RecordedRequestSource {
        let resolved: Format
        if let format { resolved = format } else { resolved = try detectFormat(path) }
        switch resolved {
        case .alb:
            return ALBLogReader(try open(path), strict: strict, identity: identity)
        case .gauntlet:
            return RequestLogReader(try open(path), strict: strict)
        case .har:
            // A HAR is one JSON document: read it whole (through gzip if need be).
            var source = try open(path)
            var bytes: [UInt8] = []
            while let chunk = try source.nextChunk() { bytes.append(contentsOf: chunk) }
            return try HARReader(name: path, data: Data(bytes), strict: strict)
        }
    }
}
