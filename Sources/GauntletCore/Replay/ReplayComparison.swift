import Foundation

/// "What changed": the replayed statuses against the recorded ones, per path pattern, and the
/// replayed latency against the recorded processing time where the source has one.
public struct ReplayComparison: Sendable, Equatable {
    public struct Row: Sendable, Equatable, Comparable {
        public var method: String
        public var pattern: String
        /// nil: no status (recorded: none logged; replayed: no response).
        public var recorded: Int?
        public var replayed: Int?
        public var count: Int
        /// Where the first such request was recorded, as an example to look at.
        public var example: RecordedRequest.Position

        public var matches: Bool { recorded == replayed }

        public static func < (lhs: Row, rhs: Row) -> Bool {
            (lhs.pattern, lhs.method, lhs.recorded ?? -1, lhs.replayed ?? -1)
                < (rhs.pattern, rhs.method, rhs.recorded ?? -1, rhs.replayed ?? -1)
        }
    }

    public struct Latency: Sendable, Equatable {
        public var method: String
        public var pattern: String
        public var count: Int
        /// Mean recorded processing time and mean replayed latency, seconds (only over requests that have both).
        public var recordedMean: Double
        public var replayedMean: Double
    }

    private struct Key: Hashable {
        var method: String
        var pattern: String
        var recorded: Int?
        var replayed: Int?
    }

    private struct LatencySum: Equatable {
        var count = 0
        var recorded = 0.0
        var replayed = 0.0
    }

    private var cells: [Key: (count: Int, example: RecordedRequest.Position)] = [:]
    private var latencies: [String: LatencySum] = [:]
    public private(set) var total = 0
    public private(set) var matched = 0

    public init() {}

    public static func == (lhs: ReplayComparison, rhs: ReplayComparison) -> Bool {
        lhs.rows == rhs.rows && lhs.latency == rhs.latency
    }

    /// Records the outcome of one replayed request.
    public mutating func add(_ request: RecordedRequest, replayedStatus: Int?, replayedLatency: Double? = nil) {
        let pattern = PathPattern.of(request.path)
        let key = Key(method: request.method, pattern: pattern, recorded: request.status, replayed: replayedStatus)
        if let cell = cells[key] {
            cells[key] = (cell.count + 1, cell.example)
        } else {
            cells[key] = (1, request.position)
        }
        total += 1
        if request.status == replayedStatus { matched += 1 }
        if let recorded = request.processingTime, let replayed = replayedLatency {
            var sum = latencies["\(request.method) \(pattern)", default: LatencySum()]
            sum.count += 1
            sum.recorded += recorded
            sum.replayed += replayed
            latencies["\(request.method) \(pattern)"] = sum
        }
    }

    public var differed: Int { total - matched }

    /// Every (pattern, recorded, replayed) cell, sorted by pattern.
    public var rows: [Row] {
        cells.map { key, cell in
            Row(method: key.method, pattern: key.pattern, recorded: key.recorded, replayed: key.replayed, count: cell.count, example: cell.example)
        }.sorted()
    }

    /// Only the cells where the status changed.
    public var differences: [Row] { rows.filter { !$0.matches } }

    /// The path patterns (with method) that had at least one changed status.
    public var changedPatterns: [String] {
        Array(Set(differences.map { "\($0.method) \($0.pattern)" })).sorted()
    }

    public var latency: [Latency] {
        latencies.map { key, sum in
            let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
            return Latency(
                method: parts[0], pattern: parts.count > 1 ? parts[1] : "", count: sum.count,
                recordedMean: sum.recorded / Double(sum.count), replayedMean: sum.replayed / Double(sum.count)
            )
        }.sorted { ($0.pattern, $0.method) < ($1.pattern, $1.method) }
    }

    /// A plain-text table for terminals: the changed cells first, then a one-line total.
    public func renderText() -> String {
        var lines: [String] = []
        let differences = differences
        if differences.isEmpty {
            lines.append("statuses: all \(total) replayed requests got the recorded status")
        } else {
            lines.append("statuses: \(differed) of \(total) replayed requests differ from the recording")
            let header = ["method", "path pattern", "recorded", "replayed", "count", "example"]
            var table = [header]
            for row in differences {
                table.append([
                    row.method, row.pattern, row.recorded.map(String.init) ?? "-", row.replayed.map(String.init) ?? "none",
                    String(row.count), row.example.description,
                ])
            }
            let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
            for row in table {
                lines.append(row.enumerated().map { column, cell in
                    cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }.joined(separator: "  ").trimmingSpaces())
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Collapses the variable parts of a path so that requests to one route share a pattern:
/// `/manager/api/users/42?x=1` → `/manager/api/users/{n}`.
public enum PathPattern {
    public static func of(_ path: String) -> String {
        var path = Substring(path)
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            if segment.isEmpty { return "" }
            if segment.allSatisfy(\.isNumber) { return "{n}" }
            if isUUID(segment) { return "{uuid}" }
            if segment.count >= 16, segment.allSatisfy(\.isHexDigit) { return "{hex}" }
            return String(segment)
        }
        let joined = segments.joined(separator: "/")
        return joined.isEmpty ? "/" : joined
    }

    static func isUUID(_ text: Substring) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
