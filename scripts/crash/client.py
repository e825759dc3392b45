#!/usr/bin/env python3
"""Crash-test uploader: posts numbered batches in a bounded loop, retrying each (same Idempotency-Key)
until it is acknowledged with 202, however often the server is killed meanwhile.

Standard library only. Writes the ids of acknowledged events to --acked (one per line) at the end, and
touches --done when finished.
"""
import argparse
import http.client
import json
import os
import sys
import time


def read_ready(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", required=True, help="the server's ready file (port, api_key)")
    ap.add_argument("--batches", type=int, default=200, help="upper bound on batches")
    ap.add_argument("--stop", help="start no new batch once this file exists")
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--run", default="run")
    ap.add_argument("--marker", required=True)
    ap.add_argument("--acked", required=True)
    ap.add_argument("--done", required=True)
    ap.add_argument("--deadline", type=float, default=600, help="give up after this many seconds")
    args = ap.parse_args()

    start = time.time()
    acked = []
    attempts = 0
    failures = 0
    conn = None
    batches = 0
    for b in range(args.batches):
        if args.stop and os.path.exists(args.stop):
            break
        batches += 1
        ids = [f"{args.run}-{b}-{i}" for i in range(args.batch_size)]
        body = "\n".join(
            json.dumps({"id": i, "source": "crash-test", "timestamp": time.time(), "note": args.marker + " " + i})
            for i in ids
        ).encode()
        while True:
            if time.time() - start > args.deadline:
                print(f"client: deadline passed at batch {b}", file=sys.stderr)
                sys.exit(2)
            ready = read_ready(args.ready)
            if not ready:
                time.sleep(0.05)
                continue
            attempts += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", ready["port"], timeout=10)
                conn.request("POST", "/v1/events", body=body, headers={
                    "Content-Type": "application/x-ndjson",
                    "x-api-key": ready["api_key"],
                    "Idempotency-Key": f"{args.run}-{b}",
                })
                resp = conn.getresponse()
                payload = resp.read()
                if resp.status == 202:
                    reply = json.loads(payload)
                    if reply.get("accepted") != len(ids):
                        print(f"client: batch {b} acknowledged {reply} for {len(ids)} events", file=sys.stderr)
                        sys.exit(2)
                    acked.extend(ids)
                    break
                if resp.status >= 500 or resp.status == 429:
                    failures += 1
                    time.sleep(0.05)
                    continue
                print(f"client: batch {b} got {resp.status} {payload[:200]!r}", file=sys.stderr)
                sys.exit(2)
            except (OSError, http.client.HTTPException):
                failures += 1
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.02)
    with open(args.acked, "w") as f:
        f.write("\n".join(acked) + "\n")
    print(f"client: {len(acked)} events in {batches} batches acknowledged; "
          f"{attempts} attempts, {failures} of them failed while the server was down or dying", file=sys.stderr)
    open(args.done, "w").close()


if __name__ == "__main__":
    main()
