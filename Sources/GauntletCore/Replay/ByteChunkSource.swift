import Foundation

/// Where a replay reader's bytes come from, a chunk at a time.
///
/// Readers stream so that a day of access logs never has to fit in memory. Core decodes no
/// compression itself (it imports no C); a gzip source lives in `GauntletReports` and wraps a plain one.
public protocol ByteChunkSource {
    /// The next chunk of bytes, or nil once the source is exhausted. Chunks are never empty.
    mutating func nextChunk() throws(ReplayIssue) -> [UInt8]?
    /// The name errors should mention: the file as the user named it.
    var name: String { get }
}

/// Reads a file in fixed-size chunks.
public struct FileChunkSource: ByteChunkSource {
    public let name: String
    private let handle: FileHandle
    private let chunkSize: Int

    /// Opens `path` for reading; the error names the file and says why it could not be opened.
    public init(path: String, chunkSize: Int = 64 * 1024) throws(ReplayIssue) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (permissions?)" : "does not exist"
            throw ReplayIssue(file: path, line: 0, message: "the file \(reason)")
        }
        self.name = path
        self.handle = handle
        self.chunkSize = max(1, chunkSize)
    }

    public mutating func nextChunk() throws(ReplayIssue) -> [UInt8]? {
        do {
            guard let data = try handle.read(upToCount: chunkSize), !data.isEmpty else { return nil }
            return [UInt8](data)
        } catch {
            throw ReplayIssue(file: name, line: 0, message: "read failed: \(error.localizedDescription)")
        }
    }
}

/// Bytes already in memory, handed out in chunks of a chosen size (tests use small chunks to
/// exercise lines that straddle chunk boundaries).
public struct MemoryChunkSource: ByteChunkSource {
    public let name: String
    private let bytes: [UInt8]
    private let chunkSize: Int
    private var offset = 0

    public init(name: String, bytes: [UInt8], chunkSize: Int = 64 * 1024) {
        self.name = name
        self.bytes = bytes
        self.chunkSize = max(1, chunkSize)
    }

    public init(name: String, text: String, chunkSize: Int = 64 * 1024) {
        self.init(name: name, bytes: Array(text.utf8), chunkSize: chunkSize)
    }

    public mutating func nextChunk() throws(ReplayIssue) -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + chunkSize)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// Splits a chunk source into numbered lines (LF or CRLF), the last one possibly without a newline.
public struct LineSplitter<Source: ByteChunkSource> {
    public private(set) var source: Source
    private var buffer: [UInt8] = []
    private var start = 0
    private var exhausted = false
    /// The 1-based number of the line most recently returned.
    public private(set) var lineNumber = 0

    public init(_ source: Source) {
        self.source = source
    }

    /// The next line without its terminator, or nil at the end of the source.
    public mutating func nextLine() throws(ReplayIssue) -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                lineNumber += 1
                return line
            }
            if exhausted {
                guard start < buffer.count else { return nil }
                var end = buffer.count
                if buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = buffer.count
                lineNumber += 1
                return line
            }
            // Compact before reading more, so memory stays bounded by the longest line.
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            if let chunk = try source.nextChunk() {
                buffer.append(contentsOf: chunk)
            } else {
                exhausted = true
            }
        }
    }
}

/// Any chunk source behind one concrete type, for callers that choose the source at run time
/// (plain or gzip, by the file's first bytes).
public struct AnyByteChunkSource: ByteChunkSource {
    private var base: any ByteChunkSource

    public init(_ base: any ByteChunkSource) {
        self.base = base
    }

    public var name: String { base.name }

    public mutating func nextChunk() throws(ReplayIssue) -> [UInt8]? {
        try base.nextChunk()
    }
}
