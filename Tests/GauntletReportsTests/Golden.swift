import Foundation
import Testing

/// Golden-file checks: rendered output must equal the file under `Golden/` byte for byte.
/// `GAUNTLET_UPDATE_GOLDEN=1 swift test` rewrites the files (review the diff before committing).
enum Golden {
    static func directory(_ file: String = #filePath) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Golden")
    }

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory().appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["GAUNTLET_UPDATE_GOLDEN"] == "1" {
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        // Prefer the bundled copy (tests may run away from the sources), else the source tree.
        let bundled = Bundle.module.url(forResource: "Golden/\(name)", withExtension: nil)
        guard let expected = (bundled ?? Optional(url)).flatMap({ try? String(contentsOf: $0, encoding: .utf8) }) else {
            Issue.record("missing golden file Golden/\(name); run with GAUNTLET_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(expectedLines.count, actualLines.count)
            let want = first < expectedLines.count ? String(expectedLines[first]) : "(end of file)"
            let got = first < actualLines.count ? String(actualLines[first]) : "(end of file)"
            Issue.record("Golden/\(name) differs at line \(first + 1):\n  expected: \(want)\n  actual:   \(got)", sourceLocation: sourceLocation)
        }
    }
}
