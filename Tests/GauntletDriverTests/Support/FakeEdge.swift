import Foundation
import Testing

/// A stand-in for the reference stack's edge, in Python (python3 is on every CI image here): an ALB-like
/// login redirect, a hosted-UI login form with CSRF, an idpresponse callback setting
/// `AWSELBAuthSessionCookie-0`, the role matrix with `X-Served-By` and `Server-Timing`, and an upload
/// endpoint. Faults: `misroute_every` serves every n-th authorised request from the wrong backend;
/// `stall_every`/`stall_for` hold responses during periodic windows. Binds 127.0.0.1 port 0.
final class FakeEdge: @unchecked Sendable {
    let process = Process()
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    init(misrouteEvery: Int = 0, stallEvery: Double = 0, stallFor: Double = 0, sessionLifetime: Double = 0) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script, String(misrouteEvery), String(stallEvery), String(stallFor), String(sessionLifetime)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = output.fileHandleForReading.readLine()
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw FakeEdgeError.noPort(line)
        }
        self.port = port
    }

    func stop() {
        // SIGKILL: a child may inherit a blocked SIGTERM from the test runner.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    enum FakeEdgeError: Error { case noPort(String) }

    static let script = #"""
import sys, time, threading, urllib.parse
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
misroute_every = int(sys.argv[1]); stall_every = float(sys.argv[2]); stall_for = float(sys.argv[3]); lifetime = float(sys.argv[4])
start = time.monotonic()
lock = threading.Lock()
counter = [0]
refreshes = [0]
visible = {}   # freshness token -> time it becomes searchable (0.2 s after the upload, like an index)
import re, gzip
ROLES = {"alice": "managers", "bob": "analysts", "carol": "analysts", "dave": "managers"}
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def cookies(self):
        out = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            if "=" in part:
                k, v = part.strip().split("=", 1); out[k] = v
        return out
    def reply(self, status, headers=(), body=b""):
        if stall_every > 0:
            t = time.monotonic() - start
            phase = t % stall_every
            if phase < stall_for:
                time.sleep(stall_for - phase)
        self.send_response(status)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self): self.handle_any()
    def do_POST(self): self.handle_any()
    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path); path = url.path
        q = urllib.parse.parse_qs(url.query)
        c = self.cookies()
        base = "http://" + self.headers["Host"]
        if path == "/ok": return self.reply(204)
        if path == "/slow": time.sleep(float(q.get("s", ["1"])[0])); return self.reply(200)
        if path == "/agent": return self.reply(204 if self.headers.get("User-Agent") == q.get("want", [""])[0] else 400)
        if path == "/" and self.headers.get("X-Amz-Target") == "AWSCognitoIdentityProviderService.InitiateAuth":
            import json
            req = json.loads(body)
            p = req.get("AuthParameters", {})
            if req.get("AuthFlow") == "REFRESH_TOKEN_AUTH":
                user = p.get("REFRESH_TOKEN", "")[3:]
                if user not in ROLES: return self.reply(400, [("x-amzn-ErrorType", "NotAuthorizedException:")], b'{"__type":"NotAuthorizedException","message":"Invalid Refresh Token"}')
                refreshes[0] += 1
            else:
                user = p.get("USERNAME")
                if user not in ROLES or p.get("PASSWORD") != "pw-" + user:
                    return self.reply(400, [("x-amzn-ErrorType", "NotAuthorizedException:")], b'{"__type":"NotAuthorizedException","message":"Incorrect username or password."}')
            result = {"AccessToken": "at-" + user + "." + str(time.monotonic()), "ExpiresIn": 1, "TokenType": "Bearer", "RefreshToken": "rt-" + user}
            return self.reply(200, [("Content-Type", "application/x-amz-json-1.1")], json.dumps({"AuthenticationResult": result}).encode())
        if path == "/oauth2/token":
            import base64
            if self.headers.get("Authorization") != "Basic " + base64.b64encode(b"up:sec").decode(): return self.reply(401)
            if "grant_type=client_credentials" not in body.decode(): return self.reply(400)
            return self.reply(200, [("Content-Type", "application/json")], b'{"access_token":"t0k","expires_in":3600,"token_type":"Bearer"}')
        if path == "/v1/events":
            auth = self.headers.get("Authorization")
            if auth is not None and auth != "Bearer t0k": return self.reply(401, [("Content-Type", "application/json")], b'{"message":"Unauthorized"}')
            if self.headers.get("x-api-key") == "good":
                raw = gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body
                for token in re.findall(rb"gfresh-[0-9a-z-]+", raw):
                    visible[token.decode()] = time.monotonic() + 0.2
                return self.reply(202, [("Content-Type", "application/json")], b'{"accepted":1}')
            return self.reply(403, [("Content-Type", "application/json")], b'{"message":"Forbidden"}')
        if path == "/oauth2/authorize":
            return self.reply(302, [("Location", "/login?" + url.query)])
        if path == "/login" and self.command == "GET":
            page = ('<html><form name="cognitoSignInForm" method="post" action="/login?%s">'
                    '<input type="hidden" name="_csrf" value="tok123"><input name="username"></form></html>') % url.query.replace("&", "&amp;")
            return self.reply(200, [("Set-Cookie", "XSRF-TOKEN=tok123; Path=/; Secure; HttpOnly")], page.encode())
        if path == "/login" and self.command == "POST":
            form = urllib.parse.parse_qs(body.decode())
            if form.get("_csrf") != ["tok123"] or c.get("XSRF-TOKEN") != "tok123": return self.reply(403)
            user = form.get("username", [""])[0]
            if user not in ROLES or form.get("password") != ["pw-" + user]: return self.reply(400, body=b"Incorrect username or password.")
            return self.reply(302, [("Location", base + "/oauth2/idpresponse?code=" + user + "&state=" + q.get("state", [""])[0])])
        if path == "/oauth2/idpresponse":
            if c.get("AWSELBAuthNonce") != "n1": return self.reply(401)
            user = q.get("code", [""])[0]
            return self.reply(302, [("Location", base + "/"), ("Server-Timing", "lb-auth;dur=3.5"),
                                    ("Set-Cookie", "AWSELBAuthSessionCookie-0=" + ROLES[user] + "." + str(time.monotonic()) + "; Path=/; Secure; HttpOnly")])
        role = c.get("AWSELBAuthSessionCookie-0")
        bearer = self.headers.get("Authorization") or ""
        if bearer.startswith("Bearer at-"):
            user, issued = bearer[10:].split(".", 1)
            if time.monotonic() - float(issued) > 1.5: return self.reply(401)
            role = ROLES.get(user, "") + "." + str(time.monotonic())
        if role is not None:
            role, issued = role.split(".", 1)
            if lifetime > 0 and time.monotonic() - float(issued) > lifetime: role = None
        api = path.startswith("/manager/api") or path.startswith("/analytics/api")
        if role is None:
            if api: return self.reply(401, [("Server-Timing", "lb-auth;dur=0.1")])
            return self.reply(302, [("Location", base + "/oauth2/authorize?client_id=web&state=s1"), ("Set-Cookie", "AWSELBAuthNonce=n1; Path=/")])
        if path.startswith("/manager") and role != "managers": return self.reply(403, [("Server-Timing", "lb-auth;dur=0.2")])
        backend = "manager-ui" if (path == "/" and role == "managers") or path.startswith("/manager") else "analytics-ui"
        if path == "/analytics/api/search":
            token = q.get("q", [""])[0]
            n = 1 if token in visible and time.monotonic() >= visible[token] else 0
            return self.reply(200, [("X-Served-By", "analytics-ui"), ("Content-Type", "application/json")], ('{"returned":%d}' % n).encode())
        with lock:
            counter[0] += 1; n = counter[0]
        if misroute_every and n % misroute_every == 0:
            backend = "analytics-ui" if backend == "manager-ui" else "manager-ui"
        return self.reply(200, [("X-Served-By", backend), ("Server-Timing", "lb-auth;dur=0.5, target;dur=1.5")], b"{}")
server = ThreadingHTTPServer(("127.0.0.1", 0), H)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
"""#
}

extension FileHandle {
    /// Reads one line (the server's port) without waiting for end of file.
    func readLine() -> String {
        var bytes: [UInt8] = []
        while true {
            let chunk = readData(ofLength: 1)
            guard let byte = chunk.first, byte != 0x0A else { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
