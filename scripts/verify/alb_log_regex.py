#!/usr/bin/env python3
"""Check every line of an ALB access log against AWS's documented Athena regex.

Usage: alb_log_regex.py LOG [--min-lines N]

The pattern is the RegexSerDe `input.regex` from AWS's "Create the table for ALB access logs" page (Athena
user guide), the version that includes classification, classification_reason and conn_trace_id. Each line
must match it as a whole, and the named fields are sanity-checked (status codes, times, trace id, TID).
Needs only the Python standard library.
"""
import re
import sys

ATHENA_ALB_REGEX = (
    r'([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*):([0-9]*) ([^ ]*)[:-]([0-9]*) ([-.0-9]*) ([-.0-9]*) ([-.0-9]*) (|[-0-9]*) (-|[-0-9]*) '
    r'([-0-9]*) ([-0-9]*) \"([^ ]*) (.*) (- |[^ ]*)\" \"([^\"]*)\" ([A-Z0-9-_]+) ([A-Za-z0-9.-]*) ([^ ]*) \"([^\"]*)\" '
    r'\"([^\"]*)\" \"([^\"]*)\" ([-.0-9]*) ([^ ]*) \"([^\"]*)\" \"([^\"]*)\" \"([^ ]*)\" \"([^\s]+?)\" \"([^\s]+)\" '
    r'\"([^ ]*)\" \"([^ ]*)\" ?([^ ]*)? ?( .*)?'
)

COLUMNS = [
    "type", "time", "elb", "client_ip", "client_port", "target_ip", "target_port", "request_processing_time",
    "target_processing_time", "response_processing_time", "elb_status_code", "target_status_code", "received_bytes",
    "sent_bytes", "request_verb", "request_url", "request_proto", "user_agent", "ssl_cipher", "ssl_protocol",
    "target_group_arn", "trace_id", "domain_name", "chosen_cert_arn", "matched_rule_priority", "request_creation_time",
    "actions_executed", "redirect_url", "lambda_error_reason", "target_port_list", "target_status_code_list",
    "classification", "classification_reason", "conn_trace_id",
]

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def check(line):
    match = re.fullmatch(ATHENA_ALB_REGEX, line)
    if not match:
        return "does not match the Athena ALB regex"
    f = dict(zip(COLUMNS, match.groups()))
    if f["type"] not in ("http", "https", "h2", "grpcs", "ws", "wss"):
        return "type %r" % f["type"]
    if not TIME.match(f["time"]) or not TIME.match(f["request_creation_time"]):
        return "time fields are not ISO 8601 with microseconds"
    if not re.fullmatch(r"[1-5][0-9][0-9]", f["elb_status_code"]):
        return "elb_status_code %r" % f["elb_status_code"]
    if not f["elb"].startswith("app/"):
        return "elb %r does not start with app/" % f["elb"]
    if not f["trace_id"].startswith("Root=1-"):
        return "trace_id %r" % f["trace_id"]
    if not (f["conn_trace_id"] or "").startswith("TID_"):
        return "conn_trace_id %r" % f["conn_trace_id"]
    if f["request_proto"] not in ("HTTP/1.1", "HTTP/2.0", "HTTP/1.0", "- "):
        return "request_proto %r" % f["request_proto"]
    return None


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    minimum = 1
    if "--min-lines" in argv:
        minimum = int(argv[argv.index("--min-lines") + 1])
    with open(argv[1], encoding="utf-8") as handle:
        lines = [l.rstrip("\n") for l in handle if l.strip()]
    bad = 0
    for number, line in enumerate(lines, 1):
        problem = check(line)
        if problem:
            bad += 1
            print("line %d: %s\n  %s" % (number, problem, line), file=sys.stderr)
    print("%d lines, %d rejected" % (len(lines), bad))
    if len(lines) < minimum:
        print("expected at least %d lines" % minimum, file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
