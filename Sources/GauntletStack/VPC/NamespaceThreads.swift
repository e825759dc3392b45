import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Threads that live in the subnet's namespace. A socket belongs to the network namespace of the thread
/// that creates it, for its whole life; so the one process serves the subnet by creating the subnet's
/// sockets on these threads and nothing else changes:
///
/// - the UIs' listeners are bound by Hummingbird inside `run()`, which runs with ``executor`` as its task
///   executor preference (so its nonisolated bind runs on a namespace thread);
/// - the load balancer's connections to its targets are made by AsyncHTTPClient on ``eventLoopGroup``'s
///   loops, which entered the namespace before anything was scheduled on them (AHC creates a TLS
///   connection's socket on the connection's event loop).
///
/// Accepted connections inherit the listener's namespace, wherever they are served.
public final class NamespaceThreads: Sendable {
    public let executor: NamespaceExecutor
    public let eventLoopGroup: MultiThreadedEventLoopGroup

    public init(namespacePath: String, threads: Int = 2) async throws {
        let executor = try NamespaceExecutor(namespacePath: namespacePath, threads: threads)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            for loop in group.makeIterator() {
                try await loop.submit { try NetworkNamespaceEntry.enter(path: namespacePath) }.get()
            }
        } catch {
            try? await group.shutdownGracefully()
            executor.stop()
            throw error
        }
        self.executor = executor
        self.eventLoopGroup = group
    }

    /// Stops the loops and the executor's threads; call after everything that uses them has stopped.
    public func shutdown() async {
        try? await eventLoopGroup.shutdownGracefully()
        executor.stop()
    }
}

/// A task executor whose threads are in a network namespace: `withTaskExecutorPreference(executor) { … }`
/// runs the nonisolated code of that task and its child tasks there.
public final class NamespaceExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `queue`, `head` and `stopping` are touched only with `condition` locked.
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var head = 0
    private var stopping = false

    init(namespacePath: String, threads: Int) throws {
        let failures = StartFailures()
        let ready = DispatchSemaphore(value: 0)
        for index in 0..<threads {
            let thread = Thread { [self] in
                do throws(NetworkNamespaceEntry.Failure) {
                    try NetworkNamespaceEntry.enter(path: namespacePath)
                } catch {
                    failures.record(error)
                    ready.signal()
                    return
                }
                ready.signal()
                work()
            }
            thread.name = "gauntlet-vpc-\(index)"
            thread.start()
        }
        for _ in 0..<threads { ready.wait() }
        if let error = failures.first {
            stop()
            throw error
        }
    }

    /// What the threads report while starting (a thread that cannot enter the namespace ends at once).
    private final class StartFailures: @unchecked Sendable {
        // @unchecked: `errors` is touched only with `lock` held.
        private let lock = NSLock()
        private var errors: [NetworkNamespaceEntry.Failure] = []
        func record(_ error: NetworkNamespaceEntry.Failure) { lock.withLock { errors.append(error) } }
        var first: NetworkNamespaceEntry.Failure? { lock.withLock { errors.first } }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads finish the jobs queued so far, then end.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == queue.count && !stopping { condition.wait() }
            if head == queue.count {
                condition.unlock()
                return
            }
            let job = queue[head]
            head += 1
            if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// `setns(2)` for the calling thread only. Swift's Glibc module does not export `setns` (it is a
/// `_GNU_SOURCE` declaration), so the one call is looked up by name in the C library already loaded.
enum NetworkNamespaceEntry {
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot enter the network namespace \(path): \(reason)" }
    }

    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    private static let cloneNewNet: Int32 = 0x4000_0000

    static func enter(path: String) throws(Failure) {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else {
            throw Failure(path: path, reason: "the C library has no setns")
        }
        let setns = unsafeBitCast(symbol, to: SetNS.self)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard setns(fd, cloneNewNet) == 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
    }
}
