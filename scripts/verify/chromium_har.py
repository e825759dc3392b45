#!/usr/bin/env python3
"""Records a HAR 1.2 file of headless Chromium using the Manager UI: logs in as a manager through the
hosted login page, opens the overview, users, sources, API keys and retention pages (each loads its
data from /manager/api/… with fetch), and writes what the DevTools Network domain saw, in the layout
of Chromium's own "Save all as HAR" export.

Needs: Debian's `chromium` and `openssl` (apt-get install -y chromium openssl) and PyPI
`websocket-client` (pip install websocket-client). Reuses chromium_login.py (browser start-up,
certificate trust, the hosted-UI login) from this directory.

Usage: chromium_har.py ENDPOINTS_JSON OUT.har [--user U --password P] [--scrub] [--add-source NAME]
  --scrub   replaces the password, cookie values and the login flow's one-time values (code, state,
            nonce, CSRF token) with "REDACTED" wherever they appear, so the file can be committed.
  --add-source NAME  also adds a log source through the sources page's form: a fetch POST with a JSON body.
Exits non-zero when the login or a page fails, or when no /manager/api/ call was recorded.
"""
import argparse, datetime, json, os, sys, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chromium_login import Browser, credentials, log_in  # noqa: E402

# The Manager UI's pages after the overview, and what each shows once its fetch calls have answered.
PAGES = [
    ("/manager/users", "document.querySelectorAll('#users tbody tr[data-username]').length"),
    ("/manager/sources", "/sources\\.$/.test(document.getElementById('status').textContent)"),
    ("/manager/api-keys", "/keys\\.$/.test(document.getElementById('status').textContent)"),
    ("/manager/retention", "document.getElementById('status').textContent === 'Loaded.'"),
]
REDACTED = "REDACTED"
SECRET_QUERY_KEYS = {"code", "state", "nonce", "csrf", "_csrf", "csrf_token", "access_token", "id_token", "refresh_token"}


class Hop:
    """One request/response exchange: a HAR entry. A redirect chain shares a DevTools requestId but is
    one hop per URL, as in Chromium's export."""

    def __init__(self, params):
        self.request_id = params["requestId"]
        self.loader_id = params.get("loaderId")
        self.frame_id = params.get("frameId")
        self.request = params["request"]
        self.issue_time = params["timestamp"]
        self.wall_time = params.get("wallTime")
        self.resource_type = params.get("type") or "Other"
        self.initiator = params.get("initiator") or {}
        self.response = None
        self.response_time = None
        self.end_time = None
        self.transfer_size = 0
        self.resource_size = 0
        self.error = None
        self.request_extra = None
        self.response_extra = None


