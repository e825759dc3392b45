import StackSupport

/// The `vpc:` section of the stack config: which isolation the private subnet gets, and its security groups
/// and network ACL in AWS's shape (EC2's `IpPermissions` and `NetworkAclEntry`, keys in snake_case).
///
/// ```yaml
/// vpc:
///   isolation: auto            # auto: a network namespace when the process may create one, else signature
///                              # network: a namespace or fail; signature: today's signed-header layer only
///   security_groups:           # merged over the defaults by group_id; stateful, inbound rules only
///     - group_id: sg-ui
///       attached_to: [manager-ui, analytics-ui]     # extension: which of the stack's ENIs carry the group
///       ip_permissions:
///         - {ip_protocol: tcp, from_port: 443, to_port: 443, user_id_group_pairs: [{group_id: sg-load-balancer}]}
///   nacl:                      # the private subnet's ACL; replaces the default entries when given
///     entries:                 # stateless; lowest rule_number first, first match wins, then `*` denies
///       - {rule_number: 100, egress: false, protocol: tcp, rule_action: allow,
///          ipv6_cidr_block: "fd5a:7c1e:90b3:1::/64", port_range: {from: 443, to: 443}}
/// ```
///
/// The defaults are the architecture's: the UIs accept only the load balancer's group on 443, the event store
/// only the gateway's; the NACL lets the public subnet (where the LB and the gateway have their ENIs) reach
/// 443 and the answers go back to its ephemeral ports. Every other packet into the subnet is dropped and counted.
public struct VPCConfig: StackConfigSection {
    public enum Isolation: String, Codable, Sendable, CaseIterable {
        case auto, network, signature
    }

    public var isolation: Isolation = .auto
    public var securityGroups: [SecurityGroup] = VPCConfig.defaultSecurityGroups
    public var nacl = NetworkACL()

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case isolation, securityGroups = "security_groups", nacl
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        isolation = try c.value(.isolation, default: d.isolation)
        let given = try c.value(.securityGroups, default: [SecurityGroup]())
        var groups = d.securityGroups
        for group in given {
            if let index = groups.firstIndex(where: { $0.groupID == group.groupID }) {
                groups[index] = group
            } else {
                groups.append(group)
            }
        }
        securityGroups = groups
        nacl = try c.value(.nacl, default: d.nacl)
        if let problem = VPCConfig.problem(in: securityGroups) {
            throw DecodingError.dataCorruptedError(forKey: .securityGroups, in: c, debugDescription: problem)
        }
    }

    /// A cross-group mistake decoding one group cannot see: a reference to a group that does not exist.
    static func problem(in groups: [SecurityGroup]) -> String? {
        let ids = Set(groups.map(\.groupID))
        for group in groups {
            for permission in group.ipPermissions {
                for pair in permission.userIDGroupPairs where !ids.contains(pair.groupID) {
                    return "\(group.groupID): user_id_group_pairs names \(pair.groupID), which no security group has as group_id (have: \(ids.sorted().joined(separator: ", ")))"
                }
            }
        }
        return nil
    }

    public static let defaultSecurityGroups: [SecurityGroup] = [
        SecurityGroup(groupID: "sg-load-balancer", attachedTo: [.loadBalancer]),
        SecurityGroup(groupID: "sg-upload-gateway", attachedTo: [.uploadGateway]),
        SecurityGroup(
            groupID: "sg-ui", attachedTo: [.managerUI, .analyticsUI],
            ipPermissions: [.init(ipProtocol: .tcp, fromPort: 443, toPort: 443, userIDGroupPairs: [.init(groupID: "sg-load-balancer")])]),
        SecurityGroup(
            groupID: "sg-event-store", attachedTo: [.eventStore],
            ipPermissions: [.init(ipProtocol: .tcp, fromPort: 443, toPort: 443, userIDGroupPairs: [.init(groupID: "sg-upload-gateway")])]),
    ]
}

/// The stack's network interfaces in the VPC, by the name a security group's `attached_to` uses.
public enum VPCComponent: String, Codable, Sendable, CaseIterable, Hashable {
    case loadBalancer = "load-balancer"
    case uploadGateway = "upload-gateway"
    case managerUI = "manager-ui"
    case analyticsUI = "analytics-ui"
    case eventStore = "event-store"
}

