import Foundation
@testable import GauntletStack
import StackSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("the private subnet's config and its nftables ruleset")
struct VPCConfigTests {
    @Test func defaultsAreTheArchitecturesSecurityGroupsAndNACL() throws {
        let ruleset = VPCRuleset(config: VPCConfig())
        let script = ruleset.script
        // The UIs take 443 from the load balancer's ENI only; the store from the gateway's only.
        #expect(script.contains("""
                chain sg_manager_ui {
                    ip6 saddr { fd5a:7c1e:90b3:1::10 } tcp dport 443 accept comment "sg-ui"
                    counter name "sg_manager_ui_dropped" drop
                }
            """))
        #expect(script.contains("chain sg_analytics_ui {\n        ip6 saddr { fd5a:7c1e:90b3:1::10 } tcp dport 443 accept"))
        #expect(script.contains("chain sg_event_store {\n        ip6 saddr { fd5a:7c1e:90b3:1::20 } tcp dport 443 accept"))
        // Nothing may open a connection to the LB's or the gateway's ENI.
        #expect(script.contains("chain sg_load_balancer {\n        counter name \"sg_load_balancer_dropped\" drop\n    }"))
        // The NACL: the public subnet may reach 443, answers go to its ephemeral ports, `*` drops the rest.
        #expect(script.contains("ip6 saddr fd5a:7c1e:90b3:1::/64 tcp dport 443 counter name \"nacl_ingress_100\" accept\n        counter name \"nacl_ingress_default\" drop"))
        #expect(script.contains("ip6 daddr fd5a:7c1e:90b3:1::/64 tcp dport 1024-65535 counter name \"nacl_egress_100\" accept\n        counter name \"nacl_egress_default\" drop"))
        #expect(script.contains("ct state established,related accept"))
        // Every counter the script uses is declared, and only drop counters feed the metrics.
        for counter in ruleset.counters {
            #expect(script.contains("counter \(counter.name) { }"))
        }
        #expect(ruleset.counters.filter(\.drops).map(\.name).contains("nacl_ingress_default"))
        #expect(!ruleset.counters.filter(\.drops).map(\.name).contains("nacl_ingress_100"))
    }

    @Test func aGroupGivenByIDReplacesThatGroupOnly() throws {
        let config = try StackConfigLoader.decode(StackConfig.self, yaml: """
            vpc:
              security_groups:
                - group_id: sg-ui
                  attached_to: [manager-ui, analytics-ui]
                  ip_permissions:
                    - {ip_protocol: tcp, from_port: 8443, to_port: 8443, user_id_group_pairs: [{group_id: sg-load-balancer}]}
              nacl:
                entries:
                  - {rule_number: 90, protocol: tcp, rule_action: deny, ipv6_cidr_block: "fd5a:7c1e:90b3:1:0::10/128", port_range: {from: 443, to: 443}}
                  - {rule_number: 100, protocol: "-1", rule_action: allow, ipv6_cidr_block: "::/0"}
                  - {rule_number: 100, egress: true, protocol: "-1", rule_action: allow, ipv6_cidr_block: "::/0"}
            """)
        #expect(config.vpc.securityGroups.map(\.groupID) == ["sg-load-balancer", "sg-upload-gateway", "sg-ui", "sg-event-store"])
        let script = VPCRuleset(config: config.vpc).script
        #expect(script.contains("ip6 saddr { fd5a:7c1e:90b3:1::10 } tcp dport 8443 accept comment \"sg-ui\""))
        #expect(!script.contains("tcp dport 443 accept comment \"sg-ui\""))
        // Lowest number first; the CIDR in its canonical form; `-1` has no protocol match.
        #expect(script.contains("""
                    ip6 saddr fd5a:7c1e:90b3:1::10/128 tcp dport 443 counter name "nacl_ingress_90" drop
                    ip6 saddr ::/0 counter name "nacl_ingress_100" accept
            """))
    }

    @Test(arguments: [
        ("vpc:\n  security_groups:\n    - group_id: sg-x\n      ip_permissions:\n        - {ip_protocol: tcp, from_port: 1, to_port: 2, user_id_group_pairs: [{group_id: sg-nope}]}\n",
         "stack.yaml:2:", "sg-nope"),
        ("vpc:\n  nacl:\n    entries:\n      - {rule_number: 1, protocol: tcp, rule_action: allow, ipv6_cidr_block: \"10.0.0.0/8\", port_range: {from: 1, to: 2}}\n",
         "stack.yaml:4:", "not an IPv6 CIDR block"),
        ("vpc:\n  nacl:\n    entries:\n      - {rule_number: 40000, protocol: tcp, rule_action: allow, ipv6_cidr_block: \"::/0\"}\n",
         "stack.yaml:4:", "1…32766"),
        ("vpc:\n  nacl:\n    entries:\n      - {rule_number: 5, protocol: tcp, rule_action: allow, ipv6_cidr_block: \"::/0\"}\n",
         "stack.yaml:4:", "port_range"),
        ("vpc:\n  isolation: maybe\n", "stack.yaml:2:", "isolation"),
        ("vpc:\n  security_groups:\n    - {group_id: sg-y, attached_to: [database]}\n", "stack.yaml:3:", "attached_to"),
    ])
    func badVPCConfigIsALocatedError(yaml: String, location: String, mention: String) {
        do {
            _ = try StackConfigLoader.decode(StackConfig.self, yaml: yaml, file: "stack.yaml")
            Issue.record("expected an error for \(yaml)")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix(location), "\(text)")
            #expect(text.contains(mention), "\(text)")
        }
    }

    /// A built-in target group with targets is honoured (the runner keeps them); one without is refused
    /// where it stands, never silently replaced.
    @Test func builtInTargetGroupsAreHonouredOrRefusedNeverIgnored() throws {
        let honoured = try StackConfigLoader.decode(StackConfig.self, yaml: "edge:\n  target_groups:\n    manager-ui: [\"https://127.0.0.1:9443\"]\n")
        #expect(honoured.edge.targetGroups["manager-ui"]?.targets == ["https://127.0.0.1:9443"])
        do {
            _ = try StackConfigLoader.decode(StackConfig.self, yaml: "edge:\n  target_groups:\n    analytics-ui: []\n", file: "s.yaml")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasPrefix("s.yaml:3:"), "\(error)")
            #expect("\(error)".contains("edge.target_groups.analytics-ui"), "\(error)")
        }
    }
}

/// Creating namespaces needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and `nft`; elsewhere these are skipped.
@Suite("the private subnet, live", .enabled(if: getuid() == 0 && Tools.canFind, "needs root, ip and nft"))
struct VPCLiveTests {
    @Test(.timeLimit(.minutes(2))) func backendsAreUnreachableFromTheHostAndTheNamespaceGoesAwayOnShutdown() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = StackConfig()
        config.identity.demoUsers.managers = 1
        config.identity.demoUsers.analysts = 1
        config.identity.passwordHashRounds = 1000
        config.vpc.isolation = .network
        let stack = try await ReferenceStack.start(config: config, stateDirectory: dir)
        let vpc = try #require(stack.endpoints.vpc)
        #expect(stack.endpoints.isolation == .network)
        #expect(stack.endpoints.direct.manager == "https://[fd5a:7c1e:90b3:2::10]:443")
        #expect(FileManager.default.fileExists(atPath: "/run/netns/\(vpc.namespace)"))
        // From this (host) thread, the backends' addresses are not reachable.
        for address in [VPCAddressPlan.address(of: .managerUI), VPCAddressPlan.address(of: .analyticsUI)] {
            #expect(!Self.connects(to: address, port: 443))
        }
        try await stack.shutdown()
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(vpc.namespace)"))
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(vpc.hostInterface)"))
    }

    @Test func aStaleNamespaceOfADeadProcessIsRemovedAtTheNextStart() throws {
        let tools = try Tools.find()
        // PID 2^22 + 1 is above Linux's pid_max limit, so no process can have it.
        let stale = "\(SubnetNamespace.namePrefix)4194305-1"
        try tools.ip(["netns", "add", stale])
        let subnet = try SubnetNamespace.create(config: VPCConfig())
        defer { subnet.remove() }
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(stale)"))
        #expect(FileManager.default.fileExists(atPath: "/run/netns/\(subnet.name)"))
    }

    /// A blocking connect with a 1 s timeout; true only if the handshake completed.
    static func connects(to address: String, port: UInt16) -> Bool {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sa = sockaddr_in6()
        sa.sin6_family = sa_family_t(AF_INET6)
        sa.sin6_port = port.bigEndian
        _ = inet_pton(AF_INET6, address, &sa.sin6_addr)
        return withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 }
        }
    }
}
