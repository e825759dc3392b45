/// One thing wrong with a scenario, located precisely enough that a person can go straight to it.
public struct ScenarioIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the scenario came from, as the user named it.
    public var file: String
    /// 1-based line and column of the offending node (0 when the problem is the document as a whole).
    public var line: Int
    public var column: Int
    /// Dotted path of the field, e.g. `requests.ui.schedule.rate` or `thresholds[2]`.
    public var path: String
    /// What is wrong and what was expected, e.g. `expected a number of requests per second, got "fast"`.
    public var message: String

    public init(file: String, line: Int, column: Int, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    public var description: String {
        let location = line > 0 ? "\(file):\(line):\(column)" : file
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// Every issue found in a scenario: validation reports them all at once rather than stopping at the first.
public struct ScenarioValidationError: Error, Sendable, CustomStringConvertible {
    public var issues: [ScenarioIssue]

    public init(issues: [ScenarioIssue]) {
        self.issues = issues
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
