import Testing
@testable import GauntletCore
@testable import GauntletDriver

@Suite struct ThreadTimesTests {
    @Test func schedstatLinesParseAndBadOnesAreRefused() {
        let times = ThreadTimes.parse("534669074 4211416428 159\n", at: 7)
        #expect(times == ThreadTimes(onCPU: 0.534669074, waiting: 4.211416428, slices: 159, at: 7))
        #expect(ThreadTimes.parse("", at: 0) == nil)
        #expect(ThreadTimes.parse("12 x 3", at: 0) == nil)
    }

    @Test func theGeneratorFigureIsTheMostWaitingAndTheBusiestThread() throws {
        let busy = (start: ThreadTimes(onCPU: 1, waiting: 0, slices: 10, at: 0), end: ThreadTimes(onCPU: 4.6, waiting: 0.4, slices: 110, at: 4))
        let starved = (start: ThreadTimes(onCPU: 0, waiting: 1, slices: 0, at: 0), end: ThreadTimes(onCPU: 1, waiting: 3.8, slices: 140, at: 4))
        let cpu = try #require(ThreadTimes.generatorCPU([busy, starved]))
        #expect(cpu.threads == 2)
        #expect(abs(cpu.busiest - 0.9) < 1e-9)
        #expect(abs(cpu.runQueueWait - 0.7) < 1e-9)
        #expect(abs(cpu.meanWait - 0.02) < 1e-9)
        let tooShort = (start: ThreadTimes(onCPU: 0, waiting: 0, slices: 0, at: 0), end: ThreadTimes(onCPU: 0.1, waiting: 0.3, slices: 3, at: 0.3))
        #expect(ThreadTimes.generatorCPU([tooShort]) == nil, "under half a second says nothing")
    }

    @Test func thisThreadHasSchedulerFigures() throws {
        let now = try #require(ThreadTimes.current(), "Linux keeps /proc/thread-self/schedstat")
        #expect(now.onCPU > 0)
        #expect(now.slices > 0)
    }
}
