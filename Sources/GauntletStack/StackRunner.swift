import Foundation
import Logging
import StackSupport

/// What `gauntlet stack` does: start the stack with SIGINT/SIGTERM handling, write the endpoints file once
/// every listener is up, print where it is, and run until a signal stops it.
public enum StackRunner {
    /// Why `gauntlet stack` could not do its job; the CLI maps `invalidConfig` to exit 2, the rest to 3.
    public enum Failure: Error, CustomStringConvertible {
        case invalidConfig(String)
        case startFailed(String)

        public var description: String {
            switch self {
            case .invalidConfig(let why): why
            case .startFailed(let why): "could not run the stack: \(why)"
            }
        }
    }

    public static func run(configFile: URL?, stateDirectory: URL, endpointsFile: URL, log: (String) -> Void) async throws(Failure) {
        do {
            try await runUnchecked(configFile: configFile, stateDirectory: stateDirectory, endpointsFile: endpointsFile, log: log)
        } catch let error as StackConfigError {
            throw .invalidConfig(error.description)
        } catch {
            throw .startFailed("\(error)")
        }
    }

    private static func runUnchecked(configFile: URL?, stateDirectory: URL, endpointsFile: URL, log: (String) -> Void) async throws {
        let config = try StackConfig.load(configFile)
        var logger = Logger(label: "gauntlet.stack")
        logger.logLevel = .notice
        let stack = try await ReferenceStack.start(
            config: config, stateDirectory: stateDirectory, handleSignals: true, logger: logger)
        do {
            try stack.endpoints.write(to: endpointsFile)
        } catch {
            try? await stack.shutdown()
            throw error
        }
        let e = stack.endpoints
        log("gauntlet stack: identity provider \(e.urls.idp ?? "-") (direct \(e.direct.idp ?? "-"))")
        log("gauntlet stack: \(stack.isolationLine)")
        log("gauntlet stack: user pool \(e.userPoolId ?? "-"), \(e.users.count) demo users, CA \(e.caFile)")
        log("gauntlet stack: endpoints written to \(endpointsFile.path); Ctrl-C stops it")
        try await stack.wait()
        log("gauntlet stack: stopped")
    }
}
