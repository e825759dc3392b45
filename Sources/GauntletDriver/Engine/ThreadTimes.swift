import Foundation
import GauntletCore

/// One thread's scheduler accounting, from `/proc/thread-self/schedstat`: time on a CPU, time runnable
/// but waiting for one, and how many times it was put on a CPU.
///
/// A worker that waits for a core cannot read a reply the moment it lands, so the connection looks busy
/// to the schedule and the wait is blamed on the target. The kernel's own count of that waiting is the
/// evidence that tells the two apart; the lag figures alone cannot.
struct ThreadTimes: Sendable, Equatable {
    var onCPU: Double
    var waiting: Double
    var slices: Int
    var at: Double

    /// This thread's figures now; nil where the kernel keeps no schedstat (then nothing is claimed).
    static func current() -> ThreadTimes? {
        guard let text = try? String(contentsOfFile: "/proc/thread-self/schedstat", encoding: .utf8) else { return nil }
        return parse(text, at: Clock.now())
    }

    /// `ON_CPU_NS WAIT_NS SLICES`, the format of `/proc/…/schedstat` (Documentation/scheduler/sched-stats).
    static func parse(_ text: String, at: Double) -> ThreadTimes? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 3, let cpu = Int(fields[0]), let wait = Int(fields[1]), let slices = Int(fields[2]) else { return nil }
        return ThreadTimes(onCPU: Double(cpu) / 1e9, waiting: Double(wait) / 1e9, slices: slices, at: at)
    }

    /// The generator's figures from each worker's times at its start and end.
    static func generatorCPU(_ spans: [(start: ThreadTimes, end: ThreadTimes)]) -> GeneratorCPU? {
        let usable = spans.filter { $0.end.at - $0.start.at >= 0.5 }
        guard !usable.isEmpty else { return nil }
        var busiest = 0.0, mostWaiting = 0.0, meanWait = 0.0
        for (start, end) in usable {
            let wall = end.at - start.at
            busiest = max(busiest, (end.onCPU - start.onCPU) / wall)
            let waitShare = (end.waiting - start.waiting) / wall
            if waitShare >= mostWaiting {
                mostWaiting = waitShare
                meanWait = (end.waiting - start.waiting) / Double(max(1, end.slices - start.slices))
            }
        }
        return GeneratorCPU(threads: usable.count, busiest: busiest, runQueueWait: mostWaiting, meanWait: meanWait)
    }
}
