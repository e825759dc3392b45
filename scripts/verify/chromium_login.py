#!/usr/bin/env python3
"""Logs in through the stack's hosted login page with headless Chromium and checks the UI the role lands on.

Needs: Debian's `chromium` (apt-get install -y chromium), `openssl`, and PyPI `websocket-client`
(pip install websocket-client). Drives Chromium over the DevTools protocol: opens the load
balancer's `/`, follows the redirect to the identity provider's login form, fills it in, submits,
and waits until the Manager UI (X-Served-By manager-ui, rendered as <body data-served-by>) shows
data its scripts fetched from /manager/api/. Writes a screenshot. Exits non-zero on any failure.

With --role analyst it logs in as an analyst instead and expects the Analytics UI with its chart
drawn from /analytics/api/counts.

Usage: chromium_login.py ENDPOINTS_JSON [--role manager|analyst] [--user U --password P] [--screenshot out.png]
The endpoints file is the one `gauntlet stack --endpoints` writes; it reads:
  urls.lb     the load balancer, e.g. https://example.logs.gauntlet.test:8443
  urls.idp    the identity provider (its certificate is trusted too)
  ca_file     the stack CA (PEM)
  users       [{username, password, groups}]: the first user in "managers" logs in, unless
              --user/--password or GAUNTLET_MANAGER_USER / GAUNTLET_MANAGER_PASSWORD say otherwise.
"""
import argparse, base64, json, os, shutil, subprocess, sys, tempfile, time, urllib.parse, urllib.request

try:
    import websocket  # websocket-client
except ImportError:
    sys.exit("needs the PyPI package websocket-client: pip install websocket-client")


def credentials(endpoints, args):
    prefix = "GAUNTLET_MANAGER" if args.role == "manager" else "GAUNTLET_ANALYST"
    user = args.user or os.environ.get(prefix + "_USER")
    password = args.password or os.environ.get(prefix + "_PASSWORD")
    if user and password:
        return user, password
    group = args.role + "s"
    for entry in endpoints.get("users") or []:
        groups = entry.get("groups") or []
        # An analyst must not also be a manager, or the check would not tell the two apart.
        if group in groups and (args.role == "manager" or "managers" not in groups) and entry.get("username") and entry.get("password"):
            return entry["username"], entry["password"]
    sys.exit(f"no {args.role} credentials: pass --user/--password or set {prefix}_USER/{prefix}_PASSWORD")


def spki_hash(ca_path):
    """base64(SHA-256(SPKI)) of the CA, the form --ignore-certificate-errors-spki-list takes."""
    pub = subprocess.run(["openssl", "x509", "-in", ca_path, "-pubkey", "-noout"], check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub, check=True, capture_output=True).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der, check=True, capture_output=True).stdout
    return base64.b64encode(digest).decode()


def leaf_spki_hashes(host, port):
    """SPKI hashes of the certificates the listener presents (Chromium matches leaf keys)."""
    out = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", host, "-showcerts"],
        input=b"", capture_output=True, timeout=15,
    ).stdout.decode(errors="replace")
    hashes, block = [], []
    for line in out.splitlines():
        if "BEGIN CERTIFICATE" in line:
            block = [line]
        elif block:
            block.append(line)
            if "END CERTIFICATE" in line:
                with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as f:
                    f.write("\n".join(block) + "\n")
                try:
                    hashes.append(spki_hash(f.name))
                finally:
                    os.unlink(f.name)
                block = []
    return hashes


