/// Issue 4's routing matrix as listener rules.
///
/// | request | no session | manager | analyst |
/// |---|---|---|---|
/// | `GET /` | 302 login | Manager UI | Analytics UI |
/// | `/manager/…` | 302 login | Manager UI | 403 |
/// | `/analytics/…` | 302 login | Analytics UI | Analytics UI |
/// | `/manager/api/…` | 401 | Manager UI | 403 |
/// | `/analytics/api/…` | 401 | Analytics UI | Analytics UI |
///
/// API rules come first so that `/manager/api/x` never reaches the browser rule's login redirect.
extension EdgeConfig {
    public static let defaultTargetGroups: [String: TargetGroup] = [
        managerTargetGroup: TargetGroup(targets: []),
        analyticsTargetGroup: TargetGroup(targets: []),
    ]

    public static let defaultDefaultActions: [RuleAction] = [
        .authenticate(.init(onUnauthenticated: .authenticate)),
        .fixedResponse(.init(statusCode: 404, body: "Not Found")),
    ]

    public static var defaultRules: [ListenerRule] {
        let login = RuleAction.authenticate(.init(onUnauthenticated: .authenticate))
        let deny = RuleAction.authenticate(.init(onUnauthenticated: .deny))
        let forbidden = RuleAction.fixedResponse(.init(statusCode: 403, contentType: "application/json", body: #"{"message":"Forbidden"}"#))
        let toManager = RuleAction.forward(targetGroup: managerTargetGroup)
        let toAnalytics = RuleAction.forward(targetGroup: analyticsTargetGroup)
        func path(_ p: String...) -> RuleCondition { .pathPattern(p.map { WildcardPattern($0, caseSensitive: true) }) }
        let managers = RuleCondition.group([managersGroup])
        let anyRole = RuleCondition.group([managersGroup, analystsGroup])
        return [
            ListenerRule(priority: 10, conditions: [path("/manager/api", "/manager/api/*"), managers], actions: [deny, toManager]),
            ListenerRule(priority: 11, conditions: [path("/manager/api", "/manager/api/*")], actions: [deny, forbidden]),
            ListenerRule(priority: 20, conditions: [path("/analytics/api", "/analytics/api/*"), anyRole], actions: [deny, toAnalytics]),
            ListenerRule(priority: 21, conditions: [path("/analytics/api", "/analytics/api/*")], actions: [deny, forbidden]),
            ListenerRule(priority: 30, conditions: [path("/manager", "/manager/*"), managers], actions: [login, toManager]),
            ListenerRule(priority: 31, conditions: [path("/manager", "/manager/*")], actions: [login, forbidden]),
            ListenerRule(priority: 40, conditions: [path("/analytics", "/analytics/*"), anyRole], actions: [login, toAnalytics]),
            ListenerRule(priority: 41, conditions: [path("/analytics", "/analytics/*")], actions: [login, forbidden]),
            ListenerRule(priority: 50, conditions: [path("/"), managers], actions: [login, toManager]),
            ListenerRule(priority: 51, conditions: [path("/"), .group([analystsGroup])], actions: [login, toAnalytics]),
            ListenerRule(priority: 52, conditions: [path("/")], actions: [login, forbidden]),
        ]
    }
}
