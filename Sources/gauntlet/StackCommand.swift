import ArgumentParser
import Foundation
import GauntletStack

struct StackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack",
        abstract: "Run the included reference stack (identity provider, …) on 127.0.0.1 until SIGINT/SIGTERM.",
        discussion: """
            Writes the endpoints file (JSON: urls, direct, resolve, ca_file, user_pool_id, jwks_url, clients, \
            users, …) once every listener is up. The state directory keeps the CA, the certificates and the \
            signing keys between runs.
            """
    )

    @Option(name: .long, help: "Stack config (YAML). Default: every built-in default.")
    var config: String?

    @Option(name: .long, help: "Where the CA, certificates and keys live.")
    var stateDir: String = ".gauntlet-stack"

    @Option(name: .long, help: "Where to write the endpoints JSON.")
    var endpoints: String = "endpoints.json"

    func run() async throws {
        var stderr = StandardError()
        do {
            try await StackRunner.run(
                configFile: config.map { URL(fileURLWithPath: $0) },
                stateDirectory: URL(fileURLWithPath: stateDir),
                endpointsFile: URL(fileURLWithPath: endpoints),
                log: { print($0, to: &stderr) })
        } catch {
            print("gauntlet stack: \(error)", to: &stderr)
            switch error {
            case .invalidConfig: throw GauntletExit.invalidInput
            case .startFailed: throw GauntletExit.runFailed
            }
        }
    }
}
