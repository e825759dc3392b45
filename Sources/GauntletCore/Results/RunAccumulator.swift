import Histogram

/// Merges the workers' interval records into the run's figures, and turns them into a `RunSummary`.
///
/// Owned by one coordinator (not shared). Keeps cumulative histograms per series, the per-second time
/// series, and each interval's histograms in sparse form for `.hlog` interval logs.
public struct RunAccumulator: Sendable {
    public let scenario: Scenario
    public let workers: Int
    private let phaseCount: Int
    private var corrected: [LatencyHistogram]
    private var service: [LatencyHistogram]
    private var counters: [SeriesCounters]
    private var auth: [LatencyHistogram]
    private var lag: LatencyHistogram
    private var generatorLag: LatencyHistogram
    private var connectionWait: LatencyHistogram
    private var freshness: LatencyHistogram
    private var examples: [MisrouteKind: [MisrouteExample]] = [:]
    private var logins = 0
    private var loginFailures = 0
    private var refreshes = 0
    private var dnsFailures = 0
    /// Intervals some but not all workers have reported.
    private var pending: [Int: (reports: Int, record: IntervalRecord)] = [:]
    public private(set) var timeSeries: [TimeSeriesPoint] = []
    public private(set) var intervals: [IntervalHistograms] = []
    /// The worker threads' scheduler figures, set by the driver when the workers end.
    public var generatorCPU: GeneratorCPU?
    public static let examplesPerKind = 10

    public init(scenario: Scenario, workers: Int) {
        self.scenario = scenario
        self.workers = Swift.max(workers, 1)
        self.phaseCount = Swift.max(scenario.phases.count, 1)
        let series = RequestType.allCases.count * phaseCount
        corrected = Array(repeating: .latency(), count: series)
        service = Array(repeating: .latency(), count: series)
        counters = Array(repeating: SeriesCounters(), count: series)
        auth = Array(repeating: .latency(), count: AuthStep.allCases.count)
        lag = .latency()
        generatorLag = .latency()
        connectionWait = .latency()
        freshness = .latency()
    }

    /// Adds one worker's interval.
    public mutating func add(_ record: IntervalRecord) {
        // An interval can hold arrivals and no completion (a request waiting for its user's login):
        // its `scheduled` still counts.
        for i in counters.indices where record.counters[i].count > 0 || record.counters[i].scheduled > 0 {
            corrected[i].add(record.corrected[i])
            service[i].add(record.service[i])
            counters[i].add(record.counters[i])
        }
        for i in auth.indices where record.auth[i].totalCount > 0 { auth[i].add(record.auth[i]) }
        lag.add(record.lag)
        generatorLag.add(record.generatorLag)
        if record.connectionWait.totalCount > 0 { connectionWait.add(record.connectionWait) }
        if record.freshness.totalCount > 0 { freshness.add(record.freshness) }
        for example in record.examples where examples[example.kind, default: []].count < Self.examplesPerKind {
            examples[example.kind, default: []].append(example)
        }
        logins += record.logins
        loginFailures += record.loginFailures
        refreshes += record.refreshes
        dnsFailures += record.dnsFailures

        if var entry = pending[record.index] {
            entry.reports += 1
            for i in entry.record.counters.indices where record.counters[i].count > 0 || record.counters[i].scheduled > 0 {
                entry.record.corrected[i].add(record.corrected[i])
                entry.record.service[i].add(record.service[i])
                entry.record.counters[i].add(record.counters[i])
            }
            pending[record.index] = entry
        } else {
            pending[record.index] = (1, record)
        }
        if let entry = pending[record.index], entry.reports >= workers {
            pending[record.index] = nil
            close(entry.record)
        }
    }

    /// Hands over the interval histograms closed so far (for streaming them to a file during the run, so
    /// that a long run's memory stays flat), and forgets them.
    public mutating func takeIntervals() -> [IntervalHistograms] {
        defer { intervals.removeAll() }
        return intervals
    }

    /// Closes intervals that not every worker reported (a worker that stopped early), at the end of a run.
    public mutating func flush() {
        for index in pending.keys.sorted() {
            if let entry = pending.removeValue(forKey: index) { close(entry.record) }
        }
    }

