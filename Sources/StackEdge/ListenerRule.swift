import StackSupport

/// A listener rule: a priority (lower is evaluated first, 1…50000 as on ALB), conditions and actions.
public struct ListenerRule: Sendable, Hashable, Codable {
    public var priority: Int
    public var conditions: [RuleCondition]
    public var actions: [RuleAction]

    public init(priority: Int, conditions: [RuleCondition], actions: [RuleAction]) {
        self.priority = priority
        self.conditions = conditions
        self.actions = actions
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case priority, conditions, actions }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(priority: try c.decode(Int.self, forKey: .priority),
                  conditions: try c.decode([RuleCondition].self, forKey: .conditions),
                  actions: try c.decode([RuleAction].self, forKey: .actions))
    }

    /// The `authenticate` action, when the rule has one.
    public var authenticate: RuleAction.Authenticate? {
        for action in actions { if case let .authenticate(a) = action { return a } }
        return nil
    }

    /// The rule's one terminal action (validated to exist).
    public var terminal: RuleAction {
        actions.last { $0.isTerminal }!
    }

    /// Checks the shape ALB enforces: at most one authenticate, first; exactly one terminal action, last.
    public static func validateActions(_ actions: [RuleAction], priority: Int) throws(EdgeConfigError) {
        let terminals = actions.filter(\.isTerminal)
        guard terminals.count == 1, actions.last?.isTerminal == true else {
            throw .invalidRule(priority: priority, problem: "needs exactly one forward, redirect or fixed-response action, as its last action (has \(terminals.count))")
        }
        let auths = actions.filter { !$0.isTerminal }
        guard auths.count <= 1, auths.isEmpty || !(actions.first?.isTerminal ?? true) else {
            throw .invalidRule(priority: priority, problem: "authenticate may appear once, as the first action")
        }
    }
}
