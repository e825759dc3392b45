#!/usr/bin/env bash
# deploy/kubernetes/ against a current Kubernetes schema (kubernetes-validate from PyPI, strict: no
# unknown fields), then the sharding contract the schema cannot see: an Indexed Job whose completions,
# parallelism and --shards agree with the merge Job's count, both on the same results volume, and a
# ConfigMap scenario that `gauntlet validate` accepts.
# Usage: [GAUNTLET=path/to/gauntlet] scripts/verify/kubernetes-manifests.sh
set -euo pipefail
source "$(dirname "$0")/../lib/setup.sh"
pip_install kubernetes_validate=kubernetes-validate yaml=PyYAML
cd "$gauntlet_root/deploy/kubernetes"
resources=(namespace.yaml scenario-configmap.yaml secret.yaml results-pvc.yaml shards-job.yaml merge-job.yaml)
# The package's default version is the newest it ships: Indexed Jobs are GA there (beta only from 1.22).
kubernetes-validate --strict --quiet "${resources[@]}"
echo "ok    ${#resources[@]} manifests validate (strict) against Kubernetes $(python3 -c 'import kubernetes_validate.utils as u; print(u.latest_version())' 2>/dev/null || echo "the package's default version")"

work=$(mktemp -d /tmp/gauntlet-k8s.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$work" "${resources[@]}" <<'PY'
import sys, yaml
work, files = sys.argv[1], sys.argv[2:]
docs = {}
for name in files:
    for doc in yaml.safe_load_all(open(name)):
        docs[(doc["kind"], doc["metadata"]["name"])] = doc
failures = []
def check(ok, message):
    print(("ok    " if ok else "FAIL  ") + message)
    if not ok: failures.append(message)

shards, merge = docs[("Job", "gauntlet-shards")], docs[("Job", "gauntlet-merge")]
spec = shards["spec"]
check(spec.get("completionMode") == "Indexed", "the shards Job is an Indexed Job")
args = spec["template"]["spec"]["containers"][0]["args"]
n = int(args[args.index("--shards") + 1])
check(spec["completions"] == spec["parallelism"] == n, f"completions {spec['completions']} == parallelism {spec['parallelism']} == --shards {n}: every shard runs at once")
env = {e["name"]: e for e in spec["template"]["spec"]["containers"][0]["env"]}
check("batch.kubernetes.io/job-completion-index" in str(env.get("JOB_COMPLETION_INDEX")), "JOB_COMPLETION_INDEX comes from the pod's completion index")
check("--start-at" in args and "--shard" not in args, "shards take their index from the engine and start at one barrier")
merge_pod = merge["spec"]["template"]["spec"]
waits = {e["name"]: e.get("value") for e in merge_pod["initContainers"][0]["env"]}
check(int(waits["SHARDS"]) == n, f"the merge Job waits for {waits['SHARDS']} shards, the shards Job runs {n}")
claim = lambda pod: {v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v}
check(claim(spec["template"]["spec"]) == claim(merge_pod) == {docs[("PersistentVolumeClaim", "gauntlet-results")]["metadata"]["name"]},
      "shards and merge share the results volume")
check("merge" in " ".join(merge_pod["containers"][0]["args"]), "the merge Job runs gauntlet merge")
config = docs[("ConfigMap", "gauntlet-scenario")]["data"]
open(f"{work}/scenario.yaml", "w").write(config["scenario.yaml"])
secret = docs[("Secret", "gauntlet-credentials")]["stringData"]
check("users.csv" in secret and all(k in env for k in ("GAUNTLET_CLIENT_SECRET", "GAUNTLET_API_KEY")), "credentials come from the Secret")
sys.exit(1 if failures else 0)
PY
if [ -n "${GAUNTLET:-}" ]; then
    "$GAUNTLET" validate "$work/scenario.yaml"
    echo "ok    the ConfigMap's scenario validates"
fi
