import SharedPrimitives
import Testing

@Suite struct SeededGeneratorTests {
    @Test("the generator is deterministic per seed and stream, and uniform enough")
    func generator() {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        var ui = SeededGenerator(seed: 5, stream: "ui"), api = SeededGenerator(seed: 5, stream: "api")
        #expect(ui.next() != api.next())
        var g = SeededGenerator(seed: 99)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { buckets[Int(g.nextUnitInterval() * 10)] += 1 }
        #expect(buckets.allSatisfy { abs($0 - 10_000) < 500 })
    }
}