class Recorder:
    """Collects Network and Page domain events as they arrive on the DevTools socket."""

    def __init__(self):
        self.hops = []
        self.current = {}  # requestId -> the hop still waiting for its response
        self.request_extras = {}  # requestId -> [requestWillBeSentExtraInfo…] in arrival order
        self.response_extras = {}
        self.page_events = []  # (method, timestamp)
        self.clock = None  # wall time minus monotonic timestamp, learned from requestWillBeSent

    def event(self, method, params):
        handler = getattr(self, "on_" + method.replace(".", "_"), None)
        if handler:
            handler(params)

    def on_Network_requestWillBeSent(self, p):
        if p.get("wallTime") is not None and self.clock is None:
            self.clock = p["wallTime"] - p["timestamp"]
        previous = self.current.get(p["requestId"])
        if previous is not None and p.get("redirectResponse"):
            # The previous hop of the chain ended with this redirect.
            previous.response = p["redirectResponse"]
            previous.response_time = p["timestamp"]
            previous.end_time = p["timestamp"]
            previous.transfer_size = p["redirectResponse"].get("encodedDataLength", 0)
        hop = Hop(p)
        self.hops.append(hop)
        self.current[p["requestId"]] = hop

    def on_Network_requestWillBeSentExtraInfo(self, p):
        self.request_extras.setdefault(p["requestId"], []).append(p)

    def on_Network_responseReceivedExtraInfo(self, p):
        self.response_extras.setdefault(p["requestId"], []).append(p)

    def on_Network_responseReceived(self, p):
        hop = self.current.get(p["requestId"])
        if hop:
            hop.response = p["response"]
            hop.response_time = p["timestamp"]
            hop.resource_type = p.get("type") or hop.resource_type

    def on_Network_dataReceived(self, p):
        hop = self.current.get(p["requestId"])
        if hop:
            hop.resource_size += p.get("dataLength", 0)

    def on_Network_loadingFinished(self, p):
        hop = self.current.pop(p["requestId"], None)
        if hop:
            hop.end_time = p["timestamp"]
            hop.transfer_size = p.get("encodedDataLength", 0)

    def on_Network_loadingFailed(self, p):
        hop = self.current.pop(p["requestId"], None)
        if hop:
            hop.end_time = p["timestamp"]
            hop.error = p.get("errorText") or "failed"

    def on_Page_domContentEventFired(self, p):
        self.page_events.append(("onContentLoad", p["timestamp"]))

    def on_Page_loadEventFired(self, p):
        self.page_events.append(("onLoad", p["timestamp"]))

    @property
    def pending(self):
        return len(self.current)

    def attach_extra_info(self):
        """The k-th extra-info event of a requestId belongs to the k-th hop of its chain (Chromium sends
        them in order; they may arrive before or after the event they complete)."""
        chains = {}
        for hop in self.hops:
            chains.setdefault(hop.request_id, []).append(hop)
        for request_id, hops in chains.items():
            for hop, extra in zip(hops, self.request_extras.get(request_id, [])):
                hop.request_extra = extra
            answered = [hop for hop in hops if hop.response is not None and not hop.response.get("fromDiskCache")]
            for hop, extra in zip(answered, self.response_extras.get(request_id, [])):
                hop.response_extra = extra


