#!/usr/bin/env bash
# The `slurm` ctest: bring up a real one-node SLURM (slurm/local-cluster/up.sh), submit the
# three configurations with `sbatch --wait` on a generated OME-TIFF (and the 4-rank one once
# more through mpirun), check that every result carries the XXH3 of the array that was
# written, that a failing read fails its job, and tear the cluster down whatever happened.
#   run_slurm_test.sh STRATA_BINARY [SOURCE_DIR]
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 STRATA_BINARY [SOURCE_DIR]" >&2; exit 2; }
strata=$(realpath "$1")
source_dir=$(realpath "${2:-$(dirname "$0")/../..}")
if [[ $(id -u) -ne 0 ]]; then
    echo "skipped: the local SLURM cluster needs root"
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-slurm-test.XXXXXX")
export STRATA_SLURM_DIR=$work/slurm

cleanup() {
    local status=$?
    if [[ $status -ne 0 ]]; then
        echo "--- failed (status $status); job outputs and daemon logs:" >&2
        tail -n 30 "$work"/*.out "$STRATA_SLURM_DIR"/log/*.log >&2 2>/dev/null || true
    fi
    "$source_dir/slurm/local-cluster/down.sh" || status=1
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

step() { echo "--- [${SECONDS}s] $*"; }

python=""
for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import tifffile, xxhash' 2>/dev/null; then python=$candidate; break; fi
done
[[ -n $python ]] || { echo "no python3 with tifffile and xxhash" >&2; exit 1; }

"$source_dir/slurm/local-cluster/up.sh"
# shellcheck source=/dev/null  # written by up.sh: SLURM_CONF of this cluster
source "$STRATA_SLURM_DIR/env.sh"

# 8 planes of 61 x 67 (odd sizes) over two channels.
sample=$work/sample.ome.tif
expected=$("$python" "$source_dir/slurm/make_sweep_stack.py" "$sample" --shape 2,4,61,67 \
           --axes CZYX --print-xxh3)

export STRATA_BIN=$strata STRATA_RESULTS=$work/results.jsonl STRATA_REPEATS=2
# OpenMPI's mpirun as root, on one machine without ssh.
# shellcheck source=SCRIPTDIR/../../.ci/mpi-env
source "$source_dir/.ci/mpi-env"
cd "$work"

for config in no-cluster small-local-cluster many-small-worker; do
    step "$config"
    sbatch --wait "$source_dir/slurm/$config.sbatch" "$sample"
done
step "small-local-cluster through mpirun"
STRATA_LAUNCHER=mpirun sbatch --wait "$source_dir/slurm/small-local-cluster.sbatch" "$sample"

step "a missing input fails its job and records nothing"
if sbatch --wait "$source_dir/slurm/no-cluster.sbatch" "$work/missing.ome.tif"; then
    echo "the job on a missing file succeeded" >&2
    exit 1
fi

step "results"
"$python" - "$STRATA_RESULTS" "$expected" <<'PY'
import json
import sys

path, expected = sys.argv[1], sys.argv[2]
runs = {  # (config, launcher): (ranks, cpus per task)
    ("no-cluster", "srun"): (1, 1),
    ("small-local-cluster", "srun"): (4, 2),
    ("many-small-worker", "srun"): (128, 1),
    ("small-local-cluster", "mpirun"): (4, 2),
}
seen = {}
with open(path) as lines:
    for line in lines:
        result = json.loads(line)
        key = (result["config"], result["launcher"])
        assert key in runs, f"unexpected result {result}"
        ranks, cpus = runs[key]
        assert result["ranks"] == ranks and result["cpus_per_task"] == cpus, result
        assert result["xxh3"] == expected, f"{key}: xxh3 {result['xxh3']} != {expected}"
        assert (result["dims"], result["shape"], result["dtype"], result["bytes"]) == \
            ("TCZYX", [1, 2, 4, 61, 67], "uint16", 2 * 4 * 61 * 67 * 2), result
        assert result["nodes"] == 1 and result["input"].endswith("sample.ome.tif"), result
        seen.setdefault(key, []).append(result["repeat"])
for key in runs:
    assert sorted(seen.get(key, [])) == [1, 2], f"{key}: repetitions {seen.get(key)}"
print(f"{sum(len(r) for r in seen.values())} results from 1, 4 and 128 ranks, all xxh3 {expected}")
PY
