import Foundation
import GauntletCore
import GauntletDriver
import GauntletStack
import Logging

/// `target: embedded`: the reference stack started in this process on ephemeral ports, for one run.
///
/// The harness and the stack share only the wire, so what crosses here is the endpoints JSON — the same
/// document `gauntlet stack --endpoints` writes — and the driver reads it exactly as it would read a file.
struct EmbeddedStack {
    /// The endpoints document, as `gauntlet stack` would write it.
    let endpointsJSON: Data
    /// The stack's ALB-format access log, copied into the results directory after the run.
    let accessLog: String?
    private let stack: RunningStack
    private let stateDirectory: URL

    enum Failure: Error, CustomStringConvertible {
        /// The stack config named by the scenario is unreadable or invalid (exit 2).
        case invalidConfig(String)
        /// The stack would not start (exit 3).
        case startFailed(String)

        var description: String {
            switch self {
            case .invalidConfig(let why): "the embedded stack's config is invalid: \(why)"
            case .startFailed(let why): "the embedded reference stack did not start: \(why)"
            }
        }
    }

    /// Starts the stack with the scenario's stack config (relative to the scenario) and faults.
    static func start(_ target: EmbeddedTarget, scenarioDirectory: String) async throws(Failure) -> EmbeddedStack {
        var config: StackConfig
        if let path = target.stackConfig {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: scenarioDirectory).appendingPathComponent(path)
            do {
                config = try StackConfig.load(url)
            } catch {
                throw .invalidConfig("\(error)")
            }
        } else {
            config = StackConfig()
        }
        // Every listener ephemeral, whatever the config file pins, so runs never collide.
        config.ports = StackConfig.Ports()
        config.backends.managerPort = 0
        config.backends.analyticsPort = 0
        let faults = target.faults
        if !faults.isEmpty {
            config.edge.faults.misrouteFraction = faults.misroute
            config.edge.faults.errorFraction = faults.fail
            if faults.stallFor > 0 {
                config.edge.faults.stallMs = Int((faults.stallFor * 1000).rounded())
                config.edge.faults.stallEveryMs = Int((faults.stallEvery * 1000).rounded())
            }
            if let component = faults.delayComponent {
                config.edge.faults.delayGroup = component
                config.edge.faults.delayFraction = faults.delayFraction
                config.edge.faults.delayMs = faults.delaySeconds * 1000
            }
        }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-embedded-\(UUID().uuidString)")
        var logger = Logger(label: "gauntlet.embedded-stack")
        logger.logLevel = .error
        do {
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            let stack = try await ReferenceStack.start(config: config, stateDirectory: state, logger: logger)
            return EmbeddedStack(endpointsJSON: try stack.endpoints.jsonData(), accessLog: stack.endpoints.accessLog, stack: stack, stateDirectory: state)
        } catch {
            try? FileManager.default.removeItem(at: state)
            throw .startFailed("\(error)")
        }
    }

    /// Stops every listener, then removes the temporary state (keys, certificates, the event store).
    func stop() async {
        try? await stack.shutdown()
        try? FileManager.default.removeItem(at: stateDirectory)
    }
}

extension EmbeddedStack {
    /// Starts the stack for a subcommand: says so unless quiet, and maps a failure to its exit code
    /// (2 for an invalid stack config, 3 when the stack would not start) after printing it.
    static func startForCommand(_ target: EmbeddedTarget, scenarioDirectory: String, command: String, quiet: Bool) async throws -> EmbeddedStack {
        var stderr = StandardError()
        if !quiet { print("gauntlet \(command): starting the embedded reference stack…", to: &stderr) }
        do throws(Failure) {
            return try await start(target, scenarioDirectory: scenarioDirectory)
        } catch {
            print("gauntlet \(command): \(error)", to: &stderr)
            if case .invalidConfig = error { throw GauntletExit.invalidInput }
            throw GauntletExit.runFailed
        }
    }
}

/// The live progress line and warnings of `run` and `replay`, on standard error.
enum ProgressOutput {
    static var interactive: Bool { isatty(STDERR_FILENO) == 1 }

    static func progress(interactive: Bool) -> @Sendable (RunProgress) -> Void {
        { progress in
            var stderr = StandardError()
            if interactive { print("\r\u{1B}[K" + progress.line, terminator: "", to: &stderr) } else { print(progress.line, to: &stderr) }
        }
    }

    static func warning(interactive: Bool) -> @Sendable (String) -> Void {
        { warning in
            var stderr = StandardError()
            print((interactive ? "\n" : "") + "warning: \(warning)", to: &stderr)
        }
    }
}
