/// Evaluates listener rules in priority order. Pure: the proxy gives it the request's facts and the user's
/// session state and carries out the decision.
///
/// ALB checks a rule's request conditions, then runs its authenticate action; only then does the `group`
/// extension look at the user. So an unauthenticated request stops at the first matching rule that
/// authenticates (login redirect or 401), while an authenticated one falls through rules whose groups it
/// lacks until one fits.
public struct RuleEngine: Sendable {
    public let rules: [ListenerRule]
    public let defaultActions: [RuleAction]

    public enum Session: Sendable, Hashable {
        case none
        case authenticated(groups: [String])
    }

    public struct Decision: Sendable, Hashable {
        public enum Outcome: Sendable, Hashable {
            /// Start the login flow (302 to the identity provider).
            case startLogin(RuleAction.Authenticate)
            /// 401: authentication required and `on_unauthenticated: deny`.
            case deny
            case forward(targetGroup: String)
            case redirect(RuleAction.Redirect)
            case fixedResponse(RuleAction.FixedResponse)
        }

        public var outcome: Outcome
        /// The matched rule's priority; nil for the default actions (logged as `default`).
        public var priority: Int?
        /// The authenticate action in force, if the matched rule authenticates.
        public var authenticate: RuleAction.Authenticate?
        /// Whether the request carries a user to the target (authenticated on an authenticating rule).
        public var withUser: Bool
        /// For the access log's `actions_executed`.
        public var actionsExecuted: [String]
    }

    public init(rules: [ListenerRule], defaultActions: [RuleAction]) {
        self.rules = rules.sorted { $0.priority < $1.priority }
        self.defaultActions = defaultActions
    }

    public func evaluate(_ facts: RequestFacts, session: Session) -> Decision {
        for rule in rules {
            guard rule.conditions.allSatisfy({ $0.isGroupCondition || $0.matches(facts, groups: []) }) else { continue }
            if let decision = Self.apply(rule.actions, conditions: rule.conditions, priority: rule.priority, facts: facts, session: session) {
                return decision
            }
        }
        return Self.apply(defaultActions, conditions: [], priority: nil, facts: facts, session: session)
            ?? Decision(outcome: .fixedResponse(.init(statusCode: 404, body: "Not Found")), priority: nil, authenticate: nil, withUser: false, actionsExecuted: ["fixed-response"])
    }

    /// nil when the rule's group conditions rule the user out (evaluation continues with the next rule).
    private static func apply(_ actions: [RuleAction], conditions: [RuleCondition], priority: Int?, facts: RequestFacts, session: Session) -> Decision? {
        var authenticate: RuleAction.Authenticate?
        var groups: [String] = []
        var withUser = false
        for action in actions {
            if case let .authenticate(auth) = action {
                authenticate = auth
                switch (session, auth.onUnauthenticated) {
                case let (.authenticated(userGroups), _):
                    groups = userGroups
                    withUser = true
                case (.none, .authenticate):
                    return Decision(outcome: .startLogin(auth), priority: priority, authenticate: auth, withUser: false, actionsExecuted: ["authenticate"])
                case (.none, .deny):
                    return Decision(outcome: .deny, priority: priority, authenticate: auth, withUser: false, actionsExecuted: ["authenticate"])
                case (.none, .allow):
                    break
                }
            }
        }
        guard conditions.allSatisfy({ !$0.isGroupCondition || $0.matches(facts, groups: groups) }) else { return nil }
        guard let terminal = actions.last(where: \.isTerminal) else { return nil }
        let outcome: Decision.Outcome
        switch terminal {
        case let .forward(group): outcome = .forward(targetGroup: group)
        case let .redirect(r): outcome = .redirect(r)
        case let .fixedResponse(f): outcome = .fixedResponse(f)
        case .authenticate: return nil
        }
        let executed = (authenticate == nil ? [] : ["authenticate"]) + [terminal.logName]
        return Decision(outcome: outcome, priority: priority, authenticate: authenticate, withUser: withUser, actionsExecuted: executed)
    }
}
