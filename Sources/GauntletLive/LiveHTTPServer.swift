#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// What the server asks of the site it serves. Called only on the server's own thread.
protocol LiveHandler: AnyObject {
    /// The answer to a well-formed request head.
    func reply(to head: HTTPRequestHead) -> LiveReply
    /// Called each turn of the loop: bytes to append to every open event stream (nil: nothing new),
    /// and whether the streams end after them.
    func streamUpdate(streams: Int) -> (bytes: [UInt8], end: Bool)?
}

enum LiveReply {
    case response(HTTPResponse)
    /// An event stream: `initial` first, then what `streamUpdate` returns, until the run ends (at once
    /// when `ended`).
    case stream(initial: [UInt8], ended: Bool)
}

/// A small HTTP/1.1 server over POSIX sockets on one thread of its own, for the live endpoint: it must
/// not take the generator's threads or bring a networking framework into the harness.
///
/// One `poll` loop, non-blocking sockets, and bounds on everything a client controls: connections
/// (`maxConnections`, then 503), head size (431), time to send a head (408), output buffered for a slow
/// event-stream reader (the reader is dropped). Every response closes its connection; the close lingers
/// (write side shut, input drained briefly) so that a client still sending never gets a reset instead of
/// its answer. Malformed input gets a 4xx that says what was wrong, never a crash.
final class LiveHTTPServer: Sendable {
    struct Limits: Sendable {
        var maxConnections = 64
        var maxHeadBytes = 8192
        var headTimeout: Duration = .seconds(10)
        var writeTimeout: Duration = .seconds(30)
        var maxBufferedStreamBytes = 16 << 20
    }

    let port: Int
    let address: LiveAddress
    private let listenFD: Int32
    private let wakeFDs: (read: Int32, write: Int32)
    private let limits: Limits
    private let stopping = Atomic<Bool>(false)
    private let drain = Mutex<Duration>(.zero)
    private let finished = DispatchSemaphore(value: 0)

