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

    @Option(help: "Write the results to this directory instead of results/<scenario>-<UTC time>.")
    var out: String?

    @Option(help: "An endpoints file written by `gauntlet stack --endpoints`: run against that stack.")
    var endpoints: String?

    @Option(help: "Load-generator threads (overrides the scenario's http.workers).")
    var workers: Int?

    @Flag(help: "No live progress line.")
    var quiet = false

    @Option(help: ArgumentHelp("Serve a live page and Prometheus /metrics during the run at ADDR (alone: 127.0.0.1, a free port).", valueName: "ADDR"))
    var live: String?

    func run() async throws {
        var stderr = StandardError()
        let scenario: Scenario
        do {
            scenario = try ScenarioDecoder.load(path: self.scenario)
        } catch {
            print(error.description, to: &stderr)
            throw GauntletExit.invalidInput
        }
        let directory = (self.scenario as NSString).deletingLastPathComponent
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        defer { signals.release() }
        let liveSession = try LiveSession(live: live, target: LiveSession.target(scenario), quiet: quiet, command: "run")

        var endpoints: Endpoints?
        var stopStack: (@Sendable () async -> Void)?
        var embeddedStack: EmbeddedStack?
        do {
            if let path = self.endpoints {
                endpoints = try Driver.loadEndpoints(path: path)
            } else if case .embedded(let embedded) = scenario.target {
                let stack = try await EmbeddedStack.startForCommand(embedded, scenarioDirectory: directory.isEmpty ? "." : directory, command: "run", quiet: quiet)
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
        let outputDirectory = out ?? Self.defaultDirectory(for: scenario.name)
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            print("gauntlet run: cannot create the results directory \(outputDirectory): \(error)", to: &stderr)
            throw GauntletExit.runFailed
        }
        var options = DriverOptions(
            workers: workers, stop: stop, gauntletVersion: GauntletVersion.string, scenarioDirectory: directory.isEmpty ? "." : directory,
            onProgress: quiet ? nil : showProgress, onWarning: showWarning,
            requestLogPath: scenario.http.requestLog ? outputDirectory + "/requests.jsonl" : nil,
            intervalsPath: outputDirectory + "/intervals.jsonl")
        liveSession.configure(&options)
        let result: RunResult
        do throws(DriverError) {
            result = try await Driver.run(scenario: scenario, endpoints: endpoints, options: options)
        } catch {
            liveSession.finish(nil)
            await stopStack?()
            print("gauntlet run: \(error)", to: &stderr)
            if case .invalidTarget = error { throw GauntletExit.invalidInput }
            throw GauntletExit.runFailed
        }
        liveSession.finish(result)

        do {
            try ResultsWriter.write(result, to: outputDirectory)
            // The embedded stack's ALB access log is a replay source (`gauntlet replay RUN_DIR/access.log`).
            if let log = embeddedStack?.accessLog, FileManager.default.fileExists(atPath: log) {
                try? FileManager.default.removeItem(atPath: outputDirectory + "/access.log")
                try FileManager.default.copyItem(atPath: log, toPath: outputDirectory + "/access.log")
            }
        } catch {
            await stopStack?()
            print("gauntlet run: cannot write the results to \(outputDirectory): \(error)", to: &stderr)
            throw GauntletExit.runFailed
        }
        await stopStack?()
        do {
            _ = try RunReport.regenerate(outputDirectory)
        } catch {
            print("gauntlet run: the results are written, but the reports could not be rendered: \(error)", to: &stderr)
        }
        print(result.summary.table)
        print("results: \(outputDirectory)")

        let all = result.summary.all
        let unreachable = all.count > 0 && all.ok == 0 && all.rejected == 0
            && all.errors.allSatisfy { ["dns", "connect", "tls"].contains($0.category) }
        if unreachable { throw GauntletExit.runFailed }
        if !result.summary.thresholdsPassed { throw GauntletExit.thresholdFailed }
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
