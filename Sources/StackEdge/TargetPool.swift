import Synchronization

/// The target groups' URLs with round-robin selection. A group without targets is ALB's "no healthy
/// targets" (503).
final class TargetPool: Sendable {
    struct Target: Sendable, Hashable {
        var baseURL: String
        /// `ip:port` for access logs.
        var hostPort: String
        /// Reached through the load balancer's ENI in the stack's private subnet.
        var inSubnet = false
    }

    private let groups: [String: [Target]]
    private let next = Atomic<Int>(0)

    init(_ config: [String: EdgeConfig.TargetGroup], subnetHosts: Set<String> = []) {
        var groups: [String: [Target]] = [:]
        for (name, group) in config {
            groups[name] = group.targets.compactMap { url in
                guard let parts = URLParts(url) else { return nil }
                var base = url
                while base.hasSuffix("/") { base.removeLast() }
                let host = parts.host.contains(":") ? "[\(parts.host)]" : parts.host
                return Target(baseURL: base, hostPort: "\(host):\(parts.port)", inSubnet: subnetHosts.contains(parts.host))
            }
        }
        self.groups = groups
    }

    var groupNames: [String] { Array(groups.keys) }

    func pick(_ group: String) -> Target? {
        guard let targets = groups[group], !targets.isEmpty else { return nil }
        let n = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return targets[(n & Int.max) % targets.count]
    }
}
