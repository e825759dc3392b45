import ArgumentParser
import Foundation
import GauntletCore
import GauntletDriver
import GauntletReports

/// `gauntlet capacity SCENARIO`: finds the knee of the scenario's mix against its SLO, names the hop
/// that gives out, and says how much headroom there is at an expected rate.
struct CapacityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Find how many requests per second of a scenario's mix the target serves within its SLO.",
        discussion: """
            Ramps open-loop constant-rate steps of the scenario's mix up geometrically until a step breaks \
            the SLO (the scenario's thresholds, and the target keeping up with the offered rate), bisects \
            to the precision, repeats the steps that bracket the knee, and reports the knee as the median \
            of the repeats with its spread. The scenario's optional `capacity:` section sets the start \
            rate, the upper bound, each step's duration and warm-up, the precision and the repeats. \
            Writes capacity.json and report.html to results/<scenario>-capacity-<UTC time>/ (or --out DIR). \
            Exit codes: 0 capacity found; 1 the SLO fails at the start rate, or headroom is below 1 at \
            --expected; 2 bad usage or invalid scenario; 3 the search failed (the target died, a step \
            overran its budget, the generator could not offer the rates), with the steps so far written.
            """
    )

    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    @Option(help: "The rate (req/s, all types together) you expect to serve: reports headroom = capacity ÷ expected.")
    var expected: Double?

    /// `--out` (default results/<scenario>-capacity-<UTC time>), `--endpoints`, `--workers`, and `--quiet`
    /// (only the answer, no line per step).
    @OptionGroup var drive: DriveOptions

    func validate() throws {
        if let expected, !(expected > 0) { throw ValidationError("--expected must be a rate above 0 req/s, got \(expected)") }
    }

    func run() async throws {
        var stderr = StandardError()
        let scenario: Scenario
        let plan: CapacityPlan
        do {
            scenario = try ScenarioDecoder.load(path: self.scenario)
            plan = try CapacityPlan(scenario: scenario)
        } catch let error as ScenarioValidationError {
            print(error.description, to: &stderr)
            throw GauntletExit.invalidInput
        } catch {
            print("gauntlet capacity: \(self.scenario): \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
        let directory = (self.scenario as NSString).deletingLastPathComponent
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        defer { signals.release() }

        // One stack for the whole search: every step measures the same, already-running target.
        let target = try await drive.startTarget(for: scenario, scenarioDirectory: directory.isEmpty ? "." : directory, command: "capacity")

        let outputDirectory = drive.out ?? RunCommand.defaultDirectory(for: scenario.name + "-capacity")
        let options = DriverOptions(
            workers: drive.workers, stop: stop, gauntletVersion: GauntletVersion.string, scenarioDirectory: directory.isEmpty ? "." : directory,
            onWarning: nil)
        let quiet = drive.quiet
        let events = CapacityRunner.Events(
            stepStarted: { index, rate in
                if !quiet { var e = StandardError(); print("step \(index): \(CapacityFormat.rate(rate)) req/s…", terminator: "", to: &e) }
            },
            stepEnded: { step in
                guard !quiet else { return }
                var e = StandardError()
                let p99 = step.summary.all.latency.map { Quantity.format(seconds: ($0.p99 * 10_000).rounded() / 10_000) } ?? "–"
                let verdict = step.generator.bound ? "generator-bound" : step.held ? "held" : "broke: \(step.breaches.first ?? "")"
                print(" achieved \(CapacityFormat.rate(step.achievedRate)) req/s, p99 \(p99), generator CPU \(Int((step.generator.workerCpu * 100).rounded()))%\(step.generator.runQueueWait.map { ", waited for a core \(Int(($0 * 100).rounded()))%" } ?? "") — \(verdict)", to: &e)
            })
        let result: CapacityResult
        do throws(DriverError) {
            result = try await CapacityRunner.run(plan: plan, endpoints: target.endpoints, options: options, expected: expected, events: events)
        } catch {
            await target.stop()
            print("gauntlet capacity: \(error)", to: &stderr)
            if case .invalidTarget = error { throw GauntletExit.invalidInput }
            throw GauntletExit.runFailed
        }
        await target.stop()
        do {
            try CapacityReport.write(result, to: outputDirectory)
        } catch {
            print("gauntlet capacity: cannot write the results: \(error)", to: &stderr)
            throw GauntletExit.runFailed
        }
        if let bottleneck = result.bottleneck, !quiet { print("bottleneck: \(bottleneck.text)") }
        if let fit = result.fit, !quiet { print("model: \(fit.verdict)") }
        print(result.verdict)
        print("results: \(outputDirectory)")
        switch result.outcome {
        case .knee, .aboveMaximum:
            if !result.headroomHolds { throw GauntletExit.thresholdFailed }
        case .sloFailsAtStart:
            throw GauntletExit.thresholdFailed
        case .generatorBound, .failed:
            throw GauntletExit.runFailed
        }
    }
}
