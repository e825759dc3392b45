#!/usr/bin/env python3
"""Watches a 20-second run against the embedded stack through `--live`, with clients no one here wrote.

- headless Chromium loads the live page twice, a few seconds apart, and must see the request count grow
  and the charts drawn (SVG with plotted lines); between the loads it checks the page also redraws by
  itself from /events. Both screenshots are kept (--shots DIR);
- Prometheus's own `promtool check metrics` must pass on a /metrics scrape taken mid-run;
- every query of deploy/grafana/gauntlet-live.json must name a metric that scrape holds (and, with
  --endpoints of a running `gauntlet stack`, its identity-provider queries a metric of the IdP's /metrics);
- the run's plain (non-TTY) output holds no escape codes, and the endpoint is gone once the run ends.

Needs: chromium, promtool (Debian: prometheus), PyPI websocket-client; GAUNTLET_BIN or --gauntlet.
Usage: live_chromium.py [--gauntlet BIN] [--shots DIR] [--endpoints ENDPOINTS_JSON]
       live_chromium.py --bench DRIVER_BENCH --remote URL [--shots DIR]
The second form drives a plain HTTP target (e.g. nginx on loopback) with scripts/bench's harness-only
driver-bench instead of `gauntlet run` against the embedded stack: the same driver and live endpoint,
for machines where the reference stack is not built.
"""
import argparse, base64, json, os, re, shutil, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chromium_login import Browser  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCENARIO = """version: 1
name: live-check
seed: 17
target: embedded
users: { managers: 2, analysts: 2, login: browser }
warmup: 2s
duration: 18s
http: { connections: 8, timeout: 5s }
requests:
  upload:
    schedule: { kind: constant, rate: 10 }
    batches: [ { events: 20, event_bytes: 200 } ]
  ui:
    schedule: { kind: constant, rate: 5 }
    pages: [ { path: / }, { path: /analytics/ } ]
  api:
    schedule: { kind: constant, rate: 10 }
    calls: [ { method: GET, path: "/analytics/api/counts?interval=1m" } ]
thresholds:
  - routing.misroutes == 0
"""
REMOTE_SCENARIO = """version: 1
name: live-check
seed: 17
target: { lb: "%s" }
warmup: 2s
duration: 18s
http: { connections: 8, timeout: 5s, workers: 1 }
requests:
  http:
    schedule: { kind: constant, rate: 100 }
    requests: [ { url: "%s", expect_status: 204 } ]
"""