    init(address: LiveAddress, limits: Limits = Limits()) throws(LiveServerError) {
        let name = address.description
        let fd = try Syscall.check("socket", address: name) { socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        do throws(LiveServerError) {
            var yes: Int32 = 1
            try Syscall.check("setsockopt", address: name) { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size)) }
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = in_port_t(UInt16(address.port).bigEndian)
            guard inet_pton(AF_INET, address.host, &socketAddress.sin_addr) == 1 else {
                throw LiveServerError(call: "inet_pton", code: EINVAL, address: name)
            }
            try Syscall.check("bind", address: name) {
                withUnsafePointer(to: &socketAddress) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            }
            try Syscall.check("listen", address: name) { listen(fd, 128) }
            var bound = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            try Syscall.check("getsockname", address: name) {
                withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            }
            var pipeFDs: [Int32] = [0, 0]
            try Syscall.check("pipe", address: name) { pipe(&pipeFDs) }
            Syscall.setNonBlocking(fd)
            Syscall.setNonBlocking(pipeFDs[0])
            Syscall.setNonBlocking(pipeFDs[1])
            listenFD = fd
            wakeFDs = (pipeFDs[0], pipeFDs[1])
            port = Int(UInt16(bigEndian: bound.sin_port))
            self.address = LiveAddress(host: address.host, port: port)
            self.limits = limits
        } catch {
            close(fd)
            throw error
        }
    }

    /// Starts serving `handler` on a thread of its own.
    func start(_ handler: some LiveHandler) {
        let loop = Loop(server: self, handler: handler)
        let thread = Thread { loop.run() }
        thread.name = "gauntlet-live"
        thread.start()
    }

    /// Makes the loop look at the handler's streams now rather than at its next tick.
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeFDs.write, &byte, 1)
    }

    /// Stops accepting, lets open connections take what is buffered for them for up to `drain`, closes
    /// every socket and returns once the thread has ended. Only the first call does anything.
    func stop(drain: Duration = .seconds(1)) {
        self.drain.withLock { $0 = drain }
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake()
        finished.wait()
    }

    /// The server's state, owned by its thread alone (hence unchecked: nothing else ever touches it).
    private final class Loop: @unchecked Sendable {
        let server: LiveHTTPServer
        let handler: any LiveHandler
        var connections: [Connection] = []

        init(server: LiveHTTPServer, handler: any LiveHandler) {
            self.server = server
            self.handler = handler
        }

        func run() {
            let clock = ContinuousClock()
            var stopDeadline: ContinuousClock.Instant?
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while true {
                let now = clock.now
                if stopDeadline == nil, server.stopping.load(ordering: .acquiring) {
                    stopDeadline = now + server.drain.withLock { $0 }
                }

                var fds = [pollfd(fd: server.listenFD, events: Int16(POLLIN), revents: 0), pollfd(fd: server.wakeFDs.read, events: Int16(POLLIN), revents: 0)]
                for connection in connections { fds.append(pollfd(fd: connection.fd, events: connection.events, revents: 0)) }
                _ = Syscall.retrying { poll(&fds, nfds_t(fds.count), 200) }

                if fds[1].revents != 0 { while read(server.wakeFDs.read, &buffer, buffer.count) > 0 {} }
                let now2 = clock.now
                for (index, connection) in connections.enumerated() {
                    let revents = fds[index + 2].revents
                    if revents != 0 { service(connection, revents: revents, buffer: &buffer, now: now2) }
                    expire(connection, now: now2)
                }
                if fds[0].revents & Int16(POLLIN) != 0, stopDeadline == nil { acceptClients(now: now2) }
                let streams = connections.filter { $0.state == .streaming }
                if let update = handler.streamUpdate(streams: streams.count) {
                    for connection in streams {
                        connection.enqueue(update.bytes)
                        if update.end { connection.state = .writing }
                        if connection.pending > server.limits.maxBufferedStreamBytes { connection.state = .closed }
                    }
                }
                for connection in connections where connection.pending > 0 && connection.state != .closed { flush(connection, now: now2) }
                connections.removeAll { connection in
                    guard connection.state == .closed else { return false }
                    close(connection.fd)
                    return true
                }
                // Checked after a turn, so that what was published just before the stop (the run's final
                // figures) still reaches the open streams.
                if let stopDeadline, clock.now >= stopDeadline || connections.allSatisfy({ $0.pending == 0 }) { break }
            }
            for connection in connections { close(connection.fd) }
            connections.removeAll()
            close(server.listenFD)
            close(server.wakeFDs.read)
            close(server.wakeFDs.write)
            server.finished.signal()
        }

        func acceptClients(now: ContinuousClock.Instant) {
            for _ in 0..<32 {
                let fd = Syscall.retrying { accept(server.listenFD, nil, nil) }
                guard fd >= 0 else { return }
                guard connections.count < server.limits.maxConnections + 64 else {
                    close(fd)
                    continue
                }
                Syscall.setNonBlocking(fd)
                let connection = Connection(fd: fd, parser: HTTPHeadParser(limit: server.limits.maxHeadBytes), since: now)
                if connections.count >= server.limits.maxConnections {
                    // Answered, not queued: the endpoint stays bounded however many clients arrive.
                    connection.respond(.error(503, "too many connections to the live endpoint (at most \(server.limits.maxConnections))"), now: now)
                }
                connections.append(connection)
            }
        }

        func service(_ connection: Connection, revents: Int16, buffer: inout [UInt8], now: ContinuousClock.Instant) {
            if revents & Int16(POLLNVAL | POLLERR) != 0 {
                connection.state = .closed
                return
            }
            guard revents & Int16(POLLIN | POLLHUP) != 0 else { return }
            let count = Syscall.retrying { read(connection.fd, &buffer, buffer.count) }
            if count == 0 || (count < 0 && !Syscall.wouldBlock) {
                // The peer is gone (or closed its side after its request): nothing more to send it.
                if connection.state != .writing || count < 0 { connection.state = .closed }
                if connection.state == .writing { connection.peerClosed = true }
                return
            }
            guard count > 0, connection.state == .reading else { return }
            switch connection.parser.feed(buffer[0..<count]) {
            case .needMore: return
            case .reject(let status, let reason): connection.respond(.error(status, reason), now: now)
            case .head(let head):
                let includeBody = head.method != "HEAD"
                if head.method != "GET" && head.method != "HEAD" {
                    connection.respond(.error(405, "the live endpoint only answers GET and HEAD", fields: [.init(name: "Allow", value: "GET, HEAD")]), now: now)
                } else if let length = head.field("content-length"), length != "0" {
                    connection.respond(.error(400, "a GET request takes no body"), now: now)
                } else if head.field("transfer-encoding") != nil {
                    connection.respond(.error(400, "a GET request takes no body"), now: now)
                } else {
                    switch handler.reply(to: head) {
                    case .response(let response): connection.respond(response, includeBody: includeBody, now: now)
                    case .stream(let initial, let ended):
                        connection.enqueue(HTTPResponse.eventStreamHead() + (includeBody ? initial : []))
                        connection.state = includeBody && !ended ? .streaming : .writing
                        connection.since = now
                    }
                }
            }
        }

        func flush(_ connection: Connection, now: ContinuousClock.Instant) {
            while connection.pending > 0 {
                let sent = connection.output.withUnsafeBufferPointer { bytes in
                    Syscall.retrying { send(connection.fd, bytes.baseAddress! + connection.sent, connection.pending, Int32(MSG_NOSIGNAL)) }
                }
                if sent < 0 {
                    if !Syscall.wouldBlock { connection.state = .closed }
                    return
                }
                connection.sent += sent
                connection.since = now
            }
            connection.output.removeAll(keepingCapacity: connection.output.capacity < 1 << 20)
            connection.sent = 0
            if connection.state == .writing {
                // Lingering close: the answer is out; shut our side and read whatever the client still sends.
                shutdown(connection.fd, Int32(SHUT_WR))
                connection.state = connection.peerClosed ? .closed : .lingering
                connection.since = now
            }
        }

        func expire(_ connection: Connection, now: ContinuousClock.Instant) {
            let age = now - connection.since
            switch connection.state {
            case .reading where age > server.limits.headTimeout:
                connection.respond(.error(408, "no complete request head within \(server.limits.headTimeout)"), now: now)
            case .writing where age > server.limits.writeTimeout, .lingering where age > .seconds(2):
                connection.state = .closed
            default: break
            }
        }
    }

    private final class Connection {
        enum State { case reading, writing, streaming, lingering, closed }

        let fd: Int32
        var parser: HTTPHeadParser
        var state = State.reading
        var output: [UInt8] = []
        var sent = 0
        var since: ContinuousClock.Instant
        var peerClosed = false

        init(fd: Int32, parser: HTTPHeadParser, since: ContinuousClock.Instant) {
            self.fd = fd
            self.parser = parser
            self.since = since
        }

        var pending: Int { output.count - sent }

        var events: Int16 {
            switch state {
            case .reading, .lingering: Int16(POLLIN)
            case .writing: Int16(POLLOUT)
            case .streaming: Int16(POLLIN) | (pending > 0 ? Int16(POLLOUT) : 0)
            case .closed: 0
            }
        }

        func enqueue(_ bytes: [UInt8]) {
            if sent > 0, sent == output.count {
                output.removeAll(keepingCapacity: true)
                sent = 0
            }
            output.append(contentsOf: bytes)
        }

        func respond(_ response: HTTPResponse, includeBody: Bool = true, now: ContinuousClock.Instant) {
            enqueue(response.serialized(includeBody: includeBody))
            state = .writing
            since = now
        }
    }
}
