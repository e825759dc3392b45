import NIOCore
import NIOPosix
import ServiceLifecycle
import StackSupport
import Synchronization

/// The ports the server actually bound (they differ from the config when it asked for 0).
public struct DNSBoundPorts: Sendable, Equatable {
    public var host: String
    public var udp: Int
    public var tcp: Int
}

public enum DNSServerError: Error, CustomStringConvertible {
    case bindFailed(host: String, port: Int, underlying: String)
    case stoppedBeforeBinding

    public var description: String {
        switch self {
        case .bindFailed(let host, let port, let underlying): "dns: cannot bind \(host):\(port): \(underlying)"
        case .stoppedBeforeBinding: "dns: the server stopped before it bound its sockets"
        }
    }
}

/// The Route53 stand-in: one authority served over UDP and TCP on the same port, as a
/// swift-service-lifecycle `Service` that closes its sockets on graceful shutdown.
public final class DNSServer: Service, Sendable {
    public let authority: DNSAuthority
    private let host: String
    private let port: Int
    private let eventLoopGroup: any EventLoopGroup
    private let onServerRunning: @Sendable (DNSBoundPorts) async -> Void
    private let bound = BoundPortsLatch()
    /// The runner's handle on the port, fulfilled alongside `boundPorts()`.
    public let boundPort: BoundPort

    /// - Parameters:
    ///   - host: always loopback in the stack; only 127.0.0.0/8 is reachable.
    ///   - port: 0 picks a free port, the same for UDP and TCP.
    public init(
        authority: DNSAuthority, host: String = "127.0.0.1", port: Int,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        boundPort: BoundPort = BoundPort(name: "dns"),
        onServerRunning: @escaping @Sendable (DNSBoundPorts) async -> Void = { _ in }
    ) {
        self.authority = authority
        self.host = host
        self.port = port
        self.eventLoopGroup = eventLoopGroup
        self.boundPort = boundPort
        self.onServerRunning = onServerRunning
    }

    /// What the runner calls: the `dns` section plus the stack's names; `port` overrides the
    /// section's (the stack config's `ports.dns`).
    public convenience init(
        config: DNSConfig, names: StackNames, port: Int? = nil, boundPort: BoundPort = BoundPort(name: "dns"),
        onServerRunning: @escaping @Sendable (DNSBoundPorts) async -> Void = { _ in }
    ) throws {
        self.init(
            authority: try config.makeAuthority(names: names), port: port ?? config.port, boundPort: boundPort,
            onServerRunning: onServerRunning
        )
    }

    /// Suspends until the sockets are bound and returns their ports (for endpoints files and tests).
    public func boundPorts() async throws -> DNSBoundPorts {
        try await bound.wait()
    }

    public func run() async throws {
        let channels: (udp: any Channel, tcp: any Channel)
        do {
            channels = try await bind()
        } catch {
            bound.fail(error)
            boundPort.fail(error)
            throw error
        }
        let ports = DNSBoundPorts(
            host: host, udp: channels.udp.localAddress?.port ?? port, tcp: channels.tcp.localAddress?.port ?? port
        )
        bound.set(ports)
        boundPort.fulfil(ports.udp)
        await onServerRunning(ports)
        try? await gracefulShutdown()
        try? await channels.udp.close()
        try? await channels.tcp.close()
        bound.fail(DNSServerError.stoppedBeforeBinding)
        boundPort.fail(DNSServerError.stoppedBeforeBinding)
    }

    /// Binds UDP first, then TCP on the same number; with port 0 a TCP clash is retried on a new port.
    private func bind() async throws -> (udp: any Channel, tcp: any Channel) {
        let attempts = port == 0 ? 5 : 1
        var lastError: any Error = DNSServerError.stoppedBeforeBinding
        for _ in 0..<attempts {
            let udp: any Channel
            do {
                udp = try await bindUDP(port: port)
            } catch {
                throw DNSServerError.bindFailed(host: host, port: port, underlying: "\(error)")
            }
            let udpPort = udp.localAddress?.port ?? port
            do {
                let tcp = try await bindTCP(port: udpPort)
                return (udp, tcp)
            } catch {
                lastError = DNSServerError.bindFailed(host: host, port: udpPort, underlying: "TCP: \(error)")
                try? await udp.close()
            }
        }
        throw lastError
    }

    private func bindUDP(port: Int) async throws -> any Channel {
        let authority = self.authority
        return try await DatagramBootstrap(group: eventLoopGroup)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DNSDatagramHandler(authority: authority))
                }
            }
            .bind(host: host, port: port)
            .get()
    }

    private func bindTCP(port: Int) async throws -> any Channel {
        let authority = self.authority
        return try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        IdleStateHandler(readTimeout: .seconds(10)),
                        ByteToMessageHandler(DNSStreamFrameDecoder()),
                        DNSStreamHandler(authority: authority)
                    )
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}

/// Holds the bound ports once known and wakes everyone waiting for them.
final class BoundPortsLatch: Sendable {
    private enum State {
        case waiting([CheckedContinuation<DNSBoundPorts, any Error>])
        case bound(DNSBoundPorts)
        case failed(any Error)
    }

    private let state = Mutex<State>(.waiting([]))

    func wait() async throws -> DNSBoundPorts {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<DNSBoundPorts, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .bound(let ports): return .success(ports)
                case .failed(let error): return .failure(error)
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    func set(_ ports: DNSBoundPorts) {
        let waiters = state.withLock { state -> [CheckedContinuation<DNSBoundPorts, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .bound(ports)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: ports) }
    }

    /// Fails waiters that are still waiting; a latch that already holds ports keeps them.
    func fail(_ error: any Error) {
        let waiters = state.withLock { state -> [CheckedContinuation<DNSBoundPorts, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .failed(error)
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}