    private mutating func close(_ record: IntervalRecord) {
        let duration = scenario.duration
        for type in RequestType.allCases {
            var count = SeriesCounters()
            var latency = LatencyHistogram.latency()
            for phase in 0..<phaseCount {
                let series = type.index * phaseCount + phase
                guard record.counters[series].count > 0 else { continue }
                count.add(record.counters[series])
                latency.add(record.corrected[series])
                intervals.append(IntervalHistograms(
                    index: record.index, type: type, phase: scenario.phases.indices.contains(phase) ? scenario.phases[phase].name : "run",
                    corrected: record.corrected[series].sparseCounts, service: record.service[series].sparseCounts))
            }
            let schedule = scenario.schedule(for: type)
            guard count.count > 0 || schedule != nil else { continue }
            let t = Double(record.index)
            let intended = schedule.flatMap { $0.isOpenLoop ? $0.expectedCount(until: Swift.min(t + 1, duration), runDuration: duration) - $0.expectedCount(until: t, runDuration: duration) : nil }
            timeSeries.append(TimeSeriesPoint(
                second: record.index, type: type, count: count.count, ok: count.ok, failed: count.failed, rejected: count.rejected,
                intendedRate: intended, p50: latency.totalCount > 0 ? Double(latency.valueAtPercentile(50)) / 1e6 : nil,
                p99: latency.totalCount > 0 ? Double(latency.valueAtPercentile(99)) / 1e6 : nil,
                max: latency.totalCount > 0 ? Double(latency.max) / 1e6 : nil))
        }
    }

    /// Live figures for the progress line: cumulative counts and the current p99 over every series.
    public func progress(for type: RequestType) -> (count: Int, failed: Int) {
        var count = 0
        var failed = 0
        for phase in 0..<phaseCount {
            count += counters[type.index * phaseCount + phase].count
            failed += counters[type.index * phaseCount + phase].failed
        }
        return (count, failed)
    }

    public struct Timing: Sendable {
        public var startedAt: String
        public var endedAt: String
        /// Seconds the run lasted.
        public var elapsed: Double

        public init(startedAt: String, endedAt: String, elapsed: Double) {
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.elapsed = elapsed
        }
    }

