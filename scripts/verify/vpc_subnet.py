#!/usr/bin/env python3
"""The private subnet checked from outside the stack, with the kernel's own tools (ip, nft) and plain sockets.

Usage: scripts/verify/vpc_subnet.py GAUNTLET_BIN

1. Without CAP_NET_ADMIN and CAP_SYS_ADMIN (dropped with capsh when run as root), `gauntlet stack` still
   starts, prints one line saying "isolation: signature", writes "isolation": "signature", and its backends
   refuse unsigned requests (scripts/verify/backends_direct.sh).
2. As root (skipped, with one line, otherwise):
   - a stack whose config moves the UIs' security-group rule off their port makes the LB answer 504 after
     target_timeout, and counts the security group's drops; killed with SIGKILL, it leaves its namespace,
     which the next stack's start removes;
   - with the default config: a TCP connection from the host to every private component's address fails;
     through the LB a manager and an analyst still get the routing matrix's answers; a probe from the host
     over the one link into the subnet moves the NACL's drop counter, and `/metrics` shows it;
   - on SIGTERM the namespace and the link are gone.
Needs: python3 with requests, capsh (libcap2-bin), ip (iproute2), nft (nftables). Exits 1 on the first failure.
"""
import html.parser
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

import requests

GAUNTLET = sys.argv[1] if len(sys.argv) > 1 else sys.exit(f"usage: {os.path.basename(sys.argv[0])} GAUNTLET_BIN")
HERE = os.path.dirname(os.path.abspath(__file__))
WORK = tempfile.mkdtemp(prefix="gauntlet-vpc.")
STORE = "fd5a:7c1e:90b3:2::20"
STACKS = []


def fail(message):
    print(f"FAIL {message}", file=sys.stderr)
    sys.exit(1)


def ok(message):
    print(f"ok   {message}")


class Stack:
    """`gauntlet stack` with a config, until stopped; `prefix` wraps the command (capsh)."""

    def __init__(self, name, config="", prefix=()):
        self.dir = os.path.join(WORK, name)
        os.makedirs(self.dir)
        self.config = os.path.join(self.dir, "stack.yaml")
        with open(self.config, "w") as f:
            f.write(config or "{}\n")
        self.endpoints_file = os.path.join(self.dir, "endpoints.json")
        self.log = os.path.join(self.dir, "stack.log")
        command = [GAUNTLET, "stack", "--config", self.config, "--state-dir", os.path.join(self.dir, "state"),
                   "--endpoints", self.endpoints_file]
        if prefix:
            command = list(prefix) + ["--", "-c", "exec " + " ".join(command)]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        STACKS.append(self)
        deadline = time.time() + 90
        while not os.path.exists(self.endpoints_file) and time.time() < deadline and self.process.poll() is None:
            time.sleep(0.1)
        if not os.path.exists(self.endpoints_file):
            self.stop()
            fail(f"{name}: the stack did not start:\n{open(self.log).read()[-2000:]}")
        self.e = json.load(open(self.endpoints_file))
        host_of = {}
        for entry in self.e["resolve"]:
            host, _, address = entry.split(":", 2)
            host_of[host] = address
        self.resolve = host_of

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self):
        return open(self.log).read()


