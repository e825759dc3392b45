#!/usr/bin/env bash
# A sharded run on a real engine: Slurm, as a one-node cluster on localhost (see PLATFORM-NOTES.md).
#
# Starts munged, slurmctld and slurmd from a generated config (ports, state, spool, pid and log files in a
# temporary directory), one `gauntlet stack`, then:
#   1. a single-machine run of the scenario (the reference: its intended count is the whole schedule's);
#   2. a 4-task array job, each task `gauntlet run` with its shard from SLURM_ARRAY_TASK_ID/COUNT;
#   3. a merge job chained with --dependency=afterok.
# Checks that the merged count equals the single machine's intended count exactly (and the merged intended
# count equals it too), that the thresholds hold on the merge, that each shard carried about a quarter and
# that no user (so no session) appears in two shards' request logs. Tears everything down.
#
# Prints a line starting with SKIP and exits 0 where the machine cannot run Slurm (not root, no packages).
# Usage: GAUNTLET=path/to/gauntlet scripts/verify/slurm-shards.sh
set -euo pipefail
source "$(dirname "$0")/../lib/setup.sh"
GAUNTLET=${GAUNTLET:?set GAUNTLET to the gauntlet binary}
SHARDS=4

skip() { echo "SKIP slurm-shards: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root (munged, slurmctld and slurmd run as root or munge here)"
command -v apt-get >/dev/null || skip "not a Debian machine: no apt-get to install slurm-wlm and munge"
apt_install slurm-wlm munge jq python3 || skip "slurm-wlm and munge could not be installed"
for tool in munged slurmctld slurmd sbatch squeue sinfo runuser; do
    command -v "$tool" >/dev/null || skip "$tool is missing after installing slurm-wlm and munge"
done

WORK=$(mktemp -d /tmp/gauntlet-slurm.XXXXXX)
chmod 0755 "$WORK"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stop_pidfile() {
    local file="$1"
    [ -s "$file" ] || return 0
    local pid; pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}
STACK_PID=""
teardown() {
    set +e
    [ -n "$SLURM_CONF_READY" ] && SLURM_CONF="$WORK/slurm.conf" scancel --quiet --user root 2>/dev/null
    [ -n "$STACK_PID" ] && { kill -TERM "$STACK_PID" 2>/dev/null; wait "$STACK_PID" 2>/dev/null; }
    stop_pidfile "$WORK/slurmd.pid"
    stop_pidfile "$WORK/slurmctld.pid"
    stop_pidfile "$WORK/munge/munged.pid"
    rm -rf "$WORK"
}
SLURM_CONF_READY=""
trap teardown EXIT

# munge: its own socket, key copy and pid file, so that nothing of the machine's own is touched.
mkdir -p "$WORK/munge"
[ -s /etc/munge/munge.key ] || skip "/etc/munge/munge.key is missing (the munge package creates it)"
install -o munge -g munge -m 0400 /etc/munge/munge.key "$WORK/munge/munge.key"
chown munge:munge "$WORK/munge"
chmod 0700 "$WORK/munge"
SOCKET="$WORK/munge/munge.socket"
runuser -u munge -- munged --socket="$SOCKET" --key-file="$WORK/munge/munge.key" --pid-file="$WORK/munge/munged.pid" \
    --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/munged.seed" --force \
    || skip "munged would not start: $(tail -3 "$WORK/munge/munged.log" 2>/dev/null)"
chmod 0755 "$WORK/munge"
for _ in $(seq 1 50); do [ -S "$SOCKET" ] && break; sleep 0.1; done
munge -n -S "$SOCKET" | unmunge -S "$SOCKET" >/dev/null || skip "munge cannot encode and decode a credential"

# Slurm: one node (this host), a partition that lets the 4 array tasks share 2 cores.
HOST=$(hostname -s)
CTLD_PORT=$(free_port); SLURMD_PORT=$(free_port)
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/results"
cat > "$WORK/slurm.conf" <<CONF
ClusterName=gauntlet
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=gauntlet Nodes=$HOST Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:$SHARDS
CONF
export SLURM_CONF="$WORK/slurm.conf"
SLURM_CONF_READY=1
slurmctld -f "$SLURM_CONF" || skip "slurmctld would not start: $(tail -3 "$WORK/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" || skip "slurmd would not start: $(tail -3 "$WORK/slurmd.log" 2>/dev/null)"
for _ in $(seq 1 100); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 0.2; done
sinfo -h -o %t | grep -q idle || skip "the Slurm node never became idle: $(sinfo 2>&1 | tail -2)"
echo "slurm: one node $HOST idle (slurmctld :$CTLD_PORT, slurmd :$SLURMD_PORT)"

# The target: one reference stack, as a user starts it.
"$GAUNTLET" stack --state-dir "$WORK/stack" --endpoints "$WORK/endpoints.json" > "$WORK/stack.log" 2>&1 &
STACK_PID=$!
for _ in $(seq 1 600); do [ -s "$WORK/endpoints.json" ] && break; kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.1; done
[ -s "$WORK/endpoints.json" ] || { echo "FAIL: the stack wrote no endpoints file"; tail -20 "$WORK/stack.log"; exit 1; }

cat > "$WORK/scenario.yaml" <<'YAML'
version: 1
name: slurm-shards
seed: 1234
target: embedded
users: { managers: 4, analysts: 8, login: browser }
duration: 6s
http: { connections: 4, timeout: 5s, request_log: true }
requests:
  upload:
    schedule: { kind: constant, rate: 8 }
    batches: [ { events: 20, event_bytes: 128 } ]
  ui:
    schedule: { kind: ramp, from: 2, to: 10 }
    pages: [ { path: / }, { path: /manager/, as: managers }, { path: /analytics/, as: analysts } ]
  api:
    schedule: { kind: poisson, rate: 12 }
    calls: [ { method: GET, path: "/analytics/api/counts?interval=1m" }, { method: GET, path: /manager/api/users, as: managers } ]
thresholds:
  - routing.misroutes == 0
  - errors.rate < 1%
YAML

# 1. The single machine: the whole schedule from one process.
"$GAUNTLET" run "$WORK/scenario.yaml" --endpoints "$WORK/endpoints.json" --out "$WORK/results/single" --quiet > "$WORK/single.log" 2>&1 \
    || { echo "FAIL: the single-machine run exited $?"; tail -30 "$WORK/single.log"; exit 1; }

# 2. The array job: each task's shard comes from Slurm's environment; one barrier starts them together.
START_AT=$(( $(date +%s) + 5 ))
cat > "$WORK/shard.sbatch" <<JOB
#!/bin/bash
exec "$GAUNTLET" run "$WORK/scenario.yaml" --endpoints "$WORK/endpoints.json" --start-at $START_AT \
    --out "$WORK/results/shard-\$SLURM_ARRAY_TASK_ID" --quiet
JOB
ARRAY=$(sbatch --parsable --array=0-$((SHARDS - 1)) --job-name=gauntlet-shard --output="$WORK/shard-%a.out" --chdir="$WORK" "$WORK/shard.sbatch")
# 3. The merge, only once every task succeeded.
MERGE=$(sbatch --parsable --dependency=afterok:"$ARRAY" --job-name=gauntlet-merge --output="$WORK/merge.out" --chdir="$WORK" \
    --wrap="\"$GAUNTLET\" merge \"$WORK\"/results/shard-* --out \"$WORK/results/merged\"; echo \$? > \"$WORK/merge.rc\"")
echo "slurm: array job $ARRAY ($SHARDS tasks, start barrier $(date -u -d @"$START_AT" +%H:%M:%SZ)), merge job $MERGE after it"
for _ in $(seq 1 600); do
    [ -z "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ] && break
    # A task that failed leaves the merge waiting forever: stop waiting and show the tasks' output.
    squeue -h -j "$MERGE" -o %r 2>/dev/null | grep -q DependencyNeverSatisfied && break
    sleep 0.2
done
if squeue -h -j "$MERGE" -o %r 2>/dev/null | grep -q DependencyNeverSatisfied; then
    echo "FAIL: a shard task failed, so the merge never ran"; tail -n 20 "$WORK"/shard-*.out; exit 1
fi
[ -z "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ] || { echo "FAIL: the jobs did not finish within 120 s"; squeue; exit 1; }
for k in $(seq 0 $((SHARDS - 1))); do
    [ -s "$WORK/results/shard-$k/summary.json" ] || { echo "FAIL: shard $k wrote no summary"; cat "$WORK/shard-$k.out"; exit 1; }
done
[ -s "$WORK/merge.rc" ] || { echo "FAIL: the merge job did not run (a shard failed?)"; tail -20 "$WORK"/shard-*.out "$WORK/slurmctld.log"; exit 1; }
cat "$WORK/merge.out"

python3 - "$WORK" "$SHARDS" <<'PY'
import glob, json, os, sys
work, shards = sys.argv[1], int(sys.argv[2])
load = lambda d: json.load(open(os.path.join(work, "results", d, "summary.json")))
single, merged = load("single"), load("merged")
parts = [load(f"shard-{k}") for k in range(shards)]
failures = []
def check(ok, message):
    print(("ok    " if ok else "FAIL  ") + message)
    if not ok: failures.append(message)

rc = int(open(os.path.join(work, "merge.rc")).read())
intended = single["all"]["intended_count"]
check(rc == 0, f"the merge job exited {rc} (0: thresholds held on the merged result)")
check(merged["all"]["count"] == intended, f"merged count {merged['all']['count']} == single machine's intended count {intended:.0f}")
check(merged["all"]["intended_count"] == intended, f"merged intended count {merged['all']['intended_count']:.0f} == single machine's {intended:.0f}")
for t_single, t_merged in zip(single["request_types"], merged["request_types"]):
    check(t_single["total"]["intended_count"] == t_merged["total"]["intended_count"],
          f"{t_single['type']}: intended {t_merged['total']['intended_count']:.0f} on the merge, {t_single['total']['intended_count']:.0f} on one machine")
check(all(t["passed"] for t in merged["thresholds"]), "thresholds hold on the merge: " + "; ".join(t["message"] for t in merged["thresholds"]))
check([s["shard"]["index"] for s in parts] == list(range(shards)) and all(s["shard"]["count"] == shards for s in parts),
      "each task took its shard from SLURM_ARRAY_TASK_ID/COUNT")
for k, s in enumerate(parts):
    share = s["all"]["count"] / merged["all"]["count"]
    check(abs(share - 1 / shards) <= 0.05, f"shard {k} carried {share:.1%} of the requests (about a quarter)")
skew = merged["merge"]["start_skew"]
check(skew < 0.5, f"the shards started within {skew * 1000:.0f} ms of each other (barrier)")
users = []
for k in range(shards):
    names = set()
    for line in open(os.path.join(work, "results", f"shard-{k}", "requests.jsonl")):
        record = json.loads(line)
        if record.get("user"): names.add(record["user"])
    users.append(names)
overlap = [(a, b, users[a] & users[b]) for a in range(shards) for b in range(a + 1, shards) if users[a] & users[b]]
check(all(users) and not overlap, f"no user (session) in two shards: {[len(u) for u in users]} users per shard" + (f"; shared: {overlap}" if overlap else ""))
# The stack's access log saw every load-balancer request the shards sent (and the single run's): ui and
# api go through the ALB (uploads go to the upload gateway, which has no access log), logins add lines.
log = json.load(open(os.path.join(work, "endpoints.json")))["access_log"]
lines = sum(1 for _ in open(log))
through_lb = lambda s: sum(t["total"]["count"] for t in s["request_types"] if t["type"] in ("ui", "api"))
sent = through_lb(single) + through_lb(merged)
check(lines >= sent, f"the load balancer's access log holds {lines} lines for the {sent} ui and api requests sent (plus logins)")
sys.exit(1 if failures else 0)
PY
