import Foundation
import GauntletCore

/// Runs a scenario: starts one worker thread per `http.workers`, merges their figures once a second,
/// reports progress, and returns the run's results when the schedule ends (or a stop is requested).
public enum Driver {
    /// Runs `scenario` against the target `endpoints` describes (the embedded stack's endpoints JSON, or an
    /// endpoints file of a stack started with `gauntlet stack`), or against the scenario's remote URLs
    /// when `endpoints` is nil.
    ///
    /// For `target: embedded`, the CLI starts the reference stack, and hands its endpoints here.
    public static func run(scenario: Scenario, endpoints: Endpoints?, options: DriverOptions) async throws(DriverError) -> RunResult {
        let target = try resolveTarget(scenario: scenario, endpoints: endpoints, options: options)
        let plan = RunPlan(scenario: scenario, target: target, workers: options.workers ?? scenario.http.workers, shard: options.shard ?? .whole)
        return try await run(plan: plan, options: options)
    }

    public static func run(plan: RunPlan, options: DriverOptions) async throws(DriverError) -> RunResult {
        let scenario = plan.scenario
        let links = (0..<plan.workers).map { _ in WorkerLink() }
        let stop = options.stop
        var workers = try makeWorkers(plan: plan, links: links, stop: stop)
        if let startAt = options.startAt { await waitUntil(startAt, stop: stop) }
        let started = Date()
        let origin = start(workers)
        workers.removeAll()  // each thread holds its worker; it is released when the thread ends

        var accumulator = RunAccumulator(scenario: scenario, workers: plan.workers, shard: plan.shard)
        var requestLog: FileHandle?
        if scenario.http.requestLog, let path = options.requestLogPath {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            requestLog = FileHandle(forWritingAtPath: path)
            if requestLog == nil { options.onWarning?("cannot write the request log \(path); the run goes on without it") }
        }
        defer { try? requestLog?.close() }
        func writeLog() {
            for link in links {
                for chunk in link.drainLog() { requestLog?.write(Data(chunk)) }
            }
        }
        // Interval histograms go to their file as they close when a path is given (flat memory on long runs).
        var intervalLog: FileHandle?
        if let path = options.intervalsPath {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            intervalLog = FileHandle(forWritingAtPath: path)
        }
        defer { try? intervalLog?.close() }
        let intervalEncoder = ResultsWriter.lineEncoder()
        func writeIntervals() {
            guard let intervalLog else { return }
            var lines = Data()
            for interval in accumulator.takeIntervals() {
                guard let line = try? intervalEncoder.encode(interval) else { continue }
                lines.append(line)
                lines.append(0x0A)
            }
            if !lines.isEmpty { intervalLog.write(lines) }
        }
        var lastProgress = 0.0
        var failureNoted: String?
        while !links.allSatisfy({ $0.finished.load(ordering: .acquiring) }) {
            await pause(stop)
            for link in links { for record in link.drain() { accumulator.add(record) } }
            writeLog()
            writeIntervals()
            let elapsed = Clock.now() - origin
            if elapsed - lastProgress >= 1 {
                lastProgress = elapsed.rounded(.down)
                options.onProgress?(RunProgress.make(accumulator: accumulator, scenario: scenario, elapsed: elapsed, inFlight: links.reduce(0) { $0 + $1.inFlight.load(ordering: .relaxed) }))
            }
            if failureNoted == nil, let failure = links.lazy.compactMap({ $0.failure.withLock { $0 } }).first {
                failureNoted = failure
                options.onWarning?(failure)
            }
        }
        for link in links { for record in link.drain() { accumulator.add(record) } }
        writeLog()
        accumulator.flush()
        writeIntervals()
        var elapsed = Clock.now() - origin
        if let stopped = stop.requestedAt { elapsed = min(elapsed, max(0, stopped - origin)) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let interrupted = stop.isRequested && elapsed < scenario.duration - 0.5
        var summary = accumulator.summary(
            timing: .init(startedAt: formatter.string(from: started), endedAt: formatter.string(from: Date()), elapsed: min(elapsed, scenario.duration)),
            target: plan.target.lb ?? plan.target.upload ?? plan.target.idp ?? "http",
            gauntletVersion: options.gauntletVersion, partialReason: interrupted ? (stop.reason ?? "stopped early") : nil)
        if options.shard != nil || options.startAt != nil {
            summary.shard = ShardInfo(
                shard: plan.shard, host: summary.machine.hostname, startedAt: started.timeIntervalSince1970, startAt: options.startAt, clock: SystemClock.info)
        }
        return RunResult(summary: summary, timeSeries: accumulator.timeSeries, intervals: accumulator.intervals, totals: accumulator.totals)
    }

    /// The start barrier: sleeps until `epoch` (wall clock, so that shards on several machines start
    /// together), waking early on a stop request.
    static func waitUntil(_ epoch: Double, stop: StopSignal) async {
        while !stop.isRequested {
            let remaining = epoch - Date().timeIntervalSince1970
            guard remaining > 0 else { return }
            try? await Task.sleep(nanoseconds: UInt64(min(remaining, 0.1) * 1e9))
        }
    }
}

extension Driver {
    /// Sets every worker up before the start (set-up time is not schedule lag, and a start barrier
    /// waits after it, so that shards start sending together).
    static func makeWorkers(plan: RunPlan, links: [WorkerLink], stop: StopSignal) throws(DriverError) -> [Worker] {
        var workers: [Worker] = []
        for id in 0..<plan.workers {
            do {
                workers.append(try Worker(id: id, plan: plan, link: links[id], stop: stop))
            } catch {
                throw .startFailed(error.description)
            }
        }
        return workers
    }