/// `ip_protocol` / `protocol`: AWS takes names or numbers, and `-1` for all.
public enum VPCProtocol: String, Codable, Sendable, Hashable {
    case tcp, udp, icmpv6, all = "-1"

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = (try? c.decode(String.self)) ?? (try? c.decode(Int.self)).map(String.init) ?? ""
        switch text.lowercased() {
        case "tcp", "6": self = .tcp
        case "udp", "17": self = .udp
        case "icmpv6", "58": self = .icmpv6
        case "-1", "all": self = .all
        default:
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not a protocol (expected tcp, udp, icmpv6, -1 or their numbers 6, 17, 58)")
        }
    }

    var hasPorts: Bool { self == .tcp || self == .udp }
}

public struct SecurityGroup: Codable, Sendable, Equatable {
    public var groupID: String
    public var attachedTo: [VPCComponent]
    public var ipPermissions: [Permission]

    public init(groupID: String, attachedTo: [VPCComponent] = [], ipPermissions: [Permission] = []) {
        self.groupID = groupID
        self.attachedTo = attachedTo
        self.ipPermissions = ipPermissions
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case groupID = "group_id", attachedTo = "attached_to", ipPermissions = "ip_permissions"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        groupID = try c.decode(String.self, forKey: .groupID)
        guard groupID.range(of: #"^[A-Za-z0-9._-]{1,255}$"#, options: .regularExpression) != nil else {
            throw DecodingError.dataCorruptedError(forKey: .groupID, in: c, debugDescription: "'\(groupID)' is not a group id like sg-ui")
        }
        attachedTo = try c.value(.attachedTo, default: [])
        ipPermissions = try c.value(.ipPermissions, default: [])
    }

    /// One inbound rule. Sources are CIDR blocks and other groups (whose members' addresses it admits).
    public struct Permission: Codable, Sendable, Equatable {
        public var ipProtocol: VPCProtocol
        public var fromPort: Int?
        public var toPort: Int?
        public var ipv6Ranges: [IPv6Range]
        public var userIDGroupPairs: [GroupPair]

        public init(ipProtocol: VPCProtocol, fromPort: Int? = nil, toPort: Int? = nil, ipv6Ranges: [IPv6Range] = [], userIDGroupPairs: [GroupPair] = []) {
            self.ipProtocol = ipProtocol
            self.fromPort = fromPort
            self.toPort = toPort
            self.ipv6Ranges = ipv6Ranges
            self.userIDGroupPairs = userIDGroupPairs
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case ipProtocol = "ip_protocol", fromPort = "from_port", toPort = "to_port"
            case ipv6Ranges = "ipv6_ranges", userIDGroupPairs = "user_id_group_pairs"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            ipProtocol = try c.decode(VPCProtocol.self, forKey: .ipProtocol)
            fromPort = try c.decodeIfPresent(Int.self, forKey: .fromPort)
            toPort = try c.decodeIfPresent(Int.self, forKey: .toPort)
            ipv6Ranges = try c.value(.ipv6Ranges, default: [])
            userIDGroupPairs = try c.value(.userIDGroupPairs, default: [])
            if ipProtocol.hasPorts {
                guard let from = fromPort, let to = toPort, (0...65535).contains(from), (from...65535).contains(to) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .fromPort, in: c, debugDescription: "\(ipProtocol.rawValue) needs from_port and to_port, 0…65535, from_port ≤ to_port")
                }
            }
            if ipv6Ranges.isEmpty && userIDGroupPairs.isEmpty {
                throw DecodingError.dataCorruptedError(
                    forKey: .ipv6Ranges, in: c, debugDescription: "a permission needs a source: ipv6_ranges or user_id_group_pairs")
            }
        }
    }

    public struct IPv6Range: Codable, Sendable, Equatable {
        public var cidrIPv6: String
        public init(cidrIPv6: String) { self.cidrIPv6 = cidrIPv6 }
        enum CodingKeys: String, CodingKey, CaseIterable { case cidrIPv6 = "cidr_ipv6" }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cidrIPv6 = try c.decode(String.self, forKey: .cidrIPv6)
            guard IPv6Prefix(cidrIPv6) != nil else {
                throw DecodingError.dataCorruptedError(forKey: .cidrIPv6, in: c, debugDescription: "'\(cidrIPv6)' is not an IPv6 CIDR block like fd5a:7c1e:90b3:1::/64")
            }
        }
    }

    public struct GroupPair: Codable, Sendable, Equatable {
        public var groupID: String
        public init(groupID: String) { self.groupID = groupID }
        enum CodingKeys: String, CodingKey, CaseIterable { case groupID = "group_id" }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            groupID = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .groupID)
        }
    }
}

