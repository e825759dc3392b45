import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why the private subnet could not be made. `unavailable` means this process may not (no CAP_NET_ADMIN or
/// CAP_SYS_ADMIN, or `ip`/`nft` missing): with `isolation: auto` the stack falls back to the signature layer.
public enum SubnetError: Error, CustomStringConvertible, Equatable {
    case unavailable(String)
    case setupFailed(command: String, output: String)

    public var description: String {
        switch self {
        case .unavailable(let why): "no network namespace: \(why)"
        case let .setupFailed(command, output): "the private subnet could not be set up: `\(command)` failed: \(output)"
        }
    }
}

/// One stack's VPC: a network namespace named after this process and a per-process ordinal, its loopback
/// holding the subnets' addresses, a veth link to the host whose namespace end is link-local only, and the
/// nftables ruleset from the config. `remove()` deletes the namespace (and with it the link); a namespace
/// left by a process that died without removing it (`kill -9`) is deleted by the next `create`.
public final class SubnetNamespace: Sendable {
    public static let namePrefix = "gauntlet-"
    /// `ip netns` keeps its namespaces here.
    static let directory = "/run/netns"

    public let name: String
    /// The host's end of the link into the namespace.
    public let hostInterface: String
    let counters: [VPCRuleset.Counter]
    private let tools: Tools

    private static let ordinal = Atomic<Int>(0)

    private init(name: String, hostInterface: String, counters: [VPCRuleset.Counter], tools: Tools) {
        self.name = name
        self.hostInterface = hostInterface
        self.counters = counters
        self.tools = tools
    }

    /// Creates the namespace, its addresses, the link and the ruleset. On any failure after the namespace
    /// exists it is removed again before the error is thrown.
    public static func create(config: VPCConfig) throws(SubnetError) -> SubnetNamespace {
        let tools = try Tools.find()
        removeStale(tools: tools)
        let pid = getpid()
        let n = ordinal.add(1, ordering: .relaxed).newValue
        let name = "\(namePrefix)\(pid)-\(n)"
        // Interface names are at most 15 bytes: "gt" + pid (≤ 7 digits) + "h" + ordinal.
        let hostInterface = "gt\(pid)h\(n)"
        do throws(Tools.Failure) {
            try tools.ip(["netns", "add", name])
        } catch {
            throw .unavailable("`ip netns add` failed (creating a network namespace needs CAP_SYS_ADMIN and CAP_NET_ADMIN): \(error.output)")
        }
        let ruleset = VPCRuleset(config: config)
        let namespace = SubnetNamespace(name: name, hostInterface: hostInterface, counters: ruleset.counters, tools: tools)
        do throws(Tools.Failure) {
            try tools.ip(["-n", name, "link", "set", "lo", "up"])
            for component in VPCComponent.allCases {
                try tools.ip(["-n", name, "-6", "addr", "add", "\(VPCAddressPlan.address(of: component))/128", "dev", "lo", "nodad"])
            }
            try tools.ip(["link", "add", hostInterface, "type", "veth", "peer", "name", VPCAddressPlan.linkInside, "netns", name])
            try tools.ip(["-n", name, "addr", "add", "\(VPCAddressPlan.linkInsideAddress)/64", "dev", VPCAddressPlan.linkInside, "nodad"])
            try tools.ip(["-n", name, "link", "set", VPCAddressPlan.linkInside, "up"])
            try tools.ip(["link", "set", hostInterface, "up"])
            try tools.run(tools.ipPath, ["netns", "exec", name, tools.nftPath, "-f", "-"], input: ruleset.script)
        } catch {
            namespace.remove()
            throw .setupFailed(command: error.command, output: error.output)
        }
        return namespace
    }

    /// Deletes the namespace and the host's end of the link. Idempotent; errors are ignored (the namespace
    /// may already be gone), since this also runs on the way out of a failed start.
    public func remove() {
        _ = try? tools.ip(["netns", "del", name])
        if FileManager.default.fileExists(atPath: "/sys/class/net/\(hostInterface)") {
            _ = try? tools.ip(["link", "del", hostInterface])
        }
    }

    /// The packet counts of the ruleset's named counters, read from the kernel.
    public func readCounters() -> [String: Int] {
        guard let json = try? tools.run(tools.ipPath, ["netns", "exec", name, tools.nftPath, "-j", "list", "counters", "table", "inet", VPCRuleset.table]),
              let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let items = object["nftables"] as? [[String: Any]]
        else { return [:] }
        var packets: [String: Int] = [:]
        for item in items {
            guard let counter = item["counter"] as? [String: Any], let name = counter["name"] as? String else { continue }
            packets[name] = (counter["packets"] as? Int) ?? 0
        }
        return packets
    }

    /// The path `setns(2)` opens to enter the namespace.
    var path: String { "\(Self.directory)/\(name)" }

    /// Deletes `gauntlet-PID-N` namespaces whose process is gone (a stack killed with SIGKILL never ran its
    /// `remove`). A live process's namespaces are left alone, whoever it is.
    static func removeStale(tools: Tools) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(namePrefix) {
            let rest = name.dropFirst(namePrefix.count)
            guard let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }), pid > 0 else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH {
                _ = try? tools.ip(["netns", "del", name])
            }
        }
    }
}

/// `ip` and `nft`, found once, run without a shell.
struct Tools: Sendable {
    struct Failure: Error {
        var command: String
        var output: String
    }

    let ipPath: String
    let nftPath: String

    static func find() throws(SubnetError) -> Tools {
        guard let ip = locate("ip") else { throw .unavailable("`ip` (iproute2) is not installed") }
        guard let nft = locate("nft") else { throw .unavailable("`nft` (nftables) is not installed") }
        return Tools(ipPath: ip, nftPath: nft)
    }

    /// Whether both tools are installed (the live tests' condition).
    static var canFind: Bool { (try? find()) != nil }

    private static func locate(_ tool: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in path + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    @discardableResult
    func ip(_ arguments: [String]) throws(Failure) -> String {
        try run(ipPath, arguments)
    }

    @discardableResult
    func run(_ executable: String, _ arguments: [String], input: String? = nil) throws(Failure) -> String {
        let command = ([executable] + arguments).joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        if input == nil {
            process.standardInput = FileHandle.nullDevice
        } else {
            process.standardInput = stdin
        }
        do {
            try process.run()
        } catch {
            throw Failure(command: command, output: "\(error)")
        }
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        // Drained before waiting, so the tool never blocks on a full pipe (these tools write little to stderr).
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: err.isEmpty ? out : err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(command: command, output: text.isEmpty ? "exit status \(process.terminationStatus)" : text)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
