import Foundation
import GauntletCore

/// Carries out a capacity search: asks `CapacitySearch` what to run, runs each step through
/// `Driver.run` (one open-loop constant-rate run per step, warm-up discarded) against the same target,
/// judges it, and feeds the outcome back until the search finishes or a step fails.
///
/// Each step starts its own workers, but the virtual users' sessions stay up across steps (a
/// `SessionShelf`): users log in during the first step's warm-up, and later steps measure steady state,
/// with a login only where the target dropped a session.
public enum CapacityRunner {
    /// Progress for the terminal: a step starts, a step ends.
    public struct Events: Sendable {
        public var stepStarted: (@Sendable (_ index: Int, _ rate: Double) -> Void)?
        public var stepEnded: (@Sendable (CapacityStep) -> Void)?

        public init(stepStarted: (@Sendable (Int, Double) -> Void)? = nil, stepEnded: (@Sendable (CapacityStep) -> Void)? = nil) {
            self.stepStarted = stepStarted
            self.stepEnded = stepEnded
        }
    }

    /// Runs the search. Throws only when the target is unusable as given (before the first step);
    /// a failure once steps have run ends the search as `.failed`, with the steps so far.
    public static func run(
        plan: CapacityPlan, endpoints: Endpoints?, options: DriverOptions, expected: Double?, events: Events = Events()
    ) async throws(DriverError) -> CapacityResult {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let startedAt = formatter.string(from: Date())
        let origin = Clock.now()
        let machine = MachineInfo.current
        var options = options
        if options.sessions == nil { options.sessions = SessionShelf() }
        var search = CapacitySearch(settings: plan.settings)
        var action = search.start()
        var steps: [CapacityStep] = []
        var verdict: CapacityVerdict?
        func lastGood() -> Double? { steps.filter { $0.held && !$0.generator.bound }.map(\.rate).max() }

        stepping: while case .run(let rate) = action {
            if options.stop.isRequested {
                verdict = .failed(reason: options.stop.reason ?? "stopped", lastGood: lastGood())
                break
            }
            let index = steps.count + 1
            events.stepStarted?(index, rate)
            let outcome = await runStep(plan: plan, rate: rate, endpoints: endpoints, options: options)
            let run: RunResult
            switch outcome.result {
            case .success(let value): run = value
            case .failure(let error):
                if steps.isEmpty, case .invalidTarget = error { throw error }
                verdict = .failed(reason: "step \(index) at \(CapacityFormat.rate(rate)) req/s: \(error)", lastGood: lastGood())
                break stepping
            }
            let generator = GeneratorHealth.assess(summary: run.summary, cores: machine.cpus)
            let step = CapacityStep.judge(index: index, rate: rate, summary: run.summary, generator: generator, precision: plan.settings.precision, seconds: outcome.seconds)
            steps.append(step)
            events.stepEnded?(step)
            if let stopped = outcome.stopped {
                verdict = .failed(reason: "step \(index) at \(CapacityFormat.rate(rate)) req/s: \(stopped)", lastGood: lastGood())
                break
            }
            if let dead = deadTarget(run.summary) {
                verdict = .failed(reason: "step \(index) at \(CapacityFormat.rate(rate)) req/s: \(dead)", lastGood: lastGood())
                break
            }
            action = search.record(step.outcome)
        }
        if verdict == nil, case .finished(let finished) = action { verdict = finished }
        return CapacityResult(
            scenario: plan.scenario.name, startedAt: startedAt, elapsed: Clock.now() - origin, settings: plan.settings, mix: plan.mixByName,
            verdict: verdict ?? .failed(reason: "the search ended without a verdict", lastGood: lastGood()), steps: steps,
            expected: expected, machine: machine)
    }

    struct StepOutcome: Sendable {
        var result: Result<RunResult, DriverError>
        var seconds: Double
        /// Why the step was stopped early (its budget, or the user), when it was.
        var stopped: String?
    }

    /// One step, with its budget enforced (the generator's CPU comes with the step's summary).
    static func runStep(plan: CapacityPlan, rate: Double, endpoints: Endpoints?, options: DriverOptions) async -> StepOutcome {
        let stop = StopSignal()
        let started = Clock.now()
        var configured = options
        configured.stop = stop
        configured.onProgress = nil
        configured.requestLogPath = nil
        configured.intervalsPath = nil
        let stepOptions = configured
        let budget = plan.settings.stepBudget
        let scenario = plan.step(rate: rate)
        let result = await withTaskGroup(of: Result<RunResult, DriverError>?.self) { group in
            group.addTask {
                // The watcher: passes on a user's stop, enforces the budget.
                while !Task.isCancelled {
                    if options.stop.isRequested { stop.request(options.stop.reason ?? "stopped") }
                    if Clock.now() - started > budget { stop.request("the step took longer than its budget of \(Quantity.format(seconds: budget))") }
                    try? await Task.sleep(nanoseconds: 200_000_000)
                }
                return nil
            }
            group.addTask {
                do throws(DriverError) {
                    return .success(try await Driver.run(scenario: scenario, endpoints: endpoints, options: stepOptions))
                } catch {
                    return .failure(error)
                }
            }
            var outcome: Result<RunResult, DriverError>?
            for await finished in group {
                if let finished {
                    outcome = finished
                    group.cancelAll()
                }
            }
            return outcome!
        }
        return StepOutcome(result: result, seconds: Clock.now() - started, stopped: stop.isRequested ? stop.reason : nil)
    }

    /// A target that answered nothing at all: every request failed to resolve, connect or shake hands.
    static func deadTarget(_ summary: RunSummary) -> String? {
        let all = summary.all
        if all.count > 0, all.ok == 0, all.rejected == 0, all.errors.allSatisfy({ ["dns", "connect", "tls", "reset"].contains($0.category) }) {
            let kinds = all.errors.map(\.category).joined(separator: ", ")
            return "the target stopped answering (\(all.count) requests, every one failed: \(kinds))"
        }
        if all.count == 0, (all.intendedCount ?? 0) > 0 {
            return "no request completed"
        }
        return nil
    }
}
