import Testing
@testable import GauntletCore

@Suite("Quantities, suggestions and the seeded generator")
struct QuantityTests {
    @Test("durations", arguments: [
        ("10s", 10.0), ("250ms", 0.25), ("1m30s", 90), ("2h", 7200), ("100us", 0.0001), ("1.5", 1.5), ("3min", 180),
    ])
    func durations(text: String, seconds: Double) {
        #expect(abs(Quantity.seconds(text)! - seconds) < 1e-12)
    }

    @Test("nonsense durations are rejected", arguments: ["", "fast", "10 parsecs", "s", "1x"])
    func badDurations(text: String) {
        #expect(Quantity.seconds(text) == nil)
    }

    @Test("rates, ratios, sizes")
    func others() {
        #expect(Quantity.perSecond("3000/m") == 50)
        #expect(Quantity.perSecond("7200/h") == 2)
        #expect(Quantity.perSecond("12") == 12)
        #expect(Quantity.perSecond("5/fortnight") == nil)
        #expect(Quantity.ratio("0.1%") == 0.001)
        #expect(Quantity.ratio("abc") == nil)
        #expect(Quantity.bytes("4KiB") == 4096)
        #expect(Quantity.bytes("10MB") == 10_000_000)
        #expect(Quantity.bytes("3 furlongs") == nil)
        #expect(Quantity.format(seconds: 0.187) == "187ms")
        #expect(Quantity.format(seconds: 1.5) == "1.5s")
        #expect(Quantity.format(seconds: 0.000087) == "87µs")
    }

    @Test("did-you-mean finds typos and transpositions, not strangers")
    func suggestions() {
        #expect(DidYouMean.suggestion(for: "duraton", among: ["duration", "name"]) == "duration")
        #expect(DidYouMean.suggestion(for: "naem", among: ["duration", "name"]) == "name")
        #expect(DidYouMean.suggestion(for: "colour", among: ["duration", "name"]) == nil)
        #expect(DidYouMean.editDistance("kitten", "sitting") == 3)
    }
}
