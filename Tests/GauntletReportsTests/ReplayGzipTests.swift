import Foundation
import Testing
import GauntletCore
@testable import GauntletReports

enum ReportsFixtures {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)?.path ?? "missing fixture \(name)"
    }
}

@Suite("gzip replay sources")
struct ReplayGzipTests {
    func readAll(_ path: String) throws(ReplayIssue) -> (requests: [RecordedRequest], skipped: Int) {
        var reader = ALBLogReader(try ReplaySourceFiles.open(path))
        var requests: [RecordedRequest] = []
        while let request = try reader.next() { requests.append(request) }
        return (requests, reader.skipped.count)
    }

    @Test func gzipLogReadsLikeThePlainOne() throws {
        let (requests, skipped) = try readAll(ReportsFixtures.path("aws-doc-examples.log.gz"))
        #expect(requests.count == 7)
        #expect(skipped == 0)
        #expect(requests[1].host == "www.example.com")
    }

    @Test func concatenatedMembersAreOneStream() throws {
        let (requests, _) = try readAll(ReportsFixtures.path("two-members.log.gz"))
        #expect(requests.count == 12)
        #expect(requests.last?.pathAndQuery == "/analytics/api/search?q=error")
    }

    @Test func truncatedGzipIsAnErrorNotAShortRead() {
        do {
            _ = try readAll(ReportsFixtures.path("truncated.log.gz"))
            Issue.record("a truncated gzip must fail")
        } catch {
            #expect(error.file.hasSuffix("truncated.log.gz"))
            #expect(error.message.contains("truncated gzip stream"))
            #expect(error.message.contains("300 compressed bytes"))
        }
    }

    @Test func corruptGzipNamesTheByte() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ReportsFixtures.path("aws-doc-examples.log.gz"))))
        for index in 40..<60 { bytes[index] ^= 0x5A }
        var source = try GzipChunkSource(MemoryChunkSource(name: "corrupt.gz", bytes: bytes, chunkSize: 64))
        do {
            while try source.nextChunk() != nil {}
            Issue.record("corrupt data must fail")
        } catch {
            #expect(error.message.contains("not valid gzip data near compressed byte"))
        }
    }

    @Test func plainFilesPassThrough() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-plain-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let line = #"http 2018-07-02T22:23:00.186641Z app/x 1.2.3.4:5 - 0.1 0.2 0.3 200 200 1 1 "GET http://a/b HTTP/1.1" "ua" - - - "Root=1""#
        try (line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let (requests, _) = try readAll(path)
        #expect(requests.map(\.pathAndQuery) == ["/b"])
    }
}

@Suite("replay source detection and merging")
struct ReplaySourceFilesTests {
    func temporary(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gauntlet-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func formatsAreDetectedByNameOrContent() throws {
        #expect(try ReplaySourceFiles.detectFormat(ReportsFixtures.path("aws-doc-examples.log.gz")) == .alb)
        let jsonl = try temporary("run-log", #"{"t":0,"type":"ui","method":"GET","url":"/","status":200}"# + "\n")
        #expect(try ReplaySourceFiles.detectFormat(jsonl) == .gauntlet)
        let har = try temporary("export", "{\n \"log\": {\"entries\": []}}")
        #expect(try ReplaySourceFiles.detectFormat(har) == .har)
        #expect(try ReplaySourceFiles.detectFormat("/x/y.HAR") == .har)
    }

    @Test func mergedSourcesComeOutInTimeOrder() throws {
        let a = try temporary("a.jsonl", [0.0, 2.0, 4.0].map { #"{"t":\#($0),"type":"ui","method":"GET","url":"/a","status":200}"# }.joined(separator: "\n"))
        let b = try temporary("b.jsonl", [1.0, 3.0].map { #"{"t":\#($0),"type":"ui","method":"GET","url":"/b","status":200}"# }.joined(separator: "\n") + "\nnot json")
        var merged = MergedRequestSource([try ReplaySourceFiles.reader(a), try ReplaySourceFiles.reader(b)])
        var order: [String] = []
        while let request = try merged.next() { order.append("\(request.path)@\(Int(request.time))") }
        #expect(order == ["/a@0", "/b@1", "/a@2", "/b@3", "/a@4"])
        #expect(merged.skipped.count == 1)
        #expect(merged.skipped.examples.first?.line == 3)
    }
}
