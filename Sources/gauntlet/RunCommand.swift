import ArgumentParser
import Dispatch
import Foundation
import GauntletCore
import GauntletDriver
import GauntletReports

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario: drive its request types at their rates, check every response, write the results.",
        discussion: """
            Writes results/<scenario>-<UTC time>/ (or --out DIR): summary.json, timeseries.jsonl, \
            intervals.jsonl, and requests.jsonl when the scenario sets http.request_log. The last line printed names the directory. Ctrl-C ends the run early and \
            still writes what was measured, marked partial. Exit codes: 0 thresholds held, 1 a threshold \
            failed, 2 invalid scenario or target, 3 the run failed.
            """
    )

    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    @OptionGroup var drive: DriveOptions

    @OptionGroup(title: "Scale-out")
    var sharding: ShardOptions

    func run() async throws {
        var stderr = StandardError()
        let scenario: Scenario
        do {
            scenario = try ScenarioDecoder.load(path: self.scenario)
        } catch {
            print(error.description, to: &stderr)
            throw GauntletExit.invalidInput
        }
        let shard = try sharding.check(scenario)
        if sharding.local {
            return try await LocalShards(
                scenarioPath: self.scenario, scenario: scenario, count: sharding.shards ?? 1, out: drive.out ?? Self.defaultDirectory(for: scenario.name),
                endpoints: drive.endpoints, workers: drive.workers, quiet: drive.quiet).run()
        }
        let directory = (self.scenario as NSString).deletingLastPathComponent
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        defer { signals.release() }

        var endpoints: Endpoints?
        var stopStack: (@Sendable () async -> Void)?
        var embeddedStack: EmbeddedStack?
        do {
            if let path = drive.endpoints {
                endpoints = try Driver.loadEndpoints(path: path)
            } else if case .embedded(let embedded) = scenario.target {
                let stack = try await EmbeddedStack.startForCommand(embedded, scenarioDirectory: directory.isEmpty ? "." : directory, command: "run", quiet: drive.quiet)
                embeddedStack = stack
                stopStack = { await stack.stop() }
                endpoints = try Endpoints.decode(stack.endpointsJSON)
            }
        } catch let error as DriverError {
            print("gauntlet run: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }

        let interactive = ProgressOutput.interactive
        let showProgress = ProgressOutput.progress(interactive: interactive)
        let showWarning = ProgressOutput.warning(interactive: interactive)
        let outputDirectory = drive.out ?? Self.defaultDirectory(for: scenario.name)
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            print("gauntlet run: cannot create the results directory \(outputDirectory): \(error)", to: &stderr)
            throw GauntletExit.runFailed
        }
        var options = DriverOptions(
            workers: drive.workers, stop: stop, gauntletVersion: GauntletVersion.string, scenarioDirectory: directory.isEmpty ? "." : directory,
            onProgress: drive.quiet ? nil : showProgress, onWarning: showWarning,
            requestLogPath: scenario.http.requestLog ? outputDirectory + "/requests.jsonl" : nil,
            intervalsPath: outputDirectory + "/intervals.jsonl")
        options.shard = shard
        options.startAt = try sharding.startEpoch()
        let result: RunResult
        do throws(DriverError) {
            result = try await Driver.run(scenario: scenario, endpoints: endpoints, options: options)
        } catch {
            await stopStack?()
            print("gauntlet run: \(error)", to: &stderr)
            if case .invalidTarget = error { throw GauntletExit.invalidInput }
            throw GauntletExit.runFailed
        }
        if interactive && !drive.quiet { print("", to: &stderr) }

        var written = RunOutput.write(result, to: outputDirectory, accessLog: embeddedStack?.accessLog, command: "run")
        if written, shard != nil, let totals = result.totals {
            written = sharding.writeShardFile(scenarioPath: self.scenario, totals: totals, to: outputDirectory)
        }
        await stopStack?()
        guard written else { throw GauntletExit.runFailed }
        RunOutput.renderReports(outputDirectory, command: "run")
        print(result.summary.table)
        print("results: \(outputDirectory)")

        try GauntletExit.check(result.summary)
    }

    static func defaultDirectory(for name: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return "results/\(safe)-\(formatter.string(from: Date()))"
    }
}

/// SIGINT/SIGTERM → a stop request (the run ends early and writes partial results); a second signal
/// falls through to the default action.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(stop: StopSignal) {
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                stop.request("interrupted (\(name))")
                signal(number, SIG_DFL)
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func release() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