    /// Starts each worker on its own thread at one shared origin; returns that origin.
    static func start(_ workers: [Worker]) -> Double {
        let origin = Clock.now()
        for worker in workers {
            // Named from inside the thread (Foundation does not name the OS thread on Linux), in at most
            // 15 bytes (Linux refuses longer): `capacity` finds the generator's threads by this name in
            // /proc/self/task to read their CPU apart from the embedded stack's.
            let name = "gauntlet-wrk-\(worker.id)"
            let thread = Thread {
                try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
                worker.run(origin: origin)
            }
            thread.name = name
            thread.stackSize = 4 << 20
            thread.start()
        }
        return origin
    }
}

/// The coordinator's 100 ms pause between drains. Cancelling the calling task stops the run (partial
/// results, as SIGINT does) rather than turning the pause into a busy loop: a cancelled `Task.sleep`
/// returns at once, every time, while the workers take up to their grace period to finish.
private func pause(_ stop: StopSignal) async {
    if !Task.isCancelled {
        do {
            try await Task.sleep(nanoseconds: 100_000_000)
            return
        } catch {}
    }
    stop.request("the run's task was cancelled")
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { done.resume() }
    }
}

public struct DriverOptions: Sendable {
    /// Overrides the scenario's `http.workers`.
    public var workers: Int?
    /// Requests an early end (SIGINT/SIGTERM); the run then returns partial results.
    public var stop: StopSignal
    public var gauntletVersion: String
    /// Where relative paths in the scenario (CA file, users CSV) are resolved from.
    public var scenarioDirectory: String
    /// Called about once a second from the coordinating task.
    public var onProgress: (@Sendable (RunProgress) -> Void)?
    /// Called once with the first worker failure (e.g. a login that cannot succeed).
    public var onWarning: (@Sendable (String) -> Void)?
    public var environment: [String: String]
    /// Where to write `requests.jsonl` when the scenario sets `http.request_log` (nil: nowhere).
    public var requestLogPath: String?
    /// Where to stream `intervals.jsonl` during the run (nil: keep them in `RunResult.intervals`).
    public var intervalsPath: String?
    /// This machine's part of a sharded run (`run --shard K/N`); nil for an unsharded run.
    public var shard: Shard?
    /// A start barrier: epoch seconds (UTC) at which the schedule starts, so that shards start together.
    public var startAt: Double?

