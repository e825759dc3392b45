import Foundation
import Hummingbird

/// The Manager UI backend: HTML pages under `/` and `/manager/…`, the JSON API under `/manager/api/…`.
public enum ManagerUI {
    public static let servedBy = "manager-ui"

    /// The router the runner serves over TLS.
    public static func buildRouter(
        config: BackendsConfig, trust: BackendTrust, store: ManagerStore,
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> Router<BackendRequestContext> {
        let router = Router(context: BackendRequestContext.self)
        addRoutes(to: router, config: config, trust: trust, store: store, now: now)
        return router
    }

    /// Adds the middleware and routes to `router`; callers may put their own middleware in front.
    public static func addRoutes(
        to router: Router<BackendRequestContext>, config: BackendsConfig, trust: BackendTrust, store: ManagerStore,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        router.add(middleware: ServedByMiddleware(name: servedBy))
        router.add(middleware: OIDCVerificationMiddleware(
            verifier: OIDCVerifier(trust: trust, allowedGroups: config.managerGroups), now: now
        ))
        addPages(to: router)
        addAPI(to: router, store: store)
    }

    private static func addPages(to router: Router<BackendRequestContext>) {
        let pages: [(String, ManagerPages.Section)] = [
            ("/", .overview), ("/manager", .overview), ("/manager/users", .users),
            ("/manager/sources", .sources), ("/manager/api-keys", .apiKeys), ("/manager/retention", .retention),
        ]
        for (path, section) in pages {
            router.get(RouterPath(path)) { _, context in
                HTMLResponse.make(ManagerPages.render(section, user: try context.requireUser()))
            }
        }
    }

    private static func addAPI(to router: Router<BackendRequestContext>, store: ManagerStore) {
        let api = router.group("/manager/api")
        api.get("me") { _, context in try JSONResponse.make(try context.requireUser()) }

        api.get("users") { _, _ in try JSONResponse.make(ItemList(items: await store.listUsers())) }
        api.get("users/:username") { _, context in
            try JSONResponse.make(try await store.user(named: context.parameters.require("username")))
        }

        api.get("sources") { _, _ in try JSONResponse.make(ItemList(items: await store.listSources())) }
        api.post("sources") { request, _ in
            let input = try await request.decodeJSON(LogSourceInput.self)
            return try JSONResponse.make(try await store.createSource(input), status: .created)
        }
        api.get("sources/:id") { _, context in
            try JSONResponse.make(try await store.source(id: context.parameters.require("id")))
        }
        api.put("sources/:id") { request, context in
            let input = try await request.decodeJSON(LogSourceInput.self)
            return try JSONResponse.make(try await store.updateSource(id: context.parameters.require("id"), input))
        }
        api.delete("sources/:id") { _, context in
            try await store.deleteSource(id: context.parameters.require("id"))
            return JSONResponse.noContent()
        }

        api.get("api-keys") { _, _ in try JSONResponse.make(ItemList(items: await store.listKeys())) }
        api.post("api-keys") { request, context in
            let input = try await request.decodeJSON(APIKeyInput.self)
            let created = try await store.createKey(input, createdBy: try context.requireUser().username)
            return try JSONResponse.make(created, status: .created)
        }
        api.delete("api-keys/:id") { _, context in
            try JSONResponse.make(try await store.revokeKey(id: context.parameters.require("id")))
        }

        api.get("retention") { _, _ in try JSONResponse.make(await store.getRetention()) }
        let setRetention: @Sendable (Request, BackendRequestContext) async throws -> Response = { request, context in
            let input = try await request.decodeJSON(RetentionInput.self)
            return try JSONResponse.make(try await store.setRetention(input, updatedBy: try context.requireUser().username))
        }
        api.put("retention", use: setRetention)
        api.post("retention", use: setRetention)
    }
}

/// Lists are wrapped in an object so fields (paging, totals) can be added without breaking clients.
struct ItemList<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var count: Int { items.count }

    enum CodingKeys: String, CodingKey { case items, count }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(count, forKey: .count)
    }
}
