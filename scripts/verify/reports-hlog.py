#!/usr/bin/env python3
# Checks a Gauntlet .hlog file with HdrHistogram's own Python implementation (an independent decoder):
# the log parses, every interval decodes, and per tag the merged counts and percentiles match the
# figures Gauntlet computed (equal count; percentile values in the same HdrHistogram bucket).
#
# Needs: pip install hdrhistogram
# Usage: reports-hlog.py [FILE.hlog EXPECTED.csv]   (default: the golden files of the Reports tests)
#        EXPECTED.csv columns: tag,count,p50,p90,p99,p99.9,max  (as Gauntlet wrote them)
#        reports-hlog.py RUN_DIR   checks RUN_DIR/latency.hlog against RUN_DIR/summary.json: per request
#        type, the measured (non-warm-up) phases' intervals merged give the summary's figures.
import csv
import os
import sys

from hdrh.histogram import HdrHistogram
from hdrh.log import HistogramLogReader

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
golden = os.path.join(root, "Tests", "GauntletReportsTests", "Golden")
import json
import tempfile

hlog = sys.argv[1] if len(sys.argv) > 1 else os.path.join(golden, "intervals.hlog")
expected_csv = sys.argv[2] if len(sys.argv) > 2 else os.path.join(golden, "intervals.expected.csv")
merge_phases = {}
if len(sys.argv) == 2 and os.path.isdir(sys.argv[1]):
    # A results directory: expected figures come from summary.json (seconds → microseconds).
    run = sys.argv[1]
    hlog = os.path.join(run, "latency.hlog")
    summary = json.load(open(os.path.join(run, "summary.json")))
    measured = [p["name"] for p in summary["scenario"]["phases"] if not p["warmup"]]
    rows = ["tag,count,p50,p90,p99,p99.9,max"]
    for entry in summary["request_types"]:
        latency = entry["total"].get("latency")
        if not latency:
            continue
        tag = entry["type"]
        merge_phases[tag] = [f"{tag}/{phase}" for phase in measured]
        micros = [str(round(latency[k] * 1e6)) for k in ["p50", "p90", "p99", "p99_9", "max"]]
        rows.append(f"{tag},{latency['count']}," + ",".join(micros))
    expected_csv = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False).name
    open(expected_csv, "w").write("\n".join(rows) + "\n")

reference = HdrHistogram(1, 600_000_000, 3)
reader = HistogramLogReader(hlog, reference)
merged = {}
intervals = 0
while True:
    histogram = reader.get_next_interval_histogram()
    if histogram is None:
        break
    intervals += 1
    tag = histogram.get_tag()
    # In summary mode, a type's measured phases merge into one histogram named after the type.
    for name, phases in merge_phases.items():
        if tag in phases:
            tag = name
    if tag not in merged:
        merged[tag] = HdrHistogram(1, 600_000_000, 3)
    merged[tag].add(histogram)
reader.close()

def value_at_percentile(histogram, percentile):
    """HdrHistogram's current definition (Java 2.1.10+, hdrhistogram-swift): the count at a percentile
    is rounded up. The Python package still rounds half up, which differs when count × p is not whole
    and the two neighbouring values fall in different buckets, so both are computed."""
    import math
    target = max(1, math.ceil(math.nextafter(percentile, 0) * histogram.get_total_count() / 100))
    total = 0
    for index in range(histogram.counts_len):
        total += histogram.get_count_at_index(index)
        if total >= target:
            return histogram.get_highest_equivalent_value(histogram.get_value_from_index(index))
    return 0


failures = 0
if intervals == 0:
    print(f"FAIL {hlog}: no interval decoded")
    sys.exit(1)
with open(expected_csv) as handle:
    rows = list(csv.DictReader(handle))
for row in rows:
    tag = row["tag"]
    histogram = merged.get(tag)
    if histogram is None:
        print(f"FAIL tag {tag}: not in the log (tags: {sorted(merged)})")
        failures += 1
        continue
    count = histogram.get_total_count()
    if count != int(row["count"]):
        print(f"FAIL tag {tag}: count {count}, Gauntlet says {row['count']}")
        failures += 1
    for column, percentile in [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]:
        theirs = value_at_percentile(histogram, percentile)
        rounded_half_up = histogram.get_value_at_percentile(percentile)
        ours = int(row[column])
        note = "" if histogram.values_are_equivalent(rounded_half_up, theirs) else f" (hdrh's own half-up rounding: {rounded_half_up})"
        if not histogram.values_are_equivalent(theirs, ours):
            print(f"FAIL tag {tag} {column}: decoded {theirs}, Gauntlet {ours}{note}")
            failures += 1
        else:
            print(f"ok   tag {tag} {column}: decoded {theirs}, Gauntlet {ours}{note}")
    if not histogram.values_are_equivalent(histogram.get_max_value(), int(row["max"])):
        print(f"FAIL tag {tag} max: hdrh {histogram.get_max_value()}, Gauntlet {row['max']}")
        failures += 1
print(f"{intervals} intervals, {len(merged)} tags, {failures} failures")
sys.exit(1 if failures else 0)
