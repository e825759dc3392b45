#if canImport(Glibc)
import Glibc
#endif
import GauntletCore

/// Resolves names through a given DNS server over UDP (the target's, e.g. the stack's Route53 stand-in),
/// so that the driver measures the lookup and pins its answer with CURLOPT_RESOLVE.
public struct DNSClient: Sendable {
    public var server: String
    public var port: UInt16
    public var timeout: Double

    public init(server: String, port: UInt16, timeout: Double = 2) {
        self.server = server
        self.port = port
        self.timeout = timeout
    }

    public struct Resolution: Sendable, Equatable {
        public var address: String
        public var ttl: UInt32
        /// How long the lookup took, in seconds.
        public var elapsed: Double
    }

    /// One lookup of `name`'s A record. Blocking (a worker calls it between requests, at most once per TTL).
    public func resolve(_ name: String) throws(TransportError) -> Resolution {
        let id = UInt16.random(in: 1...UInt16.max)
        let query: [UInt8]
        do { query = try DNSMessage.query(id: id, name: name) } catch { throw TransportError(category: .dns, code: -1, message: error.description) }
        let started = Clock.now()
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TransportError(category: .dns, code: Int(errno), message: "cannot open a UDP socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, server, &address.sin_addr) == 1 else {
            throw TransportError(category: .dns, code: -1, message: "DNS server \"\(server)\" is not an IPv4 address")
        }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, query, query.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == query.count else {
            throw TransportError(category: .dns, code: Int(errno), message: "cannot send a DNS query to \(server):\(port): \(String(cString: strerror(errno)))")
        }
        var buffer = [UInt8](repeating: 0, count: 1500)
        while true {
            let received = recv(fd, &buffer, buffer.count, 0)
            guard received > 0 else {
                let reason = errno == EAGAIN || errno == EWOULDBLOCK ? "no answer within \(timeout)s" : String(cString: strerror(errno))
                throw TransportError(category: .dns, code: Int(errno), message: "resolving \(name) via \(server):\(port): \(reason)")
            }
            do {
                let answer = try DNSMessage.parseAnswer(Array(buffer[0..<received]), id: id)
                return Resolution(address: answer.addresses[0], ttl: answer.ttl, elapsed: Clock.now() - started)
            } catch .idMismatch {
                continue
            } catch {
                throw TransportError(category: .dns, code: -1, message: "resolving \(name) via \(server):\(port): \(error.description)")
            }
        }
    }
}

/// Monotonic seconds.
enum Clock {
    @inline(__always)
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
