import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// The LB's listener channel: HTTP/1.1 over TLS, with a ``TLSHandshakeSniffer`` under the TLS handler so that
/// every connection's negotiated protocol and cipher are known to the request path (`ssl_protocol`,
/// `ssl_cipher`) without asking the channel's event loop for them on each request.
struct EdgeTLSChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let sslContext: NIOSSLContext
    let handshakes: TLSHandshakeRegistry

    var responder: HTTPChannelHandler.Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(TLSHandshakeSniffer(registry: handshakes))
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }

    /// Hummingbird's server builder for this channel.
    static func server(http: HTTP1Channel.Configuration, tls: TLSConfiguration, handshakes: TLSHandshakeRegistry) throws -> HTTPServerBuilder {
        let context = try NIOSSLContext(configuration: tls)
        return HTTPServerBuilder { responder in
            EdgeTLSChannel(base: HTTP1Channel(responder: responder, configuration: http), sslContext: context, handshakes: handshakes)
        }
    }
}

/// Each open connection's handshake facts, by channel; entries go when their connection closes.
final class TLSHandshakeRegistry: Sendable {
    private let facts = Mutex<[ObjectIdentifier: TLSHandshakeFacts]>([:])

    func record(_ value: TLSHandshakeFacts, for channel: any Channel) { facts.withLock { $0[ObjectIdentifier(channel)] = value } }
    func forget(_ channel: any Channel) { _ = facts.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) } }
    func facts(for channel: any Channel) -> TLSHandshakeFacts? { facts.withLock { $0[ObjectIdentifier(channel)] } }
    var count: Int { facts.withLock { $0.count } }
}

/// Sits between the socket and the TLS handler and reads the ServerHello on its way out; after that (or
/// after 16 KB without one) it only passes bytes through.
final class TLSHandshakeSniffer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let registry: TLSHandshakeRegistry
    private var seen = ByteBuffer()
    private var done = false

    init(registry: TLSHandshakeRegistry) { self.registry = registry }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !done {
            var buffer = unwrapOutboundIn(data)
            seen.writeBuffer(&buffer)
            if let facts = seen.withUnsafeReadableBytes({ TLSHandshakeFacts.parseServerHello($0) }) {
                registry.record(facts, for: context.channel)
                done = true
                seen = ByteBuffer()
            } else if seen.readableBytes > 16 * 1024 {
                done = true
                seen = ByteBuffer()
            }
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.forget(context.channel)
        context.fireChannelInactive()
    }
}
