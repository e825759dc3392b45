#if canImport(Glibc)
import Glibc
#endif

/// Where everything sits in the VPC. The addresses exist only inside the namespace a stack creates, so
/// every stack (one namespace each) uses the same ones: a unique-local prefix that nothing outside routes.
///
/// The public subnet holds the ENIs of the load balancer and the upload gateway (their listeners stay on the
/// host's 127.0.0.1, where clients are); the private subnet holds the UIs and the event store. The UIs listen
/// on 443 as an ALB's targets usually do: the port is private to the namespace, so it never collides.
public enum VPCAddressPlan {
    public static let vpc = "fd5a:7c1e:90b3::/48"
    public static let publicSubnet = "fd5a:7c1e:90b3:1::/64"
    public static let privateSubnet = "fd5a:7c1e:90b3:2::/64"
    /// The namespace's end of the link to the host, which the NACL guards; link-local only, so the host has
    /// no route to either subnet through it.
    public static let linkInside = "link0"
    public static let linkInsideAddress = "fe80::1"
    public static let targetPort = 443

    public static func address(of component: VPCComponent) -> String {
        switch component {
        case .loadBalancer: "fd5a:7c1e:90b3:1::10"
        case .uploadGateway: "fd5a:7c1e:90b3:1::20"
        case .managerUI: "fd5a:7c1e:90b3:2::10"
        case .analyticsUI: "fd5a:7c1e:90b3:2::11"
        case .eventStore: "fd5a:7c1e:90b3:2::20"
        }
    }

    /// `https://[addr]:443`: how the load balancer reaches a UI inside the subnet.
    public static func targetURL(of component: VPCComponent, port: Int = targetPort) -> String {
        "https://[\(address(of: component))]:\(port)"
    }
}

/// An IPv6 CIDR block, parsed (by `inet_pton`) so that config errors are caught before nft sees them.
struct IPv6Prefix: Equatable, CustomStringConvertible {
    var bytes: [UInt8]
    var length: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), (0...128).contains(length) else { return nil }
        var raw = in6_addr()
        guard inet_pton(AF_INET6, String(parts[0]), &raw) == 1 else { return nil }
        bytes = withUnsafeBytes(of: raw) { Array($0) }
        self.length = length
    }

    /// The canonical text (`inet_ntop`), which is also what nft prints back.
    var description: String {
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
        let address = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(address)/\(length)"
    }
}