def iso(wall):
    moment = datetime.datetime.fromtimestamp(wall, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def header_list(headers):
    """DevTools joins repeated headers with newlines; HAR lists each value."""
    out = []
    for name, value in (headers or {}).items():
        for part in str(value).split("\n"):
            out.append({"name": name, "value": part})
    return out


def http_version(protocol):
    protocol = (protocol or "").lower()
    return {"h2": "http/2.0", "h3": "http/3.0", "http/1.1": "http/1.1", "http/1.0": "http/1.0"}.get(protocol, protocol)


def set_cookie_list(headers):
    cookies = []
    for header in headers:
        if header["name"].lower() != "set-cookie":
            continue
        parts = [part.strip() for part in header["value"].split(";")]
        name, _, value = parts[0].partition("=")
        cookie = {"name": name, "value": value}
        for attribute in parts[1:]:
            key, _, val = attribute.partition("=")
            key = key.lower()
            if key == "path": cookie["path"] = val
            elif key == "domain": cookie["domain"] = val
            elif key == "expires": cookie["expires"] = val
            elif key == "httponly": cookie["httpOnly"] = True
            elif key == "secure": cookie["secure"] = True
            elif key == "samesite": cookie["sameSite"] = val
        cookie.setdefault("httpOnly", False)
        cookie.setdefault("secure", False)
        cookies.append(cookie)
    return cookies


def request_cookies(hop, headers):
    extra = hop.request_extra or {}
    associated = extra.get("associatedCookies")
    if associated is not None:
        out = []
        for entry in associated:
            if entry.get("blockedReasons"):
                continue
            c = entry.get("cookie") or {}
            expires = c.get("expires", -1)
            out.append({
                "name": c.get("name", ""), "value": c.get("value", ""), "path": c.get("path", "/"), "domain": c.get("domain", ""),
                "expires": iso(expires) if isinstance(expires, (int, float)) and expires > 0 else None,
                "httpOnly": bool(c.get("httpOnly")), "secure": bool(c.get("secure")),
                **({"sameSite": c["sameSite"]} if c.get("sameSite") else {}),
            })
        return out
    out = []
    for header in headers:
        if header["name"].lower() == "cookie":
            for pair in header["value"].split(";"):
                name, _, value = pair.strip().partition("=")
                if name:
                    out.append({"name": name, "value": value})
    return out


def post_data(request):
    text = request.get("postData")
    if text is None and request.get("postDataEntries"):
        import base64
        text = "".join(base64.b64decode(e.get("bytes", "")).decode("utf-8", "replace") for e in request["postDataEntries"])
    if text is None:
        return None
    mime = next((v for k, v in (request.get("headers") or {}).items() if k.lower() == "content-type"), "")
    data = {"mimeType": mime, "text": text}
    if mime.startswith("application/x-www-form-urlencoded"):
        data["params"] = [{"name": k, "value": v} for k, v in urllib.parse.parse_qsl(text, keep_blank_values=True)]
    return data


def timings(hop):
    """HAR timings in milliseconds from the response's ResourceTiming (offsets in ms from requestTime),
    split as Chromium's exporter splits them; -1 for phases that did not happen (a reused connection)."""
    result = {"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 0, "receive": 0}
    timing = (hop.response or {}).get("timing")
    end = hop.end_time if hop.end_time is not None else hop.response_time
    if not timing:
        if end is not None:
            result["blocked"] = max(0.0, (end - hop.issue_time) * 1000)
        return result
    request_time = timing["requestTime"]
    queued = max(0.0, (request_time - hop.issue_time) * 1000)
    starts = [t for t in (timing.get("dnsStart", -1), timing.get("connectStart", -1), timing.get("sendStart", -1)) if t >= 0]
    blocked_start = min(starts) if starts else 0.0
    result["blocked"] = queued + blocked_start
    dns_end = timing.get("dnsEnd", -1)
    if dns_end >= 0:
        result["dns"] = dns_end - blocked_start
    ssl_end = timing.get("sslEnd", -1)
    if ssl_end > 0:
        result["ssl"] = ssl_end - timing.get("sslStart", 0)
    connect_end = timing.get("connectEnd", -1)
    if connect_end >= 0:
        connect_start = min([t for t in (dns_end, blocked_start) if t >= 0], default=0)
        result["connect"] = connect_end - connect_start
    send_end = timing.get("sendEnd", -1)
    if send_end >= 0:
        result["send"] = max(0.0, send_end - max(connect_end, dns_end, blocked_start))
    highest = max(send_end, connect_end, ssl_end, dns_end, blocked_start, 0)
    headers_end = timing.get("receiveHeadersEnd", -1)
    wait_end = headers_end if headers_end >= 0 else ((hop.response_time or request_time) - request_time) * 1000
    result["wait"] = max(0.0, wait_end - highest)
    if end is not None:
        result["receive"] = max(0.0, (end - request_time) * 1000 - wait_end)
    return {k: round(v, 3) for k, v in result.items()}


def build_har(recorder, browser_version, main_frame):
    recorder.attach_extra_info()
    clock = recorder.clock or (time.time() - time.monotonic())

    # A page per main-frame navigation, in order; its entries are those of its loader.
    pages, page_of_loader = [], {}
    for hop in recorder.hops:
        if hop.resource_type == "Document" and hop.frame_id == main_frame and hop.loader_id not in page_of_loader:
            page = {"startedDateTime": iso(hop.wall_time or clock + hop.issue_time), "id": f"page_{len(pages) + 1}",
                    "title": "", "pageTimings": {"onContentLoad": -1, "onLoad": -1}, "_start": hop.issue_time}
            page_of_loader[hop.loader_id] = page
            pages.append(page)
        if hop.loader_id in page_of_loader and hop.resource_type == "Document" and hop.frame_id == main_frame:
            page_of_loader[hop.loader_id]["title"] = hop.request["url"]  # the chain's last URL, as the tab showed it
    for name, stamp in recorder.page_events:
        owner = None
        for page in pages:
            if page["_start"] <= stamp:
                owner = page
        if owner is not None and owner["pageTimings"][name] < 0:
            owner["pageTimings"][name] = round((stamp - owner["_start"]) * 1000, 3)

    entries = []
    for hop in recorder.hops:
        if not hop.request["url"].startswith(("http://", "https://")):
            continue
        response = hop.response or {}
        request_headers = header_list((hop.request_extra or {}).get("headers") or hop.request.get("headers"))
        response_headers = header_list((hop.response_extra or {}).get("headers") or response.get("headers"))
        headers_text = (hop.response_extra or {}).get("headersText") or response.get("headersText")
        status = (hop.response_extra or {}).get("statusCode") or response.get("status") or 0
        cached = bool(response.get("fromDiskCache") or response.get("fromPrefetchCache"))
        if cached or status == 304:
            body_size = 0
        elif headers_text:
            body_size = max(0, hop.transfer_size - len(headers_text))
        else:
            body_size = -1
        request = {
            "method": hop.request["method"], "url": hop.request["url"] + hop.request.get("urlFragment", ""),
            "httpVersion": http_version(response.get("protocol")),
            "headers": request_headers,
            "queryString": [{"name": k, "value": v} for k, v in
                            urllib.parse.parse_qsl(urllib.parse.urlsplit(hop.request["url"]).query, keep_blank_values=True)],
            "cookies": request_cookies(hop, request_headers),
            "headersSize": -1,
            "bodySize": 0,
        }
        body = post_data(hop.request)
        if body is not None:
            request["postData"] = body
            request["bodySize"] = len(body["text"].encode())
        location = next((h["value"] for h in response_headers if h["name"].lower() == "location"), "")
        har_timings = timings(hop)
        entry = {
            "_initiator": {"type": hop.initiator.get("type", "other")},
            "_priority": hop.request.get("initialPriority"),
            "_resourceType": hop.resource_type.lower(),
            "cache": {},
            "connection": str(response["connectionId"]) if response.get("connectionId") is not None else None,
            "request": request,
            "response": {
                "status": status,
                "statusText": response.get("statusText", ""),
                "httpVersion": http_version(response.get("protocol")),
                "headers": response_headers,
                "cookies": set_cookie_list(response_headers),
                "content": {"size": hop.resource_size, "mimeType": response.get("mimeType") or "x-unknown"},
                "redirectURL": urllib.parse.urljoin(hop.request["url"], location) if location else "",
                "headersSize": len(headers_text) if headers_text else -1,
                "bodySize": body_size,
                "_transferSize": hop.transfer_size,
                "_error": hop.error,
            },
            "serverIPAddress": (response.get("remoteIPAddress") or "").strip("[]"),
            "startedDateTime": iso(hop.wall_time if hop.wall_time is not None else clock + hop.issue_time),
            "time": round(sum(v for k, v in har_timings.items() if k != "ssl" and v > 0), 3),
            "timings": har_timings,
        }
        if entry["connection"] is None:
            del entry["connection"]
        if hop.loader_id in page_of_loader:
            entry["pageref"] = page_of_loader[hop.loader_id]["id"]
        entries.append(entry)
    for page in pages:
        del page["_start"]
    return {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": browser_version},
                    "pages": pages, "entries": entries}}


def collect_secrets(har, password):
    secrets = {password} if password else set()
    for entry in har["log"]["entries"]:
        for cookie in entry["request"]["cookies"] + entry["response"]["cookies"]:
            secrets.add(cookie["value"])
        for param in entry["request"]["queryString"]:
            if param["name"].lower() in SECRET_QUERY_KEYS:
                secrets.add(param["value"])
        for param in (entry["request"].get("postData") or {}).get("params", []):
            name = param["name"].lower()
            if "csrf" in name or "password" in name or "token" in name or name in SECRET_QUERY_KEYS:
                secrets.add(param["value"])
    # Short values (a cookie "1") would redact unrelated text; the password is redacted whatever its length.
    return sorted((s for s in secrets if s and (len(s) >= 6 or s == password)), key=len, reverse=True)


def scrub(har, password):
    """Every occurrence of a secret, raw or URL-encoded, anywhere in the file becomes REDACTED."""
    text = json.dumps(har)
    for secret in collect_secrets(har, password):
        for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}:
            text = text.replace(json.dumps(form)[1:-1], REDACTED)
    return json.loads(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoints")
    parser.add_argument("out")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--scrub", action="store_true")
    parser.add_argument("--add-source", metavar="NAME", help="also add a log source NAME through the sources page's form (a POST with a JSON body)")
    args = parser.parse_args()
    args.role = "manager"

    endpoints = json.load(open(args.endpoints))
    lb = (endpoints.get("urls") or {}).get("lb")
    if not lb:
        sys.exit(f"urls.lb is null in {args.endpoints}: the load balancer is not part of this stack yet")
    user, password = credentials(endpoints, args)
    recorder = Recorder()

    with Browser(endpoints, on_event=recorder.event) as page:
        version = page.call("Browser.getVersion")
        browser_version = version.get("product", "").split("/")[-1] or "unknown"
        main_frame = page.call("Page.getFrameTree")["frameTree"]["frame"]["id"]
        # Every page load and fetch goes to the wire, so each entry is a request the replay can resend.
        page.call("Network.enable")
        page.call("Network.setCacheDisabled", cacheDisabled=True)

        served_by = log_in(page, lb, user, password)
        if served_by != "manager-ui":
            sys.exit(f"FAIL: a manager landed on {served_by!r}, expected manager-ui")
        count = page.wait_for("(() => { const n = document.getElementById('count-users'); "
                              "return n && /^[0-9]+$/.test(n.textContent) ? n.textContent : null; })()",
                              "the overview's counts from /manager/api/")
        print(f"ok: logged in as {user}; the overview loaded {count} users")
        for path, ready in PAGES:
            page.call("Page.navigate", url=lb.rstrip("/") + path)
            page.wait_for(f"location.pathname === {json.dumps(path)} && ({ready})", f"{path} with its data")
            print(f"ok: {path} loaded its data")
            if path == "/manager/sources" and args.add_source:
                page.eval("""(() => { const form = document.getElementById('new-source');
                  form.name.value = %s; form.kind.value = 'http'; form.requestSubmit(); return true; })()""" % json.dumps(args.add_source))
                page.wait_for(f"[...document.querySelectorAll('#sources tbody td')].some(td => td.textContent === {json.dumps(args.add_source)})",
                              f"the new source {args.add_source} in the table")
                print(f"ok: added the source {args.add_source} through the form")
        # Let the last responses' loadingFinished events arrive.
        deadline = time.time() + 10
        while (recorder.pending or not recorder.page_events) and time.time() < deadline:
            page.eval("1")
            time.sleep(0.1)
        page.eval("1")
        if recorder.pending:
            print(f"warning: {recorder.pending} requests still unfinished; they are written with what was seen", file=sys.stderr)

    har = build_har(recorder, browser_version, main_frame)
    if args.scrub:
        har = scrub(har, password)
    api_calls = [e for e in har["log"]["entries"] if "/manager/api/" in e["request"]["url"]]
    if not api_calls:
        sys.exit("FAIL: no /manager/api/ call was recorded")
    with open(args.out, "w") as f:
        json.dump(har, f, indent=2)
        f.write("\n")
    print(f"ok: wrote {args.out}: {len(har['log']['pages'])} pages, {len(har['log']['entries'])} entries, "
          f"{len(api_calls)} /manager/api/ calls{' (scrubbed)' if args.scrub else ''}")


if __name__ == "__main__":
    main()
