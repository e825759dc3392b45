import Dispatch
import Logging
import Metrics
import ServiceLifecycle
import StackSupport

/// Which isolation keeps the UI backends private, as the endpoints file's `isolation` says.
public enum StackIsolation: String, Codable, Sendable {
    /// The backends are in a network namespace behind security groups and a NACL, and sign-checking too.
    case network
    /// Only the signature layer: the backends listen on 127.0.0.1 and refuse what the LB did not sign.
    case signature
}

/// The stack's private subnet while it runs: the namespace, the threads that make sockets in it, and the
/// drop counters. Made before the components, removed after they stop.
public final class PrivateSubnet: Sendable {
    public let namespace: SubnetNamespace
    let threads: NamespaceThreads

    private init(namespace: SubnetNamespace, threads: NamespaceThreads) {
        self.namespace = namespace
        self.threads = threads
    }

    /// The subnet for `config`, or nil with the reason when the stack runs with the signature layer only:
    /// because the config asks for that, or (`auto`) because this process may not create namespaces.
    static func start(config: VPCConfig) async throws -> (subnet: PrivateSubnet?, signatureReason: String?) {
        if config.isolation == .signature { return (nil, "the stack config asks for it (vpc.isolation: signature)") }
        let namespace: SubnetNamespace
        do {
            namespace = try SubnetNamespace.create(config: config)
        } catch let error as SubnetError {
            if config.isolation == .auto, case .unavailable(let why) = error { return (nil, why) }
            throw error
        }
        do {
            let threads = try await NamespaceThreads(namespacePath: namespace.path)
            return (PrivateSubnet(namespace: namespace, threads: threads), nil)
        } catch {
            namespace.remove()
            throw error
        }
    }

    /// `service`, run so that the sockets it creates are in the subnet.
    func inside(_ service: any Service) -> any Service {
        InsideSubnet(service: service, executor: threads.executor)
    }

    /// Reads the kernel's drop counters every `interval` into `metrics` as `vpc_dropped_packets_total`.
    func dropCounters(into metrics: StackMetrics, interval: Duration = .seconds(2)) -> any Service {
        DropCounterPoller(namespace: namespace, metrics: metrics, interval: interval)
    }

    /// Stops the namespace's threads, then deletes the namespace and its link.
    func stop() async {
        await threads.shutdown()
        namespace.remove()
    }
}

private struct InsideSubnet: Service {
    let service: any Service
    let executor: NamespaceExecutor

    func run() async throws {
        try await withTaskExecutorPreference(executor) {
            try await service.run()
        }
    }
}

private struct DropCounterPoller: Service {
    let namespace: SubnetNamespace
    let metrics: StackMetrics
    let interval: Duration

    func run() async throws {
        let watched = namespace.counters.filter(\.drops)
        let series = watched.map {
            Counter(label: "vpc_dropped_packets_total", dimensions: [("layer", $0.layer), ("scope", $0.scope), ("rule", $0.rule)], factory: metrics.factory)
        }
        let namespace = self.namespace
        let interval = self.interval
        await cancelWhenGracefulShutdown {
            var last = [Int](repeating: 0, count: watched.count)
            while !Task.isCancelled {
                // `nft` runs as a child process: wait for it off the cooperative pool.
                let packets = await withCheckedContinuation { continuation in
                    DispatchQueue.global().async { continuation.resume(returning: namespace.readCounters()) }
                }
                for (index, counter) in watched.enumerated() {
                    let now = packets[counter.name] ?? last[index]
                    if now > last[index] { series[index].increment(by: now - last[index]) }
                    last[index] = now
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
