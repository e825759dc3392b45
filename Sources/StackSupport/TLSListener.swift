import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// How every stack component starts its HTTPS listener: a Hummingbird application bound to 127.0.0.1
/// (or, for the private subnet's backends, their address there; port 0 means ephemeral), TLS 1.2+ with the stack CA's leaf, and the real port reported through a
/// ``BoundPort`` once the server is accepting connections.
///
/// The returned application is a `Service`; the runner puts it in its `ServiceGroup`.
public enum TLSListener {
    public static func application<Responder: HTTPResponderBuilder>(
        router: Responder,
        name: String,
        port: Int,
        host: String = "127.0.0.1",
        tls: TLSConfiguration,
        bound: BoundPort,
        logger: Logger
    ) throws -> Application<Responder.Responder> {
        Application(
            router: router,
            server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: name),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port {
                    bound.fulfil(port)
                } else {
                    bound.fail(StackStartError.noLocalAddress(name))
                }
            },
            logger: logger)
    }
}

/// Why a stack component could not start.
public enum StackStartError: Error, CustomStringConvertible {
    case noLocalAddress(String)
    case stoppedBeforeBinding(String)

    public var description: String {
        switch self {
        case .noLocalAddress(let name): "\(name): the listener came up without a local address"
        case .stoppedBeforeBinding(let name): "\(name): the listener stopped before it was bound (port in use?)"
        }
    }
}