def fetch(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


def sample_names(exposition):
    """Every name the exposition has samples of, or declares with `# TYPE` (a family whose samples come only
    when there is something to count, such as misroutes)."""
    names = set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            family, kind = line.split()[2:4]
            names |= {family} | ({family + "_sum", family + "_count"} if kind in ("summary", "histogram") else set())
        elif line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    return names


def page_state(page):
    return page.eval("""(() => {
        const counts = document.getElementById('counts');
        const charts = [...document.querySelectorAll('svg.chart')];
        return {requests: counts ? Number(counts.dataset.requests) : -1, elapsed: counts ? Number(counts.dataset.elapsed) : -1,
                charts: charts.length, plotted: charts.filter(c => c.querySelector('polyline, rect')).length,
                titles: charts.map(c => c.getAttribute('aria-label')), link: document.getElementById('link').textContent};
    })()""")


def load(page, url, shot):
    page.call("Page.navigate", url=url)
    page.wait_for("document.readyState === 'complete' && document.getElementById('counts') !== null", "the live page")
    time.sleep(0.5)
    state = page_state(page)
    data = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
    with open(shot, "wb") as f:
        f.write(base64.b64decode(data))
    return state


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gauntlet", default=os.environ.get("GAUNTLET_BIN"))
    parser.add_argument("--shots", default=None, help="where to keep the two screenshots (default: a temporary directory)")
    parser.add_argument("--endpoints", default=None, help="a running stack's endpoints file, to check the dashboard's IdP queries")
    parser.add_argument("--bench", default=None, help="scripts/bench's driver-bench binary, with --remote")
    parser.add_argument("--remote", default=None, help="with --bench: a plain HTTP URL on loopback to drive")
    args = parser.parse_args()
    if not args.gauntlet and not (args.bench and args.remote):
        sys.exit("pass --gauntlet BIN (or set GAUNTLET_BIN), or --bench BIN --remote URL")
    for tool in ("promtool",):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (apt-get install -y prometheus)")
    work = tempfile.mkdtemp(prefix="gauntlet-live-")
    shots = args.shots or work
    os.makedirs(shots, exist_ok=True)
    scenario = os.path.join(work, "live-check.yaml")
    with open(scenario, "w") as f:
        f.write(REMOTE_SCENARIO % (args.remote, args.remote) if args.bench else SCENARIO)
    stderr_path = os.path.join(work, "stderr.txt")
    stderr = open(stderr_path, "wb")
    out = os.path.join(work, "out")
    command = [args.bench, scenario, out, "--live"] if args.bench else [args.gauntlet, "run", "--live", scenario, "--out", out]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
    failures = []
    try:
        url = None
        deadline = time.time() + 120
        while url is None and time.time() < deadline and proc.poll() is None:
            match = re.search(r"live view at (http://127\.0\.0\.1:\d+/)", open(stderr_path).read())
            url = match.group(1) if match else None
            time.sleep(0.2)
        if url is None:
            sys.exit("gauntlet run --live printed no live address:\n" + open(stderr_path).read())
        print(f"live endpoint: {url}")
        # Chromium starts while the run warms up (on a busy machine it takes seconds); the page is loaded
        # once the run is a few seconds in, and the scrape and second load follow while it still goes on.
        with Browser(None) as page:
            while time.time() < deadline:
                try:
                    status, text = fetch(url + "summary.json")
                    if status == 200 and json.loads(text)["elapsed"] >= 3:
                        break
                except Exception:
                    pass
                time.sleep(0.5)
            first = load(page, url, os.path.join(shots, "live-1.png"))
            print(f"first load: {first}")

            status, metrics = fetch(url + "metrics")
            with open(os.path.join(work, "metrics.txt"), "w") as f:
                f.write(metrics)
            check = subprocess.run(["promtool", "check", "metrics"], input=metrics, capture_output=True, text=True)
            print(f"promtool check metrics (mid-run scrape, {len(metrics.splitlines())} lines): exit {check.returncode} {check.stdout.strip()} {check.stderr.strip()}")
            if check.returncode != 0:
                failures.append("promtool check metrics failed on the mid-run scrape")

            time.sleep(2)
            redrawn = page_state(page)
            print(f"same page 2 s later (redrawn from /events): requests {redrawn['requests']}, elapsed {redrawn['elapsed']}")
            time.sleep(1)
            second = load(page, url, os.path.join(shots, "live-2.png"))
            print(f"second load: {second}")
        print(f"screenshots: {shots}/live-1.png {shots}/live-2.png")

        names = sample_names(metrics)
        for required in ("gauntlet_responses_total", "gauntlet_latency_seconds", "gauntlet_run_phase"):
            if required not in names:
                failures.append(f"/metrics lacks {required}")
        dashboard = json.load(open(os.path.join(ROOT, "deploy", "grafana", "gauntlet-live.json")))
        queries = []
        def walk(node):
            if isinstance(node, dict):
                for key in ("expr", "definition"):
                    if isinstance(node.get(key), str):
                        queries.append(node[key])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)
        walk(dashboard)
        idp_names = None
        if args.endpoints:
            endpoints = json.load(open(args.endpoints))
            idp = endpoints["direct"]["idp"]
            idp_names = sample_names(subprocess.run(["curl", "-sf", "--cacert", endpoints["ca_file"], idp + "/metrics"], capture_output=True, text=True, timeout=10).stdout)
        checked = 0
        for query in queries:
            for name in re.findall(r"\b(gauntlet_[a-z0-9_]+|idp_[a-z0-9_]+)", query):
                if name.startswith("gauntlet_") and name not in names:
                    failures.append(f"dashboard query names {name}, which /metrics does not expose: {query}")
                elif name.startswith("idp_") and idp_names is not None and name not in idp_names:
                    failures.append(f"dashboard query names {name}, which the identity provider's /metrics does not expose: {query}")
                checked += 1
        print(f"dashboard: {len(queries)} queries, {checked} metric names checked" + ("" if idp_names is not None else " (IdP names unchecked: no --endpoints)"))

        if not (first["requests"] > 0 and second["requests"] > first["requests"]):
            failures.append(f"the request count did not grow between loads: {first['requests']} → {second['requests']}")
        if redrawn["requests"] <= first["requests"]:
            failures.append("the page did not redraw itself from /events")
        for state in (first, second):
            if state["charts"] < 3 or state["plotted"] < 3:
                failures.append(f"charts not drawn: {state['charts']} charts, {state['plotted']} with data")

        output, _ = proc.communicate(timeout=120)
        stderr.close()
        text = open(stderr_path, "rb").read() + output
        if b"\x1b" in text:
            failures.append("the non-TTY output holds escape codes")
        if proc.returncode not in (0, 1):
            failures.append(f"gauntlet run exited {proc.returncode}:\n{open(stderr_path).read()[-2000:]}")
        try:
            fetch(url, timeout=2)
            failures.append("the live endpoint still answers after the run")
        except Exception:
            print("after the run: the live endpoint is closed")
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
        if not args.shots:
            shutil.rmtree(work, ignore_errors=True)
    for failure in failures:
        print("FAIL: " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
