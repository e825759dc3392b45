import Foundation
@testable import GauntletCore
@testable import GauntletDriver
import GauntletReports

/// A small run in memory: two phases, uploads and UI loads, a few failures and one misroute.
enum LiveFixture {
    static let scenario = Scenario(
        name: "live-unit", seed: 11, target: .remote(RemoteTarget(lb: "https://127.0.0.1:1")), users: Users(),
        phases: [Phase(name: "warmup", duration: 1, warmup: true), Phase(name: "steady", duration: 3)],
        upload: UploadRequests(schedule: .constant(rate: 10), batches: [UploadRequests.Batch(events: 100)]),
        ui: UIRequests(schedule: .constant(rate: 10), pages: [.init(path: "/")]),
        thresholds: [try! Threshold.parse("routing.misroutes == 0")])

    /// The accumulator after `seconds` seconds of one worker sending 5 ui and 5 upload requests a second.
    static func accumulator(seconds: Int) -> RunAccumulator {
        var accumulator = RunAccumulator(scenario: scenario, workers: 1)
        var recorder = WorkerRecorder(worker: 0, phases: scenario.phases)
        for second in 0..<seconds {
            let phase = second == 0 ? 0 : 1
            for k in 0..<5 {
                let t = Double(second) + Double(k) / 5
                recorder.countArrival(.ui, phase: phase)
                recorder.countArrival(.upload, phase: phase)
                let misroute = second == 2 && k == 0
                recorder.record(RequestSample(
                    type: .ui, phase: phase, intended: t, sent: t + 0.001, finished: t + 0.010 + Double(k) * 0.002,
                    outcome: misroute ? .misroute(.wrongBackend) : (k == 3 ? .error(.timeout) : .ok), status: k == 3 ? 0 : 200,
                    connect: 0.001, tls: 0.003, ttfb: 0.008, lbAuth: 0.002, target: 0.005))
                recorder.record(RequestSample(
                    type: .upload, phase: phase, intended: t, sent: t, finished: t + 0.020,
                    outcome: k == 4 ? .rejected(.throttled) : .ok, status: k == 4 ? 429 : 202, uploadEvents: 100, uploadBytes: 25_600))
            }
            recorder.recordFreshness(seconds: 0.2 + Double(second) * 0.01)
            accumulator.add(recorder.takeInterval(nextIndex: second + 1))
        }
        return accumulator
    }

    static func snapshot(seconds: Int) -> RunSnapshot {
        RunSnapshot(accumulator: accumulator(seconds: seconds), startedAt: Date(timeIntervalSince1970: 1_800_000_000), elapsed: Double(seconds) + 0.05, inFlight: 2)
    }

    static func frame(seconds: Int, search: LiveSearch? = nil) -> LiveFrame {
        var frame = LiveFrame(snapshot: snapshot(seconds: seconds), target: "https://127.0.0.1:1", gauntletVersion: "0.1.0-test",
                              machine: MachineInfo(hostname: "test", cpus: 2, os: "Linux"))
        frame.search = search
        return frame
    }
}
