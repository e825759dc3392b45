import Testing
@testable import GauntletLive

@Suite struct LiveAddressTests {
    @Test(arguments: [
        ("127.0.0.1:9464", "127.0.0.1", 9464),
        (":9464", "127.0.0.1", 9464),
        ("9464", "127.0.0.1", 9464),
        ("127.0.0.2", "127.0.0.2", 0),
        ("localhost:0", "127.0.0.1", 0),
        ("", "127.0.0.1", 0),
    ])
    func parsesEverySpelling(text: String, host: String, port: Int) throws {
        #expect(try LiveAddress.parse(text) == LiveAddress(host: host, port: port))
    }

    @Test(arguments: ["127.0.0.1:70000", "example.com:80", "1.2.3:80", "127.0.0.1:x", "::1", "256.0.0.1"])
    func refusesWhatIsNotAnIPv4AddressAndPort(text: String) {
        #expect(throws: LiveAddress.Invalid.self) { try LiveAddress.parse(text) }
    }

    @Test func sayWhatWasExpected() {
        do {
            _ = try LiveAddress.parse("127.0.0.1:70000")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("\"70000\" is not a port number"))
            #expect(error.description.contains("HOST:PORT"))
        }
    }

    @Test func tellsAnAddressFromAScenarioFile() {
        #expect(LiveAddress.looksLikeAddress("127.0.0.1:9464"))
        #expect(LiveAddress.looksLikeAddress(":0"))
        #expect(LiveAddress.looksLikeAddress("localhost"))
        #expect(!LiveAddress.looksLikeAddress("scenarios/smoke.yaml"))
        #expect(!LiveAddress.looksLikeAddress("--quiet"))
        #expect(!LiveAddress.looksLikeAddress(""))
    }
}
