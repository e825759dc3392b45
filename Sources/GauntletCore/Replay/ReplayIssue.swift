/// Something wrong with a replay source, located precisely enough to go straight to it.
///
/// Readers skip a malformed line, count it and keep the first few of these for the report; in strict
/// mode the first one is thrown instead.
public struct ReplayIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source as the user named it.
    public var file: String
    /// 1-based line (0 when the problem is the file as a whole, e.g. it cannot be opened).
    public var line: Int
    /// 1-based column of the offending character, 0 when it is the line as a whole.
    public var column: Int
    /// What is wrong and what was expected.
    public var message: String

    public init(file: String, line: Int, column: Int = 0, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        switch (line, column) {
        case (0, _): "\(file): \(message)"
        case (_, 0): "\(file):\(line): \(message)"
        default: "\(file):\(line):\(column): \(message)"
        }
    }
}

/// What a reader skipped: a count, and the first few issues so a report can show examples.
public struct SkippedLines: Sendable, Equatable {
    public static let examplesKept = 20
    public private(set) var count = 0
    public private(set) var examples: [ReplayIssue] = []

    public init() {}

    public mutating func record(_ issue: ReplayIssue) {
        count += 1
        if examples.count < Self.examplesKept { examples.append(issue) }
    }

    /// Adds another reader's skipped lines (its count, and examples while there is room).
    public mutating func add(_ other: SkippedLines) {
        count += other.count
        examples += other.examples.prefix(Self.examplesKept - examples.count)
    }
}