    /// The run's summary. Thresholds are evaluated on it; `partialReason` non-nil marks it partial.
    public func summary(timing: Timing, target: String, gauntletVersion: String, machine: MachineInfo = .current, partialReason: String?) -> RunSummary {
        let elapsed = timing.elapsed
        var phaseStarts: [Double] = []
        var start = 0.0
        for phase in scenario.phases {
            phaseStarts.append(start)
            start += phase.duration
        }
        func window(_ phase: Int) -> (Double, Double) {
            guard scenario.phases.indices.contains(phase) else { return (0, elapsed) }
            let begin = phaseStarts[phase]
            return (Swift.min(begin, elapsed), Swift.min(begin + scenario.phases[phase].duration, elapsed))
        }
        let measuredPhases = scenario.phases.indices.filter { !scenario.phases[$0].warmup }
        let measuredDuration = measuredPhases.reduce(0.0) { total, phase in
            let (a, b) = window(phase)
            return total + Swift.max(0, b - a)
        }

        func stats(_ type: RequestType?, phases: [Int], seconds: Double) -> RequestStats {
            var count = SeriesCounters()
            var latency = LatencyHistogram.latency()
            var serviceTime = LatencyHistogram.latency()
            var intended: Double? = 0
            let types = type.map { [$0] } ?? RequestType.allCases
            for type in types {
                let schedule = scenario.schedule(for: type)
                for phase in phases {
                    let series = type.index * phaseCount + phase
                    count.add(counters[series])
                    latency.add(corrected[series])
                    serviceTime.add(service[series])
                    if let schedule, schedule.isOpenLoop, let current = intended {
                        intended = current + Double(counters[series].scheduled)
                    } else if schedule != nil {
                        intended = nil
                    }
                }
            }
            let errors = ErrorCategory.allCases.filter { count.errors[$0.index] > 0 }.map { CategoryCount(category: $0.rawValue, count: count.errors[$0.index]) }
            let statuses = count.statuses.indices.filter { count.statuses[$0] > 0 }.map { StatusCount(status: $0, count: count.statuses[$0]) }
            return RequestStats(
                count: count.count, ok: count.ok, failed: count.failed, rejected: count.rejected,
                intendedCount: intended, intendedRate: intended.map { seconds > 0 ? $0 / seconds : 0 },
                achievedRate: seconds > 0 ? Double(count.count) / seconds : 0,
                latency: latency.latencyPercentiles, serviceTime: serviceTime.latencyPercentiles, errors: errors, statuses: statuses)
        }

        var types: [RequestTypeSummary] = []
        for type in scenario.requestTypes {
            let phases = scenario.phases.indices.map { phase in
                let (a, b) = window(phase)
                return PhaseStats(phase: scenario.phases[phase].name, warmup: scenario.phases[phase].warmup, stats: stats(type, phases: [phase], seconds: Swift.max(0, b - a)))
            }
            types.append(RequestTypeSummary(type: type, total: stats(type, phases: measuredPhases, seconds: measuredDuration), phases: phases))
        }
        let all = stats(nil, phases: measuredPhases, seconds: measuredDuration)

        var misrouteCounts = [Int](repeating: 0, count: MisrouteKind.allCases.count)
        var checked = 0
        var uploads = SeriesCounters()
        for phase in measuredPhases {
            for type in RequestType.allCases {
                let c = counters[type.index * phaseCount + phase]
                checked += c.count
                for i in misrouteCounts.indices { misrouteCounts[i] += c.misroutes[i] }
                if type == .upload { uploads.add(c) }
            }
        }
        let kinds = MisrouteKind.allCases.filter { misrouteCounts[$0.index] > 0 }.map {
            MisrouteKindSummary(kind: $0, count: misrouteCounts[$0.index], examples: examples[$0] ?? [])
        }
        let totalMisroutes = misrouteCounts.reduce(0, +)
        let misroutes = MisrouteSummary(total: totalMisroutes, rate: checked > 0 ? Double(totalMisroutes) / Double(checked) : 0, kinds: kinds)

        let authSummary = AuthSummary(
            steps: AuthStep.steps.map { AuthStepSummary(step: $0.rawValue, latency: auth[$0.index].latencyPercentiles) },
            hops: AuthStep.hops.map { AuthStepSummary(step: $0.rawValue, latency: auth[$0.index].latencyPercentiles) },
            logins: logins, loginFailures: loginFailures, refreshes: refreshes)

        let upload: UploadSummary? = scenario.upload.map { _ in
            UploadSummary(
                batches: uploads.uploadBatches, events: uploads.uploadEvents, bytes: uploads.uploadBytes,
                eventsPerSecond: measuredDuration > 0 ? Double(uploads.uploadEvents) / measuredDuration : 0,
                mbPerSecond: measuredDuration > 0 ? Double(uploads.uploadBytes) / 1e6 / measuredDuration : 0,
                rejected: UploadRejection.allCases.filter { uploads.rejections[$0.index] > 0 }.map { CategoryCount(category: $0.rawValue, count: uploads.rejections[$0.index]) },
                freshness: freshness.latencyPercentiles)
        }

        var warnings: [String] = []
        var shortfalls: [ScheduleLagSummary.Shortfall] = []
        for summary in types {
            guard let intended = summary.total.intendedCount, intended >= 10 else { continue }
            shortfalls.append(.init(type: summary.type, delivered: summary.total.count, scheduled: intended))
        }
        let (scheduleLag, lagWarnings) = ScheduleLagSummary.judge(
            lag: lag.latencyPercentiles, generatorLag: generatorLag.latencyPercentiles,
            connectionWait: connectionWait.latencyPercentiles, delivered: shortfalls, generatorCPU: generatorCPU)
        warnings += lagWarnings
        if dnsFailures > 0 {
            warnings.append("DNS: \(dnsFailures) re-resolves of the target's names failed; the last good answers stayed pinned")
        }
        if let partialReason { warnings.append("partial results: \(partialReason)") }

        let phases = scenario.phases.indices.map { PhaseInfo(name: scenario.phases[$0].name, start: phaseStarts[$0], duration: scenario.phases[$0].duration, warmup: scenario.phases[$0].warmup) }
        var summary = RunSummary(
            scenario: ScenarioInfo(name: scenario.name, description: scenario.description, seed: scenario.seed, gauntletVersion: gauntletVersion, target: target, duration: scenario.duration, phases: phases),
            machine: machine, startedAt: timing.startedAt, endedAt: timing.endedAt, elapsed: elapsed, measuredDuration: measuredDuration,
            partial: partialReason != nil, partialReason: partialReason, requestTypes: types, all: all, misroutes: misroutes,
            auth: authSummary, upload: upload, scheduleLag: scheduleLag,
            thresholds: [], warnings: warnings)
        summary.evaluate(scenario.thresholds)
        return summary
    }
}

/// One second of one request type, for the per-second time series.
public struct TimeSeriesPoint: Sendable, Equatable, Codable {
    public var second: Int
    public var type: RequestType
    public var count: Int
    public var ok: Int
    public var failed: Int
    public var rejected: Int
    /// Requests the schedule intended in this second (nil for closed loop).
    public var intendedRate: Double?
    /// Corrected latency in seconds.
    public var p50: Double?
    public var p99: Double?
    public var max: Double?
}

/// One interval's histograms of one request type in one phase: a line of a `.hlog` interval log.
public struct IntervalHistograms: Sendable, Equatable, Codable {
    /// Interval start, seconds since the run's start; intervals are one second long.
    public var index: Int
    public var type: RequestType
    public var phase: String
    /// Microseconds, corrected (from intended send) and service time.
    public var corrected: SparseHistogram
    public var service: SparseHistogram

    /// The `.hlog` tag: `type/phase`.
    public var tag: String { "\(type.rawValue)/\(phase)" }
}
