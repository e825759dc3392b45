import Foundation
import GauntletCore
import GauntletDriver
import GauntletReports

/// Sending a replay and reporting what changed: the driver on the embedded (or an endpoints file's) stack,
/// the usual results, and the replayed request log paired with the plan.
extension ReplayCommand {
    /// Sends the plan through the driver against the endpoints file's stack or the embedded one, writes
    /// the usual results plus replay.json, and reports what changed.
    func send(_ items: [ReplayItem], planned: ReplayPlanSummary, matcher: ReplayMatcher, thresholds: [Threshold], to directory: String) async throws {
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
        if let path = drive.endpoints {
            do {
                endpoints = try Driver.loadEndpoints(path: path)
            } catch {
                print("gauntlet replay: \(error)", to: &stderr)
                throw GauntletExit.invalidInput
            }
        } else {
            let stack = try await EmbeddedStack.startForCommand(EmbeddedTarget(stackConfig: stackConfig), scenarioDirectory: ".", command: "replay", quiet: drive.quiet)
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
        let options = DriverOptions(
            workers: drive.workers, stop: stop, gauntletVersion: GauntletVersion.string,
            onProgress: drive.quiet ? nil : ProgressOutput.progress(interactive: interactive), onWarning: ProgressOutput.warning(interactive: interactive),
            requestLogPath: requestLog, intervalsPath: (directory as NSString).appendingPathComponent("intervals.jsonl"))
        let settings = ReplaySettings(name: "replay", thresholds: thresholds, workers: drive.workers ?? 1)
        let result: RunResult
        do throws(DriverError) {
            result = try await Driver.replay(items, endpoints: endpoints, settings: settings, options: options)
        } catch {
            await embeddedStack?.stop()
            print("gauntlet replay: \(error)", to: &stderr)
            if case .invalidTarget = error { throw GauntletExit.invalidInput }
            throw GauntletExit.runFailed
        }
        if interactive && !drive.quiet { print("", to: &stderr) }
        let written = RunOutput.write(result, to: directory, accessLog: embeddedStack?.accessLog, command: "replay")
        await embeddedStack?.stop()
        guard written else { throw GauntletExit.runFailed }
        RunOutput.renderReports(directory, command: "replay")
        print(result.summary.table)

        let outcome = try compare(matcher, with: requestLog)
        print(outcome.renderText())
        let report = ReplayReport(plan: planned, outcome: outcome)
        do {
            try report.encoded().write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("replay.json")))
        } catch {
            print("gauntlet replay: cannot write replay.json: \(error)", to: &stderr)
            throw GauntletExit.runFailed
        }
        print("replay took \(Quantity.format(seconds: outcome.sentSpan)) to send (planned \(Quantity.format(seconds: planned.lastOffset)), recorded \(Quantity.format(seconds: planned.planner.recordedSpan)))")
        print("results: \(directory)")

        if result.summary.targetUnreachable { throw GauntletExit.runFailed }
        if outcome.changed || !result.summary.thresholdsPassed { throw GauntletExit.thresholdFailed }
    }

    /// The replayed request log at `path` paired with the plan.
    func compare(_ matcher: ReplayMatcher, with path: String) throws -> ReplayOutcome {
        do throws(ReplayIssue) {
            return ReplayOutcome(matcher: matcher, replayed: try ReplaySourceFiles.requestLog(path, strict: strict))
        } catch {
            var stderr = StandardError()
            print("gauntlet replay: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
    }
}
