import Foundation
import GauntletCore
import GauntletDriver
import GauntletReports

/// Sending a replay and reporting what changed: the driver on the embedded (or an endpoints file's) stack,
/// the usual results, and the replayed request log paired with the plan.
extension ReplayCommand {
    /// Sends the plan through the driver against the endpoints file's stack or the embedded one, writes
    /// the usual results plus replay.json, and reports what changed.
    func send(_ items: [ReplayItem], planned: Planned, matcher: ReplayMatcher, thresholds: [Threshold], to directory: String) async throws {
        var stderr = StandardError()
        guard !items.isEmpty else {
            print("gauntlet replay: nothing to send: no recorded request is left after the filters", to: &stderr)
            throw GauntletExit.invalidInput
        }
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        defer { signals.release() }
        let endpoints: Endpoints
        var embeddedStack: EmbeddedStack?
        if let path = self.endpoints {
            do {
                endpoints = try Driver.loadEndpoints(path: path)
            } catch {
                print("gauntlet replay: \(error)", to: &stderr)
                throw GauntletExit.invalidInput
            }
        } else {
            let stack = try await EmbeddedStack.startForCommand(EmbeddedTarget(stackConfig: stackConfig), scenarioDirectory: ".", command: "replay", quiet: quiet)
            embeddedStack = stack
            do {
                endpoints = try Endpoints.decode(stack.endpointsJSON)
            } catch {
                await stack.stop()
                print("gauntlet replay: the embedded stack's endpoints are unreadable: \(error)", to: &stderr)
                throw GauntletExit.runFailed
            }
        }
        let interactive = ProgressOutput.interactive
        let requestLog = (directory as NSString).appendingPathComponent("requests.jsonl")
        let liveSession: LiveSession
        do {
            liveSession = try LiveSession(live: live, target: endpoints.urls?.lb ?? "replay", quiet: quiet, command: "replay")
        } catch {
            await embeddedStack?.stop()
            throw error
        }
        var options = DriverOptions(
            workers: workers, stop: stop, gauntletVersion: GauntletVersion.string,
            onProgress: quiet ? nil : ProgressOutput.progress(interactive: interactive), onWarning: ProgressOutput.warning(interactive: interactive),
            requestLogPath: requestLog, intervalsPath: (directory as NSString).appendingPathComponent("intervals.jsonl"))
        let settings = ReplaySettings(name: "replay", thresholds: thresholds, workers: workers ?? 1)
        liveSession.configure(&options)
        let result: RunResult
        do throws(DriverError) {
            result = try await Driver.replay(items, endpoints: endpoints, settings: settings, options: options)
        } catch {
            liveSession.finish(nil)
            await embeddedStack?.stop()
            print("gauntlet replay: \(error)", to: &stderr)
            if case .invalidTarget = error { throw GauntletExit.invalidInput }
            throw GauntletExit.runFailed
        }
        liveSession.finish(result)
        do {
            try ResultsWriter.write(result, to: directory)
            if let log = embeddedStack?.accessLog, FileManager.default.fileExists(atPath: log) {
                let copy = (directory as NSString).appendingPathComponent("access.log")
                try? FileManager.default.removeItem(atPath: copy)
                try FileManager.default.copyItem(atPath: log, toPath: copy)
            }
        } catch {
            await embeddedStack?.stop()
            print("gauntlet replay: cannot write the results to \(directory): \(error)", to: &stderr)
            throw GauntletExit.runFailed
        }
        await embeddedStack?.stop()
        do {
            _ = try RunReport.regenerate(directory)
        } catch {
            print("gauntlet replay: the results are written, but the reports could not be rendered: \(error)", to: &stderr)
        }
        print(result.summary.table)

        let outcome = try compare(matcher, with: requestLog)
        printComparison(outcome)
        let report = ReplayReport(
            recordedSpan: planned.planner.recordedSpan, plannedSpan: planned.lastOffset, sentSpan: outcome.sentSpan,
            plannedByType: planned.planner.counts.byType, replayedByType: outcome.replayedByType,
            matcher: outcome.matcher, comparison: outcome.comparison)
        do {
            try report.encoded().write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("replay.json")))
        } catch {
            print("gauntlet replay: cannot write replay.json: \(error)", to: &stderr)
            throw GauntletExit.runFailed
        }
        print("replay took \(Quantity.format(seconds: outcome.sentSpan)) to send (planned \(Quantity.format(seconds: planned.lastOffset)), recorded \(Quantity.format(seconds: planned.planner.recordedSpan)))")
        print("results: \(directory)")

        let all = result.summary.all
        let unreachable = all.count > 0 && all.ok == 0 && all.rejected == 0
            && all.errors.allSatisfy { ["dns", "connect", "tls"].contains($0.category) }
        if unreachable { throw GauntletExit.runFailed }
        if outcome.comparison.differed > 0 || outcome.matcher.unreplayed > 0 || !result.summary.thresholdsPassed { throw GauntletExit.thresholdFailed }
    }

    /// The replayed log paired with the plan.
    struct Outcome {
        var matcher: ReplayMatcher
        var comparison: ReplayComparison
        /// When the last replayed request was actually sent (its intended time plus its lag).
        var sentSpan: Double
        var replayedByType: [RequestType: Int]
    }

    func compare(_ matcher: ReplayMatcher, with path: String) throws -> Outcome {
        var stderr = StandardError()
        var outcome = Outcome(matcher: matcher, comparison: ReplayComparison(), sentSpan: 0, replayedByType: [:])
        do {
            // The log is in completion order (a fast 401 overtakes a slower 200 sent just before it); the
            // plan is in intended order, so pair them in intended order.
            var reader = RequestLogReader(try ReplaySourceFiles.open(path), strict: strict)
            var records: [RequestLogRecord] = []
            while let (record, _) = try reader.nextRecord() { records.append(record) }
            let ordered = records.enumerated().sorted { ($0.element.intendedTime, $0.offset) < ($1.element.intendedTime, $1.offset) }.map(\.element)
            for record in ordered {
                outcome.replayedByType[record.type, default: 0] += 1
                let lag = record.latency.flatMap { latency in record.serviceTime.map { max(0, latency - $0) } } ?? 0
                outcome.sentSpan = max(outcome.sentSpan, record.intendedTime + lag)
                guard let recorded = outcome.matcher.match(record) else { continue }
                outcome.comparison.add(recorded, replayedStatus: record.status, replayedLatency: record.latency)
            }
        } catch {
            print("gauntlet replay: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
        return outcome
    }

    func printComparison(_ outcome: Outcome) {
        let matcher = outcome.matcher
        print(outcome.comparison.renderText())
        if matcher.unreplayed > 0 || matcher.unexpected > 0 {
            print("  \(matcher.unreplayed) planned requests missing from the replay's log; \(matcher.unexpected) replayed requests not in the plan")
        }
        if let p50 = matcher.lag(quantile: 0.5), let p99 = matcher.lag(quantile: 0.99), let max = matcher.lag(quantile: 1) {
            print("schedule lag: p50 \(Quantity.format(seconds: p50)), p99 \(Quantity.format(seconds: p99)), max \(Quantity.format(seconds: max))")
        }
        let latency = outcome.comparison.latency
        if !latency.isEmpty {
            print("latency vs recorded processing time (means):")
            for row in latency.prefix(20) {
                print("  \(row.method) \(row.pattern): recorded \(Quantity.format(seconds: row.recordedMean)), replayed \(Quantity.format(seconds: row.replayedMean)) over \(row.count)")
            }
        }
    }
}
