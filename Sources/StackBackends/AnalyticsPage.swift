/// The Analytics UI page: a search box, a counts-over-time chart drawn as inline SVG, and the
/// matching events, all loaded from `/analytics/api/…` with `fetch`.
enum AnalyticsPage {
    static func render(user: VerifiedUser) -> String {
        PageLayout.render(
            title: "Search", product: "Gauntlet Logs · Analytics", servedBy: AnalyticsUI.servedBy, user: user,
            nav: [(href: "/analytics/", label: "Search", current: true)],
            body: body, script: script
        )
    }

    private static let body = """
    <h1>Search events</h1>
    <form id="search">
    <label>Query <input name="q" maxlength="256" placeholder="error OR user id" size="40"></label>
    <label>Range <select name="range">
    <option value="3600">last hour</option><option value="86400" selected>last 24 hours</option><option value="604800">last 7 days</option>
    </select></label>
    <label>Interval <select name="interval"><option>1m</option><option>5m</option><option selected>1h</option><option>1d</option></select></label>
    <label>Limit <input name="limit" type="number" min="1" max="1000" value="100"></label>
    <button type="submit">Search</button>
    </form>
    <div id="status" class="status">Loading…</div>
    <svg id="chart" role="img" aria-label="events over time" width="1000" height="220" viewBox="0 0 1000 220"></svg>
    <table id="events"><thead><tr><th>Time</th><th>Event</th></tr></thead><tbody></tbody></table>
    """

    private static let script = """
    const SVG = "http://www.w3.org/2000/svg";
    function svg(tag, attrs, text) {
      const node = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (text !== undefined) node.textContent = text;
      return node;
    }
    function drawChart(counts) {
      const chart = document.getElementById("chart");
      const W = 1000, H = 220, left = 48, bottom = 24, top = 10;
      const buckets = counts.buckets;
      const max = Math.max(1, ...buckets.map(b => b.count));
      const plotW = W - left - 8, plotH = H - bottom - top;
      const barW = buckets.length ? plotW / buckets.length : plotW;
      const nodes = [svg("line", { x1: left, y1: H - bottom, x2: W - 8, y2: H - bottom, stroke: "#9aa8b6" })];
      for (const frac of [0, 0.5, 1]) {
        const y = H - bottom - frac * plotH;
        nodes.push(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, String(Math.round(frac * max))));
      }
      buckets.forEach((b, i) => {
        const h = (b.count / max) * plotH;
        const bar = svg("rect", { x: left + i * barW + 0.5, y: H - bottom - h, width: Math.max(1, barW - 1), height: h, fill: "#2f6fde", "data-count": b.count });
        bar.append(svg("title", {}, new Date(b.start).toLocaleString() + ": " + b.count));
        nodes.push(bar);
      });
      const step = Math.max(1, Math.ceil(buckets.length / 8));
      buckets.forEach((b, i) => {
        if (i % step === 0) nodes.push(svg("text", { x: left + i * barW, y: H - 6 }, new Date(b.start).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })));
      });
      chart.replaceChildren(...nodes);
      chart.setAttribute("data-total", counts.total);
    }
    async function run() {
      const form = new FormData(document.getElementById("search"));
      const to = new Date();
      const from = new Date(to.getTime() - Number(form.get("range")) * 1000);
      const common = "q=" + encodeURIComponent(form.get("q") || "") + "&from=" + encodeURIComponent(from.toISOString()) + "&to=" + encodeURIComponent(to.toISOString());
      try {
        const [results, counts] = await Promise.all([
          api("/analytics/api/search?" + common + "&limit=" + encodeURIComponent(form.get("limit") || "100")),
          api("/analytics/api/counts?" + common + "&interval=" + encodeURIComponent(form.get("interval")))]);
        drawChart(counts);
        fill(document.querySelector("#events tbody"), results.events.map(e => el("tr", { "data-id": e.id },
          el("td", {}, when(e.time)), el("td", {}, el("code", {}, JSON.stringify(e.event))))));
        const total = results.totalMatched == null ? "" : " of " + results.totalMatched;
        setStatus("Showing " + results.returned + total + " events; " + counts.total + " in the chart.");
      } catch (e) { setStatus(e.message, true); }
    }
    document.getElementById("search").addEventListener("submit", (event) => { event.preventDefault(); run(); });
    run();
    """
}
