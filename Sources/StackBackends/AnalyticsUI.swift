import Foundation
import Hummingbird

/// The Analytics UI backend: the search-and-chart page and `/analytics/api/{search,counts}`.
public enum AnalyticsUI {
    public static let servedBy = "analytics-ui"

    public static func buildRouter(
        config: BackendsConfig, trust: BackendTrust, events: any AnalyticsEventSource,
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> Router<BackendRequestContext> {
        let router = Router(context: BackendRequestContext.self)
        addRoutes(to: router, config: config, trust: trust, events: events, now: now)
        return router
    }

    public static func addRoutes(
        to router: Router<BackendRequestContext>, config: BackendsConfig, trust: BackendTrust,
        events: any AnalyticsEventSource, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        router.add(middleware: ServedByMiddleware(name: servedBy))
        router.add(middleware: OIDCVerificationMiddleware(
            verifier: OIDCVerifier(trust: trust, allowedGroups: config.analyticsGroups), now: now
        ))
        for path in ["/", "/analytics", "/analytics/search"] {
            router.get(RouterPath(path)) { _, context in
                HTMLResponse.make(AnalyticsPage.render(user: try context.requireUser()))
            }
        }
        let maxLimit = config.maxSearchLimit
        router.get("/analytics/api/search") { request, _ in
            let query = try AnalyticsParameters.search(request.queryDictionary, maxLimit: maxLimit)
            let result = try await events.search(query)
            return try JSONResponse.make(SearchBody(
                query: .init(q: query.text, from: query.from, to: query.to, limit: query.limit),
                events: result.events, returned: result.events.count, totalMatched: result.totalMatched
            ))
        }
        router.get("/analytics/api/counts") { request, _ in
            let (query, interval) = try AnalyticsParameters.counts(request.queryDictionary, now: now())
            let buckets = try await events.counts(query)
            return try JSONResponse.make(CountsBody(
                q: query.text, from: query.from, to: query.to, interval: interval, intervalSeconds: query.intervalSeconds,
                buckets: buckets, total: buckets.reduce(0) { $0 + $1.count }
            ))
        }
    }

    struct SearchBody: Encodable {
        struct Query: Encodable {
            var q: String
            var from: Date?
            var to: Date?
            var limit: Int
        }
        var query: Query
        var events: [AnalyticsEvent]
        var returned: Int
        var totalMatched: Int?
    }

    struct CountsBody: Encodable {
        var q: String
        var from: Date
        var to: Date
        var interval: String
        var intervalSeconds: Int
        var buckets: [EventCountBucket]
        var total: Int
    }
}

extension Request {
    /// Query parameters by name; the first occurrence wins.
    var queryDictionary: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in uri.queryParameters where result[String(key)] == nil {
            result[String(key)] = String(value)
        }
        return result
    }
}
