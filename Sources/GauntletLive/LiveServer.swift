import Foundation
import GauntletCore
import GauntletDriver
import GauntletReports
import Synchronization

/// `--live`: a local endpoint that shows a run while it goes on, and stops with it.
///
/// - `/` the live page (`LivePageRenderer`): report.html's charts, redrawn each second;
/// - `/events` the page's feed (server-sent events: one `frame` a second, `end` with the final figures);
/// - `/metrics` Prometheus text (`LiveMetricsRenderer`);
/// - `/summary.json` the run so far as `summary.json` will hold it.
///
/// Feed it from any task: `publish(_:)` with each `DriverOptions.onSnapshot` snapshot, `publish(search:)`
/// with a capacity search's progress, `finish(_:)` with the result. Publishing only stores the snapshot;
/// the figures are computed and drawn on the server's own thread, once per second and only while someone
/// reads them, so an unwatched endpoint costs the generator nothing but the snapshot's copy.
public final class LiveServer: Sendable {
    /// `http://HOST:PORT/`, with the port actually bound.
    public let url: String
    private let http: LiveHTTPServer
    private let board: LiveBoard

    /// Binds `address` and starts serving. `target` names the target on the page (a URL, or `embedded`).
    public init(_ address: LiveAddress, target: String, gauntletVersion: String = DriverInfo.version) throws(LiveServerError) {
        http = try LiveHTTPServer(address: address)
        board = LiveBoard(target: target, gauntletVersion: gauntletVersion)
        url = "http://\(http.address.host):\(http.port)/"
        http.start(LiveSite(board: board))
    }

    /// The run so far; call with every `DriverOptions.onSnapshot` snapshot. A new run (a capacity step)
    /// simply replaces the last one.
    public func publish(_ snapshot: RunSnapshot) {
        board.update { $0.snapshot = snapshot; $0.final = nil }
        http.wake()
    }

    /// A capacity search's progress, shown above the current step's figures; nil removes it.
    public func publish(search: LiveSearch?) {
        board.update { $0.search = search }
        http.wake()
    }

    /// The run's final figures: readers get them with an `end` event, and the page stops listening.
    public func finish(_ result: RunResult) {
        let frame = LiveFrame(summary: result.summary, timeSeries: result.timeSeries, elapsed: result.summary.elapsed, inFlight: 0, finished: true)
        board.update { $0.final = frame }
        http.wake()
    }

    /// The figures a reader sees now (nil before the first snapshot); computed once per snapshot, however
    /// many ask (the terminal view asks too).
    public func currentFrame() -> LiveFrame? { board.frame().frame }

    /// Sends what is buffered (for at most `drain`), closes every connection and the listener. The
    /// endpoint stops with the run.
    public func stop(drain: Duration = .seconds(1)) {
        http.stop(drain: drain)
    }
}

/// What the live endpoint shows, shared between the publishers and the server's thread.
final class LiveBoard: Sendable {
    struct State {
        var snapshot: RunSnapshot?
        var final: LiveFrame?
        var search: LiveSearch?
        var version = 0
    }

    let target: String
    let gauntletVersion: String
    /// Read once, on the server's thread when first needed: the host name's lookup can take seconds.
    private let machine = Mutex<MachineInfo?>(nil)
    private let state = Mutex(State())
    /// The last frame computed and the version it was computed from: the page, `/metrics` and the terminal
    /// view share one summary a second.
    private let computed = Mutex<(version: Int, frame: LiveFrame?)>((-1, nil))

    init(target: String, gauntletVersion: String) {
        self.target = target
        self.gauntletVersion = gauntletVersion
    }

    func update(_ change: (inout State) -> Void) {
        state.withLock {
            change(&$0)
            $0.version += 1
        }
    }

    var version: Int { state.withLock { $0.version } }

    /// The current frame and its version. The summary is computed outside the state's lock, from the
    /// snapshot's copy of the accumulator, once per version.
    func frame() -> (frame: LiveFrame?, version: Int) {
        let (snapshot, final, search, version) = state.withLock { ($0.snapshot, $0.final, $0.search, $0.version) }
        if let hit = computed.withLock({ $0.version == version ? $0.frame : nil }) { return (hit, version) }
        let frame = makeFrame(snapshot: snapshot, final: final, search: search)
        computed.withLock { $0 = (version, frame) }
        return (frame, version)
    }

    private func makeFrame(snapshot: RunSnapshot?, final: LiveFrame?, search: LiveSearch?) -> LiveFrame? {
        if var final {
            final.search = search
            return final
        }
        guard let snapshot else { return nil }
        let machine = self.machine.withLock { known in
            if let known { return known }
            let current = MachineInfo.current
            known = current
            return current
        }
        var frame = LiveFrame(snapshot: snapshot, target: target, gauntletVersion: gauntletVersion, machine: machine)
        frame.search = search
        return frame
    }
}

extension LiveFrame {
    /// The run so far from a driver snapshot, summarised as `Driver.run` will summarise it at the end.
    public init(snapshot: RunSnapshot, target: String, gauntletVersion: String, machine: MachineInfo = .current) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let accumulator = snapshot.accumulator
        // Rates divide by the time the figures cover: the seconds every worker has handed over, which trail
        // the clock by about a second (more when the generator is starved), not by the clock itself.
        let covered = accumulator.timeSeries.map { Double($0.second + 1) }.max() ?? snapshot.elapsed
        let summary = accumulator.summary(
            timing: .init(startedAt: formatter.string(from: snapshot.startedAt), endedAt: formatter.string(from: Date()),
                          elapsed: min(snapshot.elapsed, covered, accumulator.scenario.duration)),
            target: target, gauntletVersion: gauntletVersion, machine: machine, partialReason: nil)
        self.init(summary: summary, timeSeries: accumulator.timeSeries, elapsed: snapshot.elapsed, inFlight: snapshot.inFlight)
    }
}
