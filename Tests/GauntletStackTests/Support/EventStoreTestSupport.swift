import Foundation
import Glibc
import StackUpload

/// A fresh state directory under the system temp dir, removed by `cleanUp()`.
struct TemporaryStateDirectory {
    let path: String

    init(_ label: String = "store") {
        path = NSTemporaryDirectory() + "gauntlet-\(label)-\(UUID().uuidString.prefix(8))"
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Every regular file under the directory, recursively.
    func allFiles() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [String] = []
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            let full = path + "/" + relative
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(full)
            }
        }
        return files
    }

    /// Files under the directory whose bytes contain `marker`.
    func filesContaining(_ marker: String) -> [String] {
        let needle = Data(marker.utf8)
        return allFiles().filter { file in
            guard let data = FileManager.default.contents(atPath: file) else { return false }
            return data.range(of: needle) != nil
        }
    }
}

/// Builds a batch of NDJSON events through the gateway's own parser.
func ndjsonBatch(_ lines: [String], now: Date = Date()) throws -> EventBatch {
    try EventBatchParser.parse(Array(lines.joined(separator: "\n").utf8), format: .ndjson, now: now)
}

func sampleEvents(_ count: Int, prefix: String, marker: String = "", timestamp: String = "2026-11-29T00:00:00Z") -> [String] {
    (0..<count).map { i in
        "{\"id\":\"\(prefix)-\(i)\",\"source\":\"app-\(i % 3)\",\"timestamp\":\"\(timestamp)\",\"msg\":\"hello \(marker) \(i)\"}"
    }
}

/// Extracts the `id` member of a stored event.
func eventID(_ event: StoredEvent) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(event.json)) as? [String: Any] else { return nil }
    return object["id"] as? String
}
