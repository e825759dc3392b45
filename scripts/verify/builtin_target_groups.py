#!/usr/bin/env python3
"""A stack config that names a built-in target group (`edge.target_groups.manager-ui`) is never ignored.

Usage: scripts/verify/builtin_target_groups.py GAUNTLET_BIN

- With targets, it is honoured: the built-in rules forward a manager's requests to the user's target (a
  plain Python HTTP server on 127.0.0.1 here), which the response and the access log show.
- Without targets, `gauntlet stack` refuses the config: exit 2 and FILE:LINE:COLUMN naming the key.
Needs: python3 with requests. Exits 1 on the first failure.
"""
import http.server
import os
import subprocess
import sys
import threading

from vpc_subnet import GAUNTLET, WORK, Stack, cleanup, fail, login, ok, pin_names


class Target(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"served":"the user\'s own target"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Served-By", "users-target")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Target)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    stack = Stack("honoured", config=f'edge:\n  target_groups:\n    manager-ui: ["http://127.0.0.1:{port}"]\n')
    pin_names([stack])
    manager = login(stack, "managers")
    answer = manager.get(stack.e["urls"]["lb"] + "/manager/api/users", timeout=20)
    if answer.status_code != 200 or answer.headers.get("X-Served-By") != "users-target":
        fail(f"manager-ui named in the config: expected the user's target to answer, got {answer.status_code} "
             f"from {answer.headers.get('X-Served-By')}")
    log = open(stack.e["access_log"]).read()
    if f"127.0.0.1:{port}" not in log:
        fail(f"the access log does not name the user's target 127.0.0.1:{port}")
    ok(f"edge.target_groups.manager-ui with a target is honoured: /manager/api/users answered by 127.0.0.1:{port}")
    stack.stop()
    server.shutdown()

    config = os.path.join(WORK, "empty.yaml")
    with open(config, "w") as f:
        f.write("edge:\n  target_groups:\n    manager-ui: []\n")
    refused = subprocess.run([GAUNTLET, "stack", "--config", config, "--state-dir", os.path.join(WORK, "refused"),
                              "--endpoints", os.path.join(WORK, "refused.json")], capture_output=True, text=True, timeout=60)
    message = refused.stdout + refused.stderr
    if refused.returncode != 2 or f"{config}:3:" not in message or "edge.target_groups.manager-ui" not in message:
        fail(f"manager-ui with no targets: expected exit 2 and {config}:3:…: edge.target_groups.manager-ui, got "
             f"{refused.returncode}: {message.strip()}")
    ok(f"edge.target_groups.manager-ui with no targets is refused where it stands: {message.strip().splitlines()[-1]}")
    print("builtin_target_groups: all checks passed")


if __name__ == "__main__":
    try:
        main()
    finally:
        cleanup()
