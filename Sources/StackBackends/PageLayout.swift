/// The frame both UIs share: inline CSS, a header with the signed-in user, a nav, and a small
/// `api()` helper that fetches JSON from the page's own origin and surfaces API errors.
enum PageLayout {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func render(
        title: String, product: String, servedBy: String, user: VerifiedUser,
        nav: [(href: String, label: String, current: Bool)], body: String, script: String
    ) -> String {
        let links = nav.map { item in
            "<a href=\"\(escape(item.href))\"\(item.current ? " aria-current=\"page\"" : "")>\(escape(item.label))</a>"
        }.joined()
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · \(escape(product))</title>
        <style>
        :root { --ink:#1d2733; --muted:#5b6b7b; --line:#d8dee6; --accent:#2f6fde; --bg:#f5f7fa; --bad:#b3261e; }
        * { box-sizing: border-box; }
        body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink); background:var(--bg); }
        header { display:flex; align-items:center; gap:24px; padding:12px 24px; background:#17212c; color:#fff; }
        header .product { font-weight:600; font-size:16px; }
        header nav a { color:#c9d6e3; text-decoration:none; margin-right:16px; }
        header nav a[aria-current=page] { color:#fff; border-bottom:2px solid var(--accent); }
        header .who { margin-left:auto; color:#c9d6e3; }
        main { padding:24px; max-width:1100px; }
        h1 { font-size:20px; margin:0 0 16px; }
        .cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(180px,1fr)); gap:16px; margin-bottom:24px; }
        .card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:16px; }
        .card .value { font-size:28px; font-weight:600; }
        .card .label { color:var(--muted); }
        table { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--line); }
        th, td { text-align:left; padding:8px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
        th { background:#eef2f6; font-weight:600; }
        form { background:#fff; border:1px solid var(--line); border-radius:6px; padding:16px; margin:16px 0; display:flex; gap:12px; flex-wrap:wrap; align-items:end; }
        label { display:flex; flex-direction:column; gap:4px; color:var(--muted); }
        input, select { font:inherit; padding:6px 8px; border:1px solid var(--line); border-radius:4px; }
        button { font:inherit; padding:6px 14px; border:0; border-radius:4px; background:var(--accent); color:#fff; cursor:pointer; }
        button.danger { background:var(--bad); }
        .status { margin:12px 0; min-height:1.4em; color:var(--muted); }
        .status.error { color:var(--bad); }
        .pill { display:inline-block; padding:0 8px; border-radius:10px; background:#e4ebf5; margin-right:4px; }
        code { background:#eef2f6; padding:1px 4px; border-radius:3px; }
        svg text { font:11px system-ui, sans-serif; fill:var(--muted); }
        </style>
        </head>
        <body data-served-by="\(escape(servedBy))">
        <header>
        <span class="product">\(escape(product))</span>
        <nav>\(links)</nav>
        <span class="who" id="who">\(escape(user.username))</span>
        </header>
        <main>
        \(body)
        </main>
        <script>
        "use strict";
        async function api(path, options = {}) {
          const init = Object.assign({ credentials: "same-origin", headers: { "Accept": "application/json" } }, options);
          if (init.body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(init.body); }
          const response = await fetch(path, init);
          if (response.status === 204) return null;
          let data = null;
          try { data = await response.json(); } catch (e) { throw new Error(path + ": HTTP " + response.status + " (not JSON)"); }
          if (!response.ok) {
            const detail = data && data.error ? data.error.message : ("HTTP " + response.status);
            throw new Error(detail);
          }
          return data;
        }
        function el(tag, attrs = {}, ...children) {
          const node = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs)) {
            if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
          }
          for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child == null ? "" : String(child)));
          return node;
        }
        function fill(tbody, rows) {
          tbody.replaceChildren(...rows);
          if (rows.length === 0) {
            const cols = tbody.closest("table").querySelectorAll("th").length;
            tbody.append(el("tr", {}, el("td", { colspan: String(cols) }, "Nothing here yet.")));
          }
        }
        function setStatus(text, isError = false) {
          const node = document.getElementById("status");
          node.textContent = text;
          node.className = isError ? "status error" : "status";
        }
        function when(iso) { return iso ? new Date(iso).toLocaleString() : "—"; }
        \(script)
        </script>
        </body>
        </html>
        """
    }
}
