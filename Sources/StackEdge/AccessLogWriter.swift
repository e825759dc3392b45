import Foundation
import Synchronization

/// Appends access-log lines to a file from its own thread, so a slow disk never holds up a request: the
/// request path only appends to an in-memory queue under a lock.
public final class AccessLogWriter: Sendable {
    public let path: String
    private let queue = Mutex<Queue>(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    struct Queue {
        var lines: [String] = []
        var closed = false
        var written = 0
    }

    public enum OpenError: Error, CustomStringConvertible {
        case cannotOpen(path: String, errno: Int32)
        public var description: String {
            if case let .cannotOpen(path, code) = self { return "cannot open access log \(path): \(String(cString: strerror(code)))" }
            return "access log error"
        }
    }

    /// Opens (creating or appending to) the file and starts the writer thread.
    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw OpenError.cannotOpen(path: path, errno: errno) }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw OpenError.cannotOpen(path: path, errno: errno) }
        _ = try? handle.seekToEnd()
        let thread = Thread { [self] in
            while true {
                self.wake.wait()
                // Let a burst gather: one write of many lines costs far less than many writes of one.
                usleep(2_000)
                let (batch, closed) = self.queue.withLock { q -> ([String], Bool) in
                    let batch = q.lines
                    q.lines.removeAll(keepingCapacity: true)
                    return (batch, q.closed)
                }
                if !batch.isEmpty {
                    let text = batch.joined(separator: "\n") + "\n"
                    try? handle.write(contentsOf: Data(text.utf8))
                    self.queue.withLock { $0.written += batch.count }
                }
                if closed, self.queue.withLock({ $0.lines.isEmpty }) { break }
            }
            try? handle.close()
            self.done.signal()
        }
        thread.name = "alb-access-log"
        thread.start()
    }

    /// Queues a record; never blocks on I/O. The line is rendered before the lock, and the writer thread is
    /// woken only when the queue was empty: under load one wake-up drains many lines, not one per request.
    public func append(_ entry: AccessLogEntry) {
        let line = entry.line
        let wasEmpty = queue.withLock { q -> Bool? in
            guard !q.closed else { return nil }
            q.lines.append(line)
            return q.lines.count == 1
        }
        if wasEmpty == true { wake.signal() }
    }

    /// Lines written to the file so far.
    public var writtenCount: Int { queue.withLock { $0.written } }

    /// Writes what is queued, closes the file and stops the thread. Safe to call more than once.
    public func close() {
        let first = queue.withLock { q -> Bool in
            defer { q.closed = true }
            return !q.closed
        }
        guard first else { return }
        wake.signal()
        done.wait()
    }
}