def pin_names(stacks):
    """The stack's names resolve to 127.0.0.1, as curl --resolve does, for every requests call."""
    original = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        for stack in stacks:
            if host in stack.resolve:
                host = stack.resolve[host]
                break
        return original(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


class LoginForm(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action, self.fields, self.inside = None, [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self.inside = a.get("action") or "", True
        elif tag == "input" and self.inside and a.get("name"):
            self.fields.append((a["name"], a.get("value") or "", (a.get("type") or "text").lower()))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def login(stack, role):
    """A browser's login through the LB's redirects and the hosted login form; returns the session."""
    user = next(u for u in stack.e["users"] if role in u["groups"])
    session = requests.Session()
    session.verify = stack.e["ca_file"]
    page = session.get(stack.e["urls"]["lb"] + "/", timeout=20)
    form = LoginForm()
    form.feed(page.text)
    if form.action is None:
        fail(f"no login form at {page.url} (status {page.status_code})")
    body = []
    for name, value, kind in form.fields:
        if kind == "password" or "pass" in name.lower():
            value = user["password"]
        elif kind in ("text", "email") or "user" in name.lower():
            value = user["username"]
        if kind == "submit" and not value:
            continue
        body.append((name, value))
    landed = session.post(urllib.parse.urljoin(page.url, form.action), data=body, timeout=20)
    if not any(c.name.startswith("AWSELBAuthSessionCookie") for c in session.cookies):
        fail(f"login as {user['username']} left no session cookie (last status {landed.status_code} at {landed.url})")
    return session


def nft_counters(namespace):
    out = subprocess.run(["ip", "netns", "exec", namespace, "nft", "-j", "list", "counters", "table", "inet", "gauntlet_vpc"],
                         check=True, capture_output=True, text=True).stdout
    return {i["counter"]["name"]: i["counter"]["packets"] for i in json.loads(out)["nftables"] if "counter" in i}


def connect_error(address, port, scope=0):
    """None if a TCP handshake with [address]:port completes within 2 s, else what stopped it."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect((address, port, 0, scope))
        return None
    except OSError as error:
        return error.strerror or type(error).__name__
    finally:
        s.close()


def namespace_exists(name):
    return os.path.exists(f"/run/netns/{name}")


def main():
    root = os.geteuid() == 0 and all(shutil.which(t) for t in ("ip", "nft"))

    # 1. No CAP_NET_ADMIN / CAP_SYS_ADMIN: the signature layer, said once.
    drop = ("capsh", "--drop=cap_net_admin,cap_sys_admin") if os.geteuid() == 0 else ()
    plain = Stack("signature", prefix=drop)
    lines = [line for line in plain.output().splitlines() if "isolation:" in line]
    if plain.e.get("isolation") != "signature" or plain.e.get("vpc") is not None:
        fail(f"without CAP_NET_ADMIN: endpoints say isolation {plain.e.get('isolation')!r}, vpc {plain.e.get('vpc')!r}")
    if len(lines) != 1 or "isolation: signature" not in lines[0]:
        fail(f"without CAP_NET_ADMIN: expected one 'isolation: signature' line, got {lines}")
    ok(f"without CAP_NET_ADMIN the stack starts and says so: {lines[0].strip()}")
    direct = subprocess.run([os.path.join(HERE, "backends_direct.sh"), plain.endpoints_file], capture_output=True, text=True)
    if direct.returncode != 0:
        fail(f"signature layer: backends_direct.sh failed:\n{direct.stdout}{direct.stderr}")
    ok("signature layer: the backends on 127.0.0.1 refuse unsigned and forged requests (backends_direct.sh)")
    plain.stop()

    if not root:
        print("skip: the network-isolation checks need root (CAP_NET_ADMIN and CAP_SYS_ADMIN), ip and nft")
        return

    # 2a. One security-group rule changed: the UIs' group admits the LB on 8443, where nothing listens.
    moved = Stack("sg-moved", config="""
edge: {target_timeout: 3}
vpc:
  security_groups:
    - group_id: sg-ui
      attached_to: [manager-ui, analytics-ui]
      ip_permissions:
        - {ip_protocol: tcp, from_port: 8443, to_port: 8443, user_id_group_pairs: [{group_id: sg-load-balancer}]}
""")
    pin_names([moved])
    if moved.e.get("isolation") != "network":
        fail(f"as root: expected isolation network, got {moved.e.get('isolation')!r}:\n{moved.output()}")
    manager = login(moved, "managers")
    started = time.monotonic()
    answer = manager.get(moved.e["urls"]["lb"] + "/manager/api/users", timeout=30)
    waited = time.monotonic() - started
    if answer.status_code != 504 or waited < 2.5:
        fail(f"SG rule off the UIs' port: expected 504 after target_timeout (3 s), got {answer.status_code} after {waited:.1f} s")
    dropped = nft_counters(moved.e["vpc"]["namespace"]).get("sg_manager_ui_dropped", 0)
    if dropped < 1:
        fail("SG rule off the UIs' port: the security group counted no drops")
    ok(f"security group rule moved to 8443: the LB answers 504 after {waited:.1f} s (target_timeout 3 s); sg_manager_ui_dropped = {dropped}")
    stale = moved.e["vpc"]["namespace"]
    moved.stop(signal.SIGKILL)
    if not namespace_exists(stale):
        fail(f"after SIGKILL the namespace {stale} should still be there (nothing ran to remove it)")

    # 2b. The default subnet.
    stack = Stack("network", config="edge: {target_timeout: 3}\n")
    pin_names([stack])
    vpc = stack.e["vpc"]
    if namespace_exists(stale):
        fail(f"the next start did not remove the stale namespace {stale} of the SIGKILLed stack")
    ok(f"the namespace of a SIGKILLed stack ({stale}) was removed by the next start")
    private = [(stack.e["direct"]["manager"], "manager-ui"), (stack.e["direct"]["analytics"], "analytics-ui"),
               (f"https://[{STORE}]:443", "event-store")]
    for url, name in private:
        parts = urllib.parse.urlsplit(url)
        error = connect_error(parts.hostname, parts.port or 443)
        if error is None:
            fail(f"from the host, a TCP connection to {name} at {url} succeeded")
        ok(f"from the host, {name} at {url} is unreachable: {error}")

    manager, analyst = login(stack, "managers"), login(stack, "analysts")
    lb = stack.e["urls"]["lb"]
    for session, path, status, served in [
        (manager, "/manager/api/users", 200, "manager-ui"), (manager, "/", 200, "manager-ui"),
        (analyst, "/analytics/api/search?q=x", 200, "analytics-ui"), (analyst, "/", 200, "analytics-ui"),
        (analyst, "/manager/api/users", 403, None), (manager, "/analytics/", 200, "analytics-ui"),
    ]:
        answer = session.get(lb + path, timeout=20, allow_redirects=False)
        if answer.status_code != status or (served and answer.headers.get("X-Served-By") != served):
            fail(f"through the LB {path}: expected {status} from {served}, got {answer.status_code} from {answer.headers.get('X-Served-By')}")
    ok("through the LB the routing matrix holds: managers → Manager UI, analysts → Analytics UI, analyst on /manager/api → 403")

    before = nft_counters(vpc["namespace"]).get("nacl_ingress_default", 0)
    scope = socket.if_nametoindex(vpc["host_interface"])
    probes = [connect_error(vpc["link_address"], port, scope) for port in (443, 22, 8443)]
    after = nft_counters(vpc["namespace"]).get("nacl_ingress_default", 0)
    if after <= before:
        fail(f"probes over {vpc['host_interface']} did not move the NACL's drop counter ({before} → {after}; probes: {probes})")
    ok(f"host probes of [{vpc['link_address']}%{vpc['host_interface']}] were dropped ({probes[0]}): nacl_ingress_default {before} → {after}")
    time.sleep(2.5)
    metrics = requests.get(stack.e["urls"]["idp"] + "/metrics", verify=stack.e["ca_file"], timeout=10).text
    series = [line for line in metrics.splitlines()
              if line.startswith("vpc_dropped_packets_total") and 'layer="nacl"' in line and 'scope="ingress"' in line]
    if not series or float(series[0].rsplit(" ", 1)[1]) < 1:
        fail(f"/metrics has no NACL ingress drops: {series}")
    ok(f"the stack's /metrics counts them: {series[0]}")

    stack.stop()
    if namespace_exists(vpc["namespace"]) or os.path.exists(f"/sys/class/net/{vpc['host_interface']}"):
        fail(f"after SIGTERM the namespace {vpc['namespace']} or the link {vpc['host_interface']} is still there")
    ok(f"on SIGTERM the stack removed {vpc['namespace']} and {vpc['host_interface']}")
    print("vpc_subnet: all checks passed")


def cleanup():
    """Whatever failed, leave no stack, namespace or link behind."""
    for started in STACKS:
        started.stop(signal.SIGKILL)
        namespace = (getattr(started, "e", None) or {}).get("vpc") or {}
        if namespace.get("namespace") and namespace_exists(namespace["namespace"]):
            subprocess.run(["ip", "netns", "del", namespace["namespace"]], capture_output=True)
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        cleanup()
