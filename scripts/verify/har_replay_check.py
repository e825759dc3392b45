#!/usr/bin/env python3
"""Checks a HAR recorded by chromium_har.py and the results of `gauntlet replay` of it.

Usage: har_replay_check.py har RECORDED.har
       har_replay_check.py replay RECORDED.har RESULTS_DIR
`har` checks that the file has the fields of Chromium's own HAR export and that the Manager UI's pages
and their /manager/api/ fetch calls are in it. `replay` checks that every page load and API call of the
HAR (all but the login-flow steps, which virtual users perform by themselves) was sent by the replay,
once, with the recorded status, and that replay.json says the same. Exits non-zero on failure.
Needs only the Python standard library.
"""
import json, os, sys, urllib.parse
from collections import Counter

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def fields(obj, names, where):
    missing = [n for n in names if n not in obj]
    return not missing or print(f"     {where}: missing {missing}")


def check_har(har):
    log = har.get("log", {})
    check(log.get("version") == "1.2" and fields(log, ["creator", "pages", "entries"], "log"), "log.version 1.2 with creator, pages, entries")
    entries = log.get("entries", [])
    page_ids = {p["id"] for p in log.get("pages", [])}
    shapes = all(
        fields(e, ["startedDateTime", "time", "request", "response", "cache", "timings", "serverIPAddress", "_resourceType", "pageref"], f"entry {i}")
        and fields(e["request"], ["method", "url", "httpVersion", "headers", "queryString", "cookies", "headersSize", "bodySize"], f"entry {i}.request")
        and fields(e["response"], ["status", "statusText", "httpVersion", "headers", "cookies", "content", "redirectURL", "headersSize", "bodySize"], f"entry {i}.response")
        and fields(e["response"]["content"], ["size", "mimeType"], f"entry {i}.response.content")
        and fields(e["timings"], ["blocked", "dns", "connect", "send", "wait", "receive", "ssl"], f"entry {i}.timings")
        and e["pageref"] in page_ids
        for i, e in enumerate(entries))
    check(bool(entries) and shapes, f"all {len(entries)} entries have Chromium's HAR fields and a pageref to one of {len(page_ids)} pages")
    paths = Counter((e["request"]["method"], urllib.parse.urlsplit(e["request"]["url"]).path, e["response"]["status"]) for e in entries)
    for path in ["/manager/users", "/manager/sources", "/manager/api-keys"]:
        check(paths[("GET", path, 200)] >= 1, f"page {path} loaded with 200")
    for api in ["users", "sources", "api-keys", "retention"]:
        check(paths[("GET", f"/manager/api/{api}", 200)] >= 1, f"fetch /manager/api/{api} answered 200")
    check(any(e["response"]["status"] == 302 and "/oauth2/authorize" in e["response"]["redirectURL"] for e in entries),
          "the unauthenticated first page load was redirected to /oauth2/authorize")
    check(any(e["request"]["method"] == "POST" and urllib.parse.urlsplit(e["request"]["url"]).path == "/login" for e in entries),
          "the login form POST is in the recording")
    check(any(e["request"]["method"] == "POST" and urllib.parse.urlsplit(e["request"]["url"]).path == "/manager/api/sources"
              and e["response"]["status"] == 201 and (e["request"].get("postData") or {}).get("text", "").startswith("{") for e in entries),
          "the sources form's fetch POST (JSON body) answered 201")


def login_step(url):
    parts = urllib.parse.urlsplit(url)
    return parts.hostname.startswith("auth.") or parts.path.startswith("/oauth2/") or parts.path in ("/login", "/logout")


def check_replay(har, results):
    entries = [e for e in har["log"]["entries"] if e["request"]["url"].startswith(("http://", "https://"))]
    expected = Counter()
    for e in entries:
        if not login_step(e["request"]["url"]):
            parts = urllib.parse.urlsplit(e["request"]["url"])
            expected[(e["request"]["method"], parts.path + ("?" + parts.query if parts.query else ""), e["response"]["status"])] += 1
    rows = [json.loads(line) for line in open(os.path.join(results, "requests.jsonl")) if line.strip()]
    replayed = Counter()
    for r in rows:
        parts = urllib.parse.urlsplit(r["url"])
        replayed[(r["method"], parts.path + ("?" + parts.query if parts.query else ""), r.get("status"))] += 1
    check(sum(expected.values()) > 0, f"the HAR holds {sum(expected.values())} page loads and API calls to replay")
    missing, extra = expected - replayed, replayed - expected
    for key, n in sorted(missing.items(), key=str):
        print(f"     recorded but not replayed with that status: {n} × {key}")
    for key, n in sorted(extra.items(), key=str):
        print(f"     replayed but not recorded: {n} × {key}")
    check(not missing and not extra, f"requests.jsonl: the replay sent exactly those {len(rows)} requests with the recorded statuses")
    api = sum(n for (m, p, s), n in expected.items() if p.startswith("/manager/api/"))
    check(api >= 4 and sum(n for (m, p, s), n in replayed.items() if p.startswith("/manager/api/")) == api,
          f"{api} /manager/api/ calls replayed")
    report = json.load(open(os.path.join(results, "replay.json")))
    total = sum(expected.values())
    check(report["planned"] == total and report["replayed"] == total and report["unreplayed"] == 0 and report["unexpected"] == 0,
          f"replay.json: planned {report['planned']}, replayed {report['replayed']}, unreplayed {report['unreplayed']}, unexpected {report['unexpected']}")
    check(report["statuses_compared"] == total and report["statuses_matched"] == total and not report["differences"],
          f"replay.json: {report['statuses_matched']} of {report['statuses_compared']} statuses as recorded, differences {report['differences']}")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("har", "replay") or (sys.argv[1] == "replay" and len(sys.argv) != 4):
        sys.exit(__doc__)
    har = json.load(open(sys.argv[2]))
    if sys.argv[1] == "har":
        check_har(har)
    else:
        check_replay(har, sys.argv[3])
    if failures:
        sys.exit(f"{failures} checks failed")


if __name__ == "__main__":
    main()