class Page:
    """One DevTools session on a page target. Events that arrive while a call waits for its answer go
    to `on_event(method, params)` when set (chromium_har.py records the Network domain this way)."""

    def __init__(self, ws_url, on_event=None):
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.on_event = on_event

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg and self.on_event:
                self.on_event(msg["method"], msg.get("params", {}))

    def eval(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            return None
        return result.get("result", {}).get("value")

    def wait_for(self, expression, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                value = self.eval(expression)
            except Exception:
                value = None
            if value:
                return value
            time.sleep(0.25)
        raise TimeoutError(f"timed out waiting for {what}; at {self.eval('location.href')}: "
                           f"{(self.eval('document.body && document.body.innerText') or '')[:400]!r}")


def trusted_spki_hashes(endpoints):
    """The SPKI hashes Chromium is told to trust: the stack CA and the leaf keys the LB and IdP present."""
    urls = endpoints.get("urls") or {}
    parsed = urllib.parse.urlparse(urls["lb"])
    hashes = []
    ca = endpoints.get("ca_file")
    if isinstance(ca, str) and os.path.exists(ca):
        hashes.append(spki_hash(ca))
    hashes += leaf_spki_hashes(parsed.hostname, parsed.port or 443)
    idp = urls.get("idp")
    if isinstance(idp, str) and idp.startswith("https://"):
        p = urllib.parse.urlparse(idp)
        hashes += leaf_spki_hashes(p.hostname, p.port or 443)
    if not hashes:
        sys.exit("could not learn any certificate to trust (no CA in endpoints, s_client got nothing)")
    return sorted(set(hashes))


class Browser:
    """Headless Chromium on a throw-away profile, trusting the stack's certificates and resolving its
    names to loopback; `with Browser(endpoints) as page:` gives a Page on its first tab. With endpoints
    None it trusts nothing extra (for plain-HTTP pages on loopback, such as `--live`)."""

    def __init__(self, endpoints, on_event=None):
        self.endpoints = endpoints
        self.on_event = on_event

    def __enter__(self):
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium:
            sys.exit("chromium not found: apt-get install -y chromium")
        hashes = trusted_spki_hashes(self.endpoints) if self.endpoints else []
        self.profile = tempfile.mkdtemp(prefix="gauntlet-chromium-")
        self.proc = subprocess.Popen([
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "--window-size=1280,900",
            # The stack's names resolve to loopback, as the stack's own DNS would answer; nothing leaves 127.0.0.0/8.
            "--host-resolver-rules=MAP *.gauntlet.test 127.0.0.1, MAP gauntlet.test 127.0.0.1, EXCLUDE localhost",
        ] + (["--ignore-certificate-errors-spki-list=" + ",".join(hashes)] if hashes else []) + [
            "about:blank",
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port_file = os.path.join(self.profile, "DevToolsActivePort")
            deadline = time.time() + 20
            while not os.path.exists(port_file) or not open(port_file).read().strip():
                if time.time() > deadline:
                    sys.exit("chromium did not open its DevTools port")
                time.sleep(0.1)
            devtools_port = int(open(port_file).read().split()[0])
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{devtools_port}/json/list"))
            page = Page(next(t for t in targets if t.get("type") == "page")["webSocketDebuggerUrl"], on_event=self.on_event)
            page.call("Page.enable")
            page.call("Runtime.enable")
            return page
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
        return False


def log_in(page, lb, user, password):
    """Opens the LB's `/`, follows the redirect to the hosted login form, submits it and waits until the
    browser is back on the LB with a page a backend served; returns that backend's name (data-served-by)."""
    start = lb.rstrip("/") + "/"
    page.call("Page.navigate", url=start)
    page.wait_for("document.querySelector('input[type=password]') !== null", "the hosted login form")
    login_url = page.eval("location.href")
    print(f"ok: {start} redirected to the login form at {login_url.split('?')[0]}")
    filled = page.eval("""(() => {
      const pw = document.querySelector('input[type=password]');
      const form = pw.form;
      const name = form.querySelector('input[name=username], input[type=email], input[type=text]:not([hidden])');
      if (!name) return false;
      name.value = %s; pw.value = %s;
      const submit = form.querySelector('[type=submit]');
      if (submit) submit.click(); else form.submit();
      return true;
    })()""" % (json.dumps(user), json.dumps(password)))
    if not filled:
        sys.exit("login form has no username field")
    netloc = urllib.parse.urlparse(lb).netloc
    page.wait_for(f"location.host === {json.dumps(netloc)} && document.body && document.body.dataset.servedBy",
                  "the redirect back to the load balancer")
    return page.eval("document.body.dataset.servedBy")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoints")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--role", choices=["manager", "analyst"], default="manager")
    parser.add_argument("--screenshot", default=None)
    args = parser.parse_args()
    args.screenshot = args.screenshot or f"{args.role}-ui.png"

    endpoints = json.load(open(args.endpoints))
    lb = (endpoints.get("urls") or {}).get("lb")
    if not lb:
        sys.exit(f"urls.lb is null in {args.endpoints}: the load balancer is not part of this stack yet")
    user, password = credentials(endpoints, args)

    with Browser(endpoints) as page:
        served_by = log_in(page, lb, user, password)
        expected = "manager-ui" if args.role == "manager" else "analytics-ui"
        if served_by != expected:
            sys.exit(f"FAIL: a {args.role} landed on {served_by!r}, expected {expected}")
        if args.role == "manager":
            count = page.wait_for("(() => { const n = document.getElementById('count-users'); "
                                  "return n && /^[0-9]+$/.test(n.textContent) ? n.textContent : null; })()",
                                  "the overview's user count from /manager/api/users")
            print(f"ok: logged in as {user}; the Manager UI overview loaded {count} users from its API")
            page.call("Page.navigate", url=lb.rstrip("/") + "/manager/users")
            rows = page.wait_for("document.querySelectorAll('#users tbody tr[data-username]').length",
                                 "user rows on /manager/users")
            print(f"ok: /manager/users shows {rows} user rows")
        else:
            total = page.wait_for("document.getElementById('chart') && document.getElementById('chart').getAttribute('data-total')",
                                  "the chart drawn from /analytics/api/counts")
            bars = page.eval("document.querySelectorAll('#chart rect').length")
            print(f"ok: logged in as {user}; the Analytics UI drew {bars} bars ({total} events) from its API")
            status = page.eval("fetch('/manager/api/users').then(r => r.status)")
            if status != 403:
                sys.exit(f"FAIL: an analyst's fetch of /manager/api/users got {status}, expected 403")
            print("ok: the analyst's fetch of /manager/api/users is refused with 403")
        shot = page.call("Page.captureScreenshot", format="png")
        with open(args.screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        print(f"ok: screenshot written to {args.screenshot}")


if __name__ == "__main__":
    main()
