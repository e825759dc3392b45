#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the live endpoint could not start: the syscall that failed and the system's reason.
public struct LiveServerError: Error, Sendable, Equatable, CustomStringConvertible {
    public var call: String
    public var code: Int32
    public var address: String

    public var description: String {
        let reason = String(cString: strerror(code))
        if call == "bind", code == EADDRINUSE { return "cannot listen on \(address): the port is in use (pass another, or port 0 for a free one)" }
        return "cannot listen on \(address): \(call) failed: \(reason)"
    }
}

/// The one door to the socket syscalls: every call's result passes through here, and a failure becomes
/// a typed error naming the call (`EINTR` is retried; `EAGAIN` is the caller's to handle).
enum Syscall {
    /// Runs `body` until it does not fail with EINTR; returns its result, or nil with `errno` set.
    @discardableResult
    static func retrying<Result: BinaryInteger>(_ body: () -> Result) -> Result {
        while true {
            let result = body()
            if result < 0, errno == EINTR { continue }
            return result
        }
    }

    /// `body`'s result, or a `LiveServerError` for `call` when it is negative.
    @discardableResult
    static func check<Result: BinaryInteger>(_ call: String, address: String, _ body: () -> Result) throws(LiveServerError) -> Result {
        let result = retrying(body)
        guard result >= 0 else { throw LiveServerError(call: call, code: errno, address: address) }
        return result
    }

    /// Makes `fd` non-blocking.
    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    /// Whether the last call failed only because it would have blocked.
    static var wouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }
}
