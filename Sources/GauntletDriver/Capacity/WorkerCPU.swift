import Foundation
import Synchronization

/// The CPU the load-generator threads (`gauntlet-wrk-N`) use, read from /proc/self/task.
///
/// The embedded stack shares the process, so the process's own CPU says nothing about the generator;
/// its worker threads' CPU does. Threads end with each step, so the sampler reads them while they run
/// and keeps, per thread, the ticks between the first and the last time it was seen.
final class WorkerCPU: Sendable {
    private struct Thread {
        var firstTicks: Int
        var lastTicks: Int
        var firstSeen: Double
        var lastSeen: Double
    }

    private let threads = Mutex<[Int: Thread]>([:])
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    /// The driver names its worker threads `gauntlet-wrk-N` (Linux allows 15 bytes).
    private static let prefix = "gauntlet-wrk-"

    /// Reads every worker thread's CPU ticks once.
    func sample(now: Double) {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return }
        var seen: [(Int, Int)] = []
        for task in tasks {
            guard let tid = Int(task), let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                  let ticks = Self.workerTicks(stat: stat) else { continue }
            seen.append((tid, ticks))
        }
        threads.withLock { threads in
            for (tid, ticks) in seen {
                if threads[tid] == nil {
                    threads[tid] = Thread(firstTicks: ticks, lastTicks: ticks, firstSeen: now, lastSeen: now)
                } else {
                    threads[tid]!.lastTicks = ticks
                    threads[tid]!.lastSeen = now
                }
            }
        }
    }

    /// The busiest worker thread's CPU as a fraction of one core (0 when none was seen twice).
    var busiest: Double {
        threads.withLock { threads in
            threads.values.map { thread in
                let span = thread.lastSeen - thread.firstSeen
                return span >= 0.5 ? Double(thread.lastTicks - thread.firstTicks) / Self.ticksPerSecond / span : 0
            }.max() ?? 0
        }
    }

    /// utime + stime of a `/proc/…/stat` line whose thread is a load worker; nil for any other thread.
    static func workerTicks(stat: String) -> Int? {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        guard stat[stat.index(after: open)..<close].hasPrefix(prefix) else { return nil }
        // Fields after the name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
}
