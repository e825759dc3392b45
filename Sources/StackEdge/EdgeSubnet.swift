import NIOCore

/// How the load balancer reaches targets inside the stack's private subnet: its own ENI there. Connections
/// to those targets are made on `eventLoopGroup`, whose threads are in the subnet's network namespace, from
/// `localAddress`, the address the subnet's security groups know the load balancer by. Targets elsewhere
/// (a user's own target group on 127.0.0.1) go through the ordinary client, as before.
public struct EdgeSubnet: Sendable {
    public var eventLoopGroup: any EventLoopGroup
    public var localAddress: String
    /// Target hosts (as written in their URLs, without brackets) that live in the subnet.
    public var targetHosts: Set<String>

    public init(eventLoopGroup: any EventLoopGroup, localAddress: String, targetHosts: Set<String>) {
        self.eventLoopGroup = eventLoopGroup
        self.localAddress = localAddress
        self.targetHosts = targetHosts
    }
}
