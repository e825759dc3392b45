/// The Manager UI's pages. Each is a shell that loads its data from `/manager/api/…` with `fetch`.
enum ManagerPages {
    enum Section: CaseIterable {
        case overview, users, sources, apiKeys, retention

        var path: String {
            switch self {
            case .overview: "/manager/"
            case .users: "/manager/users"
            case .sources: "/manager/sources"
            case .apiKeys: "/manager/api-keys"
            case .retention: "/manager/retention"
            }
        }

        var title: String {
            switch self {
            case .overview: "Overview"
            case .users: "Users"
            case .sources: "Sources"
            case .apiKeys: "API keys"
            case .retention: "Retention"
            }
        }
    }

    static func render(_ section: Section, user: VerifiedUser) -> String {
        let nav = Section.allCases.map { (href: $0.path, label: $0.title, current: $0 == section) }
        let (body, script) = content(section)
        return PageLayout.render(
            title: section.title, product: "Gauntlet Logs · Manager", servedBy: ManagerUI.servedBy, user: user,
            nav: nav, body: "<h1>\(section.title)</h1>\n<div id=\"status\" class=\"status\">Loading…</div>\n" + body,
            script: script
        )
    }

    private static func content(_ section: Section) -> (String, String) {
        switch section {
        case .overview:
            return ("""
            <div class="cards">
            <div class="card"><div class="value" id="count-users">…</div><div class="label">users</div></div>
            <div class="card"><div class="value" id="count-sources">…</div><div class="label">sources</div></div>
            <div class="card"><div class="value" id="count-keys">…</div><div class="label">active API keys</div></div>
            <div class="card"><div class="value" id="retention-days">…</div><div class="label">days retained</div></div>
            </div>
            """, """
            (async () => {
              try {
                const [users, sources, keys, retention] = await Promise.all([
                  api("/manager/api/users"), api("/manager/api/sources"), api("/manager/api/api-keys"), api("/manager/api/retention")]);
                document.getElementById("count-users").textContent = users.count;
                document.getElementById("count-sources").textContent = sources.count;
                document.getElementById("count-keys").textContent = keys.items.filter(k => !k.revoked).length;
                document.getElementById("retention-days").textContent = retention.days;
                setStatus("Loaded.");
              } catch (e) { setStatus(e.message, true); }
            })();
            """)
        case .users:
            return ("""
            <table id="users"><thead><tr><th>Username</th><th>Email</th><th>Groups</th><th>Status</th></tr></thead><tbody></tbody></table>
            """, """
            (async () => {
              try {
                const data = await api("/manager/api/users");
                fill(document.querySelector("#users tbody"), data.items.map(u => el("tr", { "data-username": u.username },
                  el("td", {}, u.username), el("td", {}, u.email || "—"),
                  el("td", {}, ...u.groups.map(g => el("span", { class: "pill" }, g))),
                  el("td", {}, u.enabled ? "enabled" : "disabled"))));
                setStatus(data.count + " users.");
              } catch (e) { setStatus(e.message, true); }
            })();
            """)
        case .sources:
            return ("""
            <form id="new-source">
            <label>Name <input name="name" required pattern="[a-z0-9][a-z0-9._-]{0,63}" placeholder="web-frontend"></label>
            <label>Kind <select name="kind"><option>http</option><option>syslog</option><option>agent</option><option>s3</option></select></label>
            <label>Description <input name="description" maxlength="500"></label>
            <button type="submit">Add source</button>
            </form>
            <table id="sources"><thead><tr><th>Name</th><th>Kind</th><th>Description</th><th>Enabled</th><th>Created</th><th></th></tr></thead><tbody></tbody></table>
            """, """
            async function load() {
              const data = await api("/manager/api/sources");
              fill(document.querySelector("#sources tbody"), data.items.map(s => el("tr", { "data-id": s.id },
                el("td", {}, s.name), el("td", {}, s.kind), el("td", {}, s.description), el("td", {}, s.enabled ? "yes" : "no"),
                el("td", {}, when(s.createdAt)),
                el("td", {}, el("button", { class: "danger", onclick: async () => {
                  try { await api("/manager/api/sources/" + encodeURIComponent(s.id), { method: "DELETE" }); await load(); setStatus("Deleted " + s.name + "."); }
                  catch (e) { setStatus(e.message, true); } } }, "Delete")))));
              setStatus(data.count + " sources.");
            }
            document.getElementById("new-source").addEventListener("submit", async (event) => {
              event.preventDefault();
              const form = new FormData(event.target);
              try {
                await api("/manager/api/sources", { method: "POST", body: { name: form.get("name"), kind: form.get("kind"), description: form.get("description") } });
                event.target.reset(); await load();
              } catch (e) { setStatus(e.message, true); }
            });
            load().catch(e => setStatus(e.message, true));
            """)
        case .apiKeys:
            return ("""
            <form id="new-key">
            <label>Name <input name="name" required maxlength="64" placeholder="ci-uploader"></label>
            <label>Source <select name="sourceId"><option value="">(any)</option></select></label>
            <button type="submit">Create key</button>
            </form>
            <p id="new-secret" hidden>New key (shown once): <code id="secret"></code></p>
            <table id="keys"><thead><tr><th>Name</th><th>Prefix</th><th>Source</th><th>Created by</th><th>Created</th><th>State</th><th></th></tr></thead><tbody></tbody></table>
            """, """
            let sourceNames = {};
            async function load() {
              const [keys, sources] = await Promise.all([api("/manager/api/api-keys"), api("/manager/api/sources")]);
              sourceNames = Object.fromEntries(sources.items.map(s => [s.id, s.name]));
              const select = document.querySelector("#new-key select");
              select.replaceChildren(el("option", { value: "" }, "(any)"), ...sources.items.map(s => el("option", { value: s.id }, s.name)));
              fill(document.querySelector("#keys tbody"), keys.items.map(k => el("tr", { "data-id": k.id },
                el("td", {}, k.name), el("td", {}, el("code", {}, k.prefix + "…")), el("td", {}, k.sourceId ? (sourceNames[k.sourceId] || k.sourceId) : "any"),
                el("td", {}, k.createdBy), el("td", {}, when(k.createdAt)), el("td", {}, k.revoked ? "revoked" : "active"),
                el("td", {}, k.revoked ? "" : el("button", { class: "danger", onclick: async () => {
                  try { await api("/manager/api/api-keys/" + encodeURIComponent(k.id), { method: "DELETE" }); await load(); }
                  catch (e) { setStatus(e.message, true); } } }, "Revoke")))));
              setStatus(keys.count + " keys.");
            }
            document.getElementById("new-key").addEventListener("submit", async (event) => {
              event.preventDefault();
              const form = new FormData(event.target);
              const body = { name: form.get("name") };
              if (form.get("sourceId")) body.sourceId = form.get("sourceId");
              try {
                const created = await api("/manager/api/api-keys", { method: "POST", body });
                document.getElementById("secret").textContent = created.key;
                document.getElementById("new-secret").hidden = false;
                event.target.reset(); await load();
              } catch (e) { setStatus(e.message, true); }
            });
            load().catch(e => setStatus(e.message, true));
            """)
        case .retention:
            return ("""
            <form id="retention">
            <label>Keep events for (days) <input name="days" type="number" min="1" max="3650" required></label>
            <label><span>Legal hold</span><input name="legalHold" type="checkbox"></label>
            <button type="submit">Save</button>
            </form>
            <p id="updated"></p>
            """, """
            function show(r) {
              const form = document.getElementById("retention");
              form.days.value = r.days; form.legalHold.checked = r.legalHold;
              document.getElementById("updated").textContent = r.updatedAt ? ("Last changed " + when(r.updatedAt) + " by " + r.updatedBy) : "Default settings.";
            }
            api("/manager/api/retention").then(r => { show(r); setStatus("Loaded."); }).catch(e => setStatus(e.message, true));
            document.getElementById("retention").addEventListener("submit", async (event) => {
              event.preventDefault();
              const form = event.target;
              try {
                show(await api("/manager/api/retention", { method: "PUT", body: { days: Number(form.days.value), legalHold: form.legalHold.checked } }));
                setStatus("Saved.");
              } catch (e) { setStatus(e.message, true); }
            });
            """)
        }
    }
}
