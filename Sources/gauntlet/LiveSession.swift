import Foundation
import GauntletCore
import GauntletDriver
import GauntletLive
import GauntletReports
import Synchronization

/// What `run` and `replay` (and `capacity`) show while the driver works: the `--live` endpoint, and on a
/// TTY the terminal's live view, both fed from the driver's once-a-second snapshot. Off a TTY the
/// progress line stays as it was, plain text; `--quiet` shows neither (the endpoint's address excepted,
/// since asking for `--live` asks to be told where it is).
final class LiveSession: Sendable {
    let server: LiveServer?
    private let terminal: LiveTerminal?

    /// Starts the endpoint when `live` (the `--live` value) is given; prints its address. A bad address
    /// exits 2, one that cannot be bound exits 3.
    init(live: String?, target: String, quiet: Bool, command: String) throws {
        var stderr = StandardError()
        terminal = !quiet && ProgressOutput.interactive ? LiveTerminal() : nil
        guard let live else {
            server = nil
            return
        }
        do {
            let address = try LiveAddress.parse(live)
            let server = try LiveServer(address, target: target, gauntletVersion: GauntletVersion.string)
            self.server = server
            print("gauntlet \(command): live view at \(server.url) (Prometheus metrics at \(server.url)metrics)", to: &stderr)
        } catch let error as LiveAddress.Invalid {
            print("gauntlet \(command): \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        } catch {
            print("gauntlet \(command): \(error)", to: &stderr)
            throw GauntletExit.runFailed
        }
    }

    /// Routes the driver's snapshots here; on a TTY the redrawn view replaces the progress line.
    func configure(_ options: inout DriverOptions) {
        guard server != nil || terminal != nil else { return }
        let (server, terminal) = (server, terminal)
        let version = options.gauntletVersion
        if let terminal {
            options.onProgress = nil
            options.onWarning = { terminal.warning($0) }
        }
        options.onSnapshot = { snapshot in
            server?.publish(snapshot)
            guard let terminal else { return }
            terminal.draw(server?.currentFrame() ?? LiveFrame(snapshot: snapshot, target: "", gauntletVersion: version, machine: LiveTerminal.machine))
        }
    }

    /// The run is over (`result` nil: it failed): the endpoint shows the final figures, then stops.
    func finish(_ result: RunResult?) {
        if let result {
            terminal?.draw(LiveFrame(summary: result.summary, timeSeries: result.timeSeries, elapsed: result.summary.elapsed, inFlight: 0, finished: true))
            server?.finish(result)
        }
        server?.stop()
    }

    /// `--live` may stand alone (`--live scenario.yaml`): a bare one becomes `--live=127.0.0.1:0` unless
    /// the next word reads as an address.
    static func normalize(_ arguments: [String]) -> [String] {
        var out: [String] = []
        for (index, argument) in arguments.enumerated() {
            if argument == "--live", index + 1 >= arguments.count || !LiveAddress.looksLikeAddress(arguments[index + 1]) {
                out.append("--live=\(LiveAddress.loopback)")
            } else {
                out.append(argument)
            }
        }
        return out
    }

    /// How the target reads on the live page.
    static func target(_ scenario: Scenario) -> String {
        switch scenario.target {
        case .embedded: "embedded reference stack"
        case .remote(let remote): remote.lb ?? remote.upload ?? remote.idp ?? remote.endpointsFile ?? "remote"
        }
    }
}

/// The terminal's live view: redraws `LiveTerminalView`'s lines in place on standard error.
final class LiveTerminal: Sendable {
    /// The view never shows the machine; the host name's lookup can take seconds, so it is not made.
    static let machine = MachineInfo(hostname: "", cpus: ProcessInfo.processInfo.activeProcessorCount, os: "")
    /// Lines currently drawn (0: the cursor is on a fresh line).
    private let drawn = Mutex(0)

    func draw(_ frame: LiveFrame) {
        let lines = LiveTerminalView.lines(frame, width: Self.width())
        drawn.withLock { previous in
            FileHandle.standardError.write(Data(LiveTerminalView.redraw(previous: previous, lines: lines).utf8))
            previous = lines.count
        }
    }

    /// A warning goes above the view, which is drawn afresh below it next second.
    func warning(_ text: String) {
        drawn.withLock { previous in
            FileHandle.standardError.write(Data(LiveTerminalView.redraw(previous: previous, lines: ["warning: \(text)"]).utf8))
            previous = 0
        }
    }

    static func width() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 100 }
        return Int(size.ws_col)
    }
}