/// The private subnet's network ACL: numbered, stateless allow/deny entries for each direction.
public struct NetworkACL: Codable, Sendable, Equatable {
    public var entries: [Entry]

    public init(entries: [Entry] = NetworkACL.defaultEntries) { self.entries = entries }

    enum CodingKeys: String, CodingKey, CaseIterable { case entries }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        entries = try c.value(.entries, default: NetworkACL.defaultEntries)
        var seen = Set<String>()
        for entry in entries where !seen.insert("\(entry.egress)/\(entry.ruleNumber)").inserted {
            throw DecodingError.dataCorruptedError(
                forKey: .entries, in: c,
                debugDescription: "two \(entry.egress ? "egress" : "ingress") entries have rule_number \(entry.ruleNumber); each must be unique per direction")
        }
    }

    /// The public subnet may open 443 in the private one; answers go back to its ephemeral ports.
    public static let defaultEntries: [Entry] = [
        Entry(ruleNumber: 100, egress: false, protocol: .tcp, ruleAction: .allow, ipv6CIDRBlock: VPCAddressPlan.publicSubnet, portRange: .init(from: 443, to: 443)),
        Entry(ruleNumber: 100, egress: true, protocol: .tcp, ruleAction: .allow, ipv6CIDRBlock: VPCAddressPlan.publicSubnet, portRange: .init(from: 1024, to: 65535)),
    ]

    public struct Entry: Codable, Sendable, Equatable {
        public enum Action: String, Codable, Sendable { case allow, deny }

        public var ruleNumber: Int
        public var egress: Bool
        public var `protocol`: VPCProtocol
        public var ruleAction: Action
        public var ipv6CIDRBlock: String
        public var portRange: PortRange?

        public init(ruleNumber: Int, egress: Bool, protocol: VPCProtocol, ruleAction: Action, ipv6CIDRBlock: String, portRange: PortRange? = nil) {
            self.ruleNumber = ruleNumber
            self.egress = egress
            self.protocol = `protocol`
            self.ruleAction = ruleAction
            self.ipv6CIDRBlock = ipv6CIDRBlock
            self.portRange = portRange
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case ruleNumber = "rule_number", egress, `protocol`, ruleAction = "rule_action"
            case ipv6CIDRBlock = "ipv6_cidr_block", portRange = "port_range"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            ruleNumber = try c.decode(Int.self, forKey: .ruleNumber)
            guard (1...32766).contains(ruleNumber) else {
                throw DecodingError.dataCorruptedError(forKey: .ruleNumber, in: c, debugDescription: "rule_number \(ruleNumber) is not in 1…32766 (32767 is the fixed `*` deny)")
            }
            egress = try c.value(.egress, default: false)
            `protocol` = try c.decode(VPCProtocol.self, forKey: .protocol)
            ruleAction = try c.decode(Action.self, forKey: .ruleAction)
            ipv6CIDRBlock = try c.decode(String.self, forKey: .ipv6CIDRBlock)
            guard IPv6Prefix(ipv6CIDRBlock) != nil else {
                throw DecodingError.dataCorruptedError(forKey: .ipv6CIDRBlock, in: c, debugDescription: "'\(ipv6CIDRBlock)' is not an IPv6 CIDR block like ::/0")
            }
            portRange = try c.decodeIfPresent(PortRange.self, forKey: .portRange)
            if `protocol`.hasPorts, portRange == nil {
                throw DecodingError.dataCorruptedError(forKey: .portRange, in: c, debugDescription: "\(`protocol`.rawValue) entries need port_range {from, to}")
            }
        }
    }

    public struct PortRange: Codable, Sendable, Equatable {
        public var from: Int
        public var to: Int
        public init(from: Int, to: Int) {
            self.from = from
            self.to = to
        }
        enum CodingKeys: String, CodingKey, CaseIterable { case from, to }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            from = try c.decode(Int.self, forKey: .from)
            to = try c.decode(Int.self, forKey: .to)
            guard (0...65535).contains(from), (from...65535).contains(to) else {
                throw DecodingError.dataCorruptedError(forKey: .to, in: c, debugDescription: "port_range \(from)-\(to) is not within 0…65535 with from ≤ to")
            }
        }
    }
}
