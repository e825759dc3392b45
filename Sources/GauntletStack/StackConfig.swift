import Foundation
import StackBackends
import StackDNS
import StackEdge
import StackIdentity
import StackSupport
import StackUpload

/// The whole stack's config file (YAML). Every key is optional; no file at all means every default.
///
/// ```yaml
/// seed: 42              # demo users, pool and client ids, passwords: all derived from it
/// region: us-east-1
/// domain: gauntlet.test # hostnames: <tenant>.logs.<domain>, auth.…, upload.…
/// tenant: example
/// ports: {lb: 0, idp: 0, upload: 0, dns: 0}   # 0 = ephemeral; every listener binds 127.0.0.1
/// identity: { … }       # IdentityConfig (StackIdentity)
/// edge: { … }           # EdgeConfig: rules, target groups, session timeout, faults (StackEdge)
/// backends: { … }       # BackendsConfig: the UI backends (StackBackends)
/// dns: { … }            # DNSConfig: TTL, extra records (StackDNS)
/// upload: { … }         # UploadConfig: API keys, throttling, limits, retention (StackUpload)
/// vpc: { … }            # VPCConfig: isolation, security groups, NACL of the private subnet
/// ```
///
/// Each component's module defines its own section type (a ``StackConfigSection``); adding one here is a
/// property, a `CodingKeys` case and one decode line. Unknown keys anywhere are errors naming key and line.
public struct StackConfig: StackConfigSection {
    public var seed: UInt64 = 42
    public var region = "us-east-1"
    public var domain = "gauntlet.test"
    public var tenant = "example"
    public var ports = Ports()
    public var identity = IdentityConfig()
    /// The load balancer: listener rules, target groups, session timeout, faults (StackEdge).
    public var edge = EdgeConfig()
    /// The Manager and Analytics UI backends (StackBackends).
    public var backends = BackendsConfig()
    /// The DNS server's TTL and extra records (StackDNS); its port is `ports.dns`.
    public var dns = DNSConfig()
    /// The upload gateway and event store (StackUpload); its port is `ports.upload`.
    public var upload = UploadConfig()
    /// The private subnet: its isolation, security groups and network ACL.
    public var vpc = VPCConfig()

    public init() {}

    /// Every listener's port in one place, so a config (or `run`'s embedded stack) can pin or free them all.
    public struct Ports: StackConfigSection {
        public var lb = 0
        public var idp = 0
        public var upload = 0
        public var dns = 0
        public init() {}
        enum CodingKeys: String, CodingKey, CaseIterable { case lb, idp, upload, dns }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            lb = try c.value(.lb, default: 0)
            idp = try c.value(.idp, default: 0)
            upload = try c.value(.upload, default: 0)
            dns = try c.value(.dns, default: 0)
            for (key, port) in [(CodingKeys.lb, lb), (.idp, idp), (.upload, upload), (.dns, dns)] where !(0...65_535).contains(port) {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "port \(port) is not in 0...65535")
            }
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case seed, region, domain, tenant, ports, identity, edge, backends, dns, upload, vpc
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        seed = try c.value(.seed, default: d.seed)
        region = try c.value(.region, default: d.region)
        domain = try c.value(.domain, default: d.domain)
        tenant = try c.value(.tenant, default: d.tenant)
        ports = try c.value(.ports, default: d.ports)
        identity = try c.value(.identity, default: d.identity)
        edge = try c.value(.edge, default: d.edge)
        backends = try c.value(.backends, default: d.backends)
        dns = try c.value(.dns, default: d.dns)
        upload = try c.value(.upload, default: d.upload)
        vpc = try c.value(.vpc, default: d.vpc)
        try Self.checkBuiltInTargetGroups(edge, in: c)
        guard region.range(of: #"^[a-z]{2}(-[a-z]+)+-[0-9]$"#, options: .regularExpression) != nil else {
            throw DecodingError.dataCorruptedError(forKey: .region, in: c, debugDescription: "'\(region)' is not an AWS region name like us-east-1")
        }
        for (key, label) in [(CodingKeys.domain, domain), (.tenant, tenant)] {
            guard label.range(of: #"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"#, options: .regularExpression) != nil else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(label)' is not a valid DNS name")
            }
        }
    }

    /// `edge.target_groups.manager-ui` (or `analytics-ui`) with targets replaces the built-in backend (the
    /// default rules forward there); one that lists none cannot be told from the default, so it is refused
    /// where it stands rather than silently replaced.
    private static func checkBuiltInTargetGroups(_ edge: EdgeConfig, in c: KeyedDecodingContainer<CodingKeys>) throws {
        guard let edgeKeys = try? c.nestedContainer(keyedBy: AnyConfigKey.self, forKey: .edge),
              let groups = try? edgeKeys.nestedContainer(keyedBy: AnyConfigKey.self, forKey: AnyConfigKey(stringValue: "target_groups"))
        else { return }
        for name in [EdgeConfig.managerTargetGroup, EdgeConfig.analyticsTargetGroup] {
            let key = AnyConfigKey(stringValue: name)
            guard groups.contains(key), edge.targetGroups[name]?.targets.isEmpty ?? true else { continue }
            throw DecodingError.dataCorruptedError(
                forKey: key, in: groups,
                debugDescription: "'\(name)' lists no targets; list yours (the built-in rules will forward to them) or leave it out to use the built-in backend")
        }
    }

    public var names: StackNames { StackNames(domain: domain, tenant: tenant) }

    /// Loads a config file (nil = defaults), with line:column errors.
    public static func load(_ url: URL?) throws -> StackConfig {
        try StackConfigLoader.load(StackConfig.self, from: url)
    }
}
