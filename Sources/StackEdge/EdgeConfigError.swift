/// A problem in the `edge:` section of the stack config, phrased so a person can fix the YAML.
public enum EdgeConfigError: Error, Equatable, CustomStringConvertible {
    case invalidValue(field: String, value: String, expected: String)
    case invalidRule(priority: Int, problem: String)
    case unknownTargetGroup(name: String, rulePriority: Int?)

    public var description: String {
        switch self {
        case let .invalidValue(field, value, expected):
            return "edge: \(field) has value '\(value)'; expected \(expected)"
        case let .invalidRule(priority, problem):
            return "edge: rule with priority \(priority): \(problem)"
        case let .unknownTargetGroup(name, priority):
            let whereText = priority.map { "rule with priority \($0)" } ?? "default_actions"
            return "edge: \(whereText) forwards to target group '\(name)', which target_groups does not define"
        }
    }
}
