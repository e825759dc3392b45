import CCurl
import GauntletCore

/// This machine's wall clock, as a shard records it: the merge lines shards up by wall-clock start times,
/// so how far each machine's clock can be trusted belongs beside them.
enum SystemClock {
    static var info: ClockInfo {
        var maxError = 0
        var estimatedError = 0
        var unsynchronised: Int32 = 0
        let state = gauntlet_clock_state(&maxError, &estimatedError, &unsynchronised)
        guard state >= 0 else { return ClockInfo(source: "CLOCK_REALTIME", synchronized: nil, maxError: nil, estimatedError: nil) }
        return ClockInfo(
            source: "CLOCK_REALTIME", synchronized: state != TIME_ERROR && unsynchronised == 0,
            maxError: Double(maxError) / 1e6, estimatedError: Double(estimatedError) / 1e6)
    }
}
