/// The `vpc:` config as one nftables script, loaded into the subnet's namespace with `nft -f -`. Pure: the
/// same config gives the same text, which the tests read; the kernel does the enforcing.
///
/// - The NACL guards the private subnet's edge: packets into it from anywhere else (the public subnet, or the
///   link to the host) and packets out of it, each direction its own chain. Entries run lowest number
///   first and the first match decides, statelessly; what none matches meets `*`, a counted drop.
/// - Security groups guard each ENI: stateful (`ct state established,related` passes answers), inbound
///   rules only, everything not permitted dropped and counted per ENI. A rule naming another group admits
///   the addresses of the ENIs that group is attached to, as AWS's group references do.
///
/// NACL chains run at priority -10, before the security groups' at 0: an `accept` ends only its own chain,
/// a `drop` ends the packet.
struct VPCRuleset: Equatable {
    static let table = "gauntlet_vpc"

    /// A named nft counter and what it counts, for the stack's metrics.
    struct Counter: Equatable, Sendable {
        var name: String
        /// `nacl` or `security_group`.
        var layer: String
        /// `ingress`/`egress` for the NACL; the ENI (`manager-ui`) for a security group.
        var scope: String
        /// The NACL's rule number or `*`; `*` for a security group's implicit deny.
        var rule: String
        /// Whether the packets it counts are dropped (what `vpc_dropped_packets_total` adds up).
        var drops: Bool
    }

    private(set) var script = ""
    private(set) var counters: [Counter] = []

    init(config: VPCConfig) {
        let priv = VPCAddressPlan.privateSubnet
        var chains: [String] = []

        for egress in [false, true] {
            let direction = egress ? "egress" : "ingress"
            var lines = [
                "type filter hook \(egress ? "output" : "input") priority -10; policy accept;",
                // Traffic on lo that does not cross the private subnet's edge is not the NACL's business;
                // whatever comes in over the link from the host always is.
                egress ? "oifname \"lo\" ip6 saddr != \(priv) accept" : "iifname \"lo\" ip6 daddr != \(priv) accept",
                egress ? "oifname \"lo\" ip6 daddr \(priv) accept" : "iifname \"lo\" ip6 saddr \(priv) accept",
                egress ? "oifname \"lo\" meta nfproto ipv4 accept" : "iifname \"lo\" meta nfproto ipv4 accept",
            ]
            for entry in config.nacl.entries.filter({ $0.egress == egress }).sorted(by: { $0.ruleNumber < $1.ruleNumber }) {
                let name = "nacl_\(direction)_\(entry.ruleNumber)"
                let drops = entry.ruleAction == .deny
                counters.append(Counter(name: name, layer: "nacl", scope: direction, rule: "\(entry.ruleNumber)", drops: drops))
                let peer = "ip6 \(egress ? "daddr" : "saddr") \(IPv6Prefix(entry.ipv6CIDRBlock)?.description ?? entry.ipv6CIDRBlock)"
                let match = [peer, Self.match(entry.`protocol`, entry.portRange.map { ($0.from, $0.to) })].filter { !$0.isEmpty }
                lines.append("\(match.joined(separator: " ")) counter name \"\(name)\" \(drops ? "drop" : "accept")")
            }
            let name = "nacl_\(direction)_default"
            counters.append(Counter(name: name, layer: "nacl", scope: direction, rule: "*", drops: true))
            lines.append("counter name \"\(name)\" drop")
            chains.append(Self.chain("nacl_\(direction)", lines))
        }

        var dispatch = [
            "type filter hook input priority 0; policy accept;",
            "ct state established,related accept",
        ]
        for component in VPCComponent.allCases {
            let chainName = "sg_\(component.rawValue.replacingOccurrences(of: "-", with: "_"))"
            dispatch.append("ip6 daddr \(VPCAddressPlan.address(of: component)) jump \(chainName)")
            var lines: [String] = []
            for group in config.securityGroups where group.attachedTo.contains(component) {
                for permission in group.ipPermissions {
                    var sources = permission.ipv6Ranges.map { IPv6Prefix($0.cidrIPv6)?.description ?? $0.cidrIPv6 }
                    for pair in permission.userIDGroupPairs {
                        let members = config.securityGroups.filter { $0.groupID == pair.groupID }.flatMap(\.attachedTo)
                        sources += members.map(VPCAddressPlan.address(of:))
                    }
                    guard !sources.isEmpty else { continue }
                    let ports = permission.fromPort.flatMap { from in permission.toPort.map { (from, $0) } }
                    let match = ["ip6 saddr { \(sources.joined(separator: ", ")) }", Self.match(permission.ipProtocol, ports)]
                        .filter { !$0.isEmpty }
                    lines.append("\(match.joined(separator: " ")) accept comment \"\(group.groupID)\"")
                }
            }
            let counter = "\(chainName)_dropped"
            counters.append(Counter(name: counter, layer: "security_group", scope: component.rawValue, rule: "*", drops: true))
            lines.append("counter name \"\(counter)\" drop")
            chains.append(Self.chain(chainName, lines))
        }
        chains.insert(Self.chain("security_groups", dispatch), at: 2)

        var text = "table inet \(Self.table) {\n"
        for counter in counters { text += "    counter \(counter.name) { }\n" }
        text += chains.joined()
        text += "}\n"
        script = text
    }

    /// The protocol and destination-port part of a rule; empty for `-1` (all).
    private static func match(_ proto: VPCProtocol, _ ports: (Int, Int)?) -> String {
        switch proto {
        case .all: return ""
        case .icmpv6: return "meta l4proto ipv6-icmp"
        case .tcp, .udp:
            guard let (from, to) = ports else { return "meta l4proto \(proto.rawValue)" }
            return "\(proto.rawValue) dport \(from == to ? "\(from)" : "\(from)-\(to)")"
        }
    }

    private static func chain(_ name: String, _ lines: [String]) -> String {
        "    chain \(name) {\n" + lines.map { "        \($0)\n" }.joined() + "    }\n"
    }
}
