import Hummingbird
import NIOCore

/// Request context carrying what the LB needs from the connection: the client's address and the channel (the
/// key to its handshake facts, for `ssl_protocol` and `ssl_cipher`).
public struct EdgeRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }
}