    public init(
        workers: Int? = nil, stop: StopSignal = StopSignal(), gauntletVersion: String = DriverInfo.version, scenarioDirectory: String = ".",
        onProgress: (@Sendable (RunProgress) -> Void)? = nil, onWarning: (@Sendable (String) -> Void)? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, requestLogPath: String? = nil,
        intervalsPath: String? = nil
    ) {
        self.intervalsPath = intervalsPath
        self.requestLogPath = requestLogPath
        self.workers = workers
        self.stop = stop
        self.gauntletVersion = gauntletVersion
        self.scenarioDirectory = scenarioDirectory
        self.onProgress = onProgress
        self.onWarning = onWarning
        self.environment = environment
    }
}

/// What a run leaves: its summary, the per-second time series and the interval histograms (for `.hlog`).
public struct RunResult: Sendable {
    public var summary: RunSummary
    public var timeSeries: [TimeSeriesPoint]
    public var intervals: [IntervalHistograms]
    /// The cumulative figures in addable form, for a shard's `shard.json`.
    public var totals: RunTotals?

    public init(summary: RunSummary, timeSeries: [TimeSeriesPoint], intervals: [IntervalHistograms], totals: RunTotals? = nil) {
        self.summary = summary
        self.timeSeries = timeSeries
        self.intervals = intervals
        self.totals = totals
    }
}

public enum DriverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The scenario's target cannot be used as given (exit 2).
    case invalidTarget(String)
    /// The run could not start (exit 3).
    case startFailed(String)

    public var description: String {
        switch self {
        case .invalidTarget(let message): "invalid target: \(message)"
        case .startFailed(let message): "the run could not start: \(message)"
        }
    }
}

/// The live figures of a run, for the once-a-second progress line.
public struct RunProgress: Sendable {
    public struct TypeFigures: Sendable {
        public var type: RequestType
        public var intendedRate: Double?
        public var achievedRate: Double
        public var count: Int
        public var failed: Int
        /// Corrected latency p99 over the last reported second.
        public var p99: Double?
    }

    public var elapsed: Double
    public var duration: Double
    public var inFlight: Int
    public var types: [TypeFigures]

    static func make(accumulator: RunAccumulator, scenario: Scenario, elapsed: Double, inFlight: Int) -> RunProgress {
        let last = accumulator.timeSeries.map(\.second).max()
        let types = scenario.requestTypes.map { type -> TypeFigures in
            let point = accumulator.timeSeries.last { $0.type == type && $0.second == last }
            let totals = accumulator.progress(for: type)
            return TypeFigures(type: type, intendedRate: point?.intendedRate, achievedRate: Double(point?.count ?? 0), count: totals.count, failed: totals.failed, p99: point?.p99)
        }
        return RunProgress(elapsed: elapsed, duration: scenario.duration, inFlight: inFlight, types: types)
    }

    /// `12.0/60s  upload 100/100 req/s  ui 50/50 …  in flight 3  errors 0  p99 12.3ms`
    public var line: String {
        var parts = [String(format: "%5.1f/%.0fs", elapsed, duration)]
        for figures in types {
            let target = figures.intendedRate.map { String(format: "%.0f", $0) } ?? "max"
            var part = "\(figures.type.rawValue) \(Int(figures.achievedRate))/\(target) req/s"
            if let p99 = figures.p99 { part += " p99 \(Quantity.format(seconds: p99))" }
            if figures.failed > 0 { part += " errors \(figures.failed)" }
            parts.append(part)
        }
        parts.append("in flight \(inFlight)")
        return parts.joined(separator: "  ")
    }
}
