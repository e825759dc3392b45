import Hummingbird
import NIOCore
import NIOSSL

/// Request context carrying what the LB needs from the connection: the client's address and the TLS channel
/// (for the negotiated protocol in access logs).
public struct EdgeRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }

    /// ALB's `ssl_protocol` spelling (`TLSv1.2`, `TLSv1.3`), or nil when unknown.
    func tlsProtocolName() async -> String? {
        guard let version = try? await channel.nioSSL_tlsVersion().get() else { return nil }
        switch version {
        case .tlsv13: return "TLSv1.3"
        case .tlsv12: return "TLSv1.2"
        case .tlsv11: return "TLSv1.1"
        case .tlsv1: return "TLSv1"
        }
    }
}
