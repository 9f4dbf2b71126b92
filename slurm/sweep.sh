#!/usr/bin/env bash
# Benchmark sweep: every configuration in slurm/ on stacks of 50, 100, 250, 500 and 1000 YX
# planes, submitted to SLURM and summarized in one CSV (the benchmarks' chart input).
#
# usage: slurm/sweep.sh [options] [-- sbatch options, e.g. -p PARTITION -A ACCOUNT]
#   --format F       stacks to generate: ome-tiff (default), ome-tiff-deflate, zarr, hdf5
#   --planes "N..."  plane counts to generate (default "50 100 250 500 1000")
#   --size YxX       plane size (default 640x640)
#   --files "F..."   read these files instead of generating stacks
#   --configs "C..." default "no-cluster small-local-cluster many-small-worker"
#   --out DIR        results folder (default results/sweep); it receives data/ (generated
#                    stacks, reused when present), logs/ (job outputs),
#                    strata-results.jsonl (one line per read) and sweep.csv
# STRATA_BIN and STRATA_REPEATS reach the jobs (see docs/slurm.md). The jobs run one at a
# time (a shared job name with --dependency=singleton), so no two timings share the CPUs.
# Exits non-zero when a job failed or two reads of one file disagree on their XXH3; the CSV
# is written from the reads that succeeded either way.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "sweep.sh: error: $*" >&2; exit 2; }

format=ome-tiff
planes="50 100 250 500 1000"
size=640x640
files=""
configs="no-cluster small-local-cluster many-small-worker"
out=results/sweep
sbatch_options=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --format) format=$2; shift 2 ;;
    --planes) planes=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --) shift; sbatch_options=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
done
[[ $size =~ ^([0-9]+)x([0-9]+)$ ]] || die "--size must be YxX, like 640x640"
height=${BASH_REMATCH[1]}
width=${BASH_REMATCH[2]}
for config in $configs; do
    [[ -f $here/$config.sbatch ]] || die "no configuration $here/$config.sbatch"
done

# A python3 that can write the chosen format (the system one on Debian, where the packages
# python3-tifffile, python3-zarr and python3-h5py live).
find_python() {
    local module=$1 candidate
    for candidate in python3 /usr/bin/python3; do
        if "$candidate" -c "import $module" 2>/dev/null; then echo "$candidate"; return; fi
    done
    die "no python3 can import $module"
}

# Appends the stacks' paths to `inputs`, writing those not there yet.
generate_stacks() {
    local module extension count path python
    case $format in
    ome-tiff|ome-tiff-deflate) module=tifffile extension=ome.tif ;;
    zarr) module=zarr extension=ome.zarr ;;
    hdf5) module=h5py extension=h5 ;;
    *) die "unknown --format '$format'" ;;
    esac
    python=$(find_python "$module")
    mkdir -p "$out/data"
    for count in $planes; do
        path=$out/data/stack-$count-${height}x$width-$format.$extension
        if [[ ! -e $path ]]; then
            echo "sweep.sh: writing $path" >&2
            # Written under a temporary name, so an interrupted run never leaves a stack
            # that looks complete.
            "$python" "$here/make_sweep_stack.py" "$path.partial" --format "$format" \
                --shape "$count,$height,$width" --axes ZYX
            mv "$path.partial" "$path"
        fi
        inputs+=("$(realpath "$path")")
    done
}

inputs=()
if [[ -n $files ]]; then
    for file in $files; do
        [[ -e $file ]] || die "no such file: $file"
        inputs+=("$(realpath "$file")")
    done
else
    generate_stacks
fi

mkdir -p "$out/logs"
results=$(realpath "$out")/strata-results.jsonl
: >"$results"
export STRATA_RESULTS=$results

pids=()
jobs=()
for input in "${inputs[@]}"; do
    for config in $configs; do
        log=$out/logs/$config-$(basename "$input")
        sbatch --wait --job-name=strata-sweep --dependency=singleton \
            --output="$log-%j.out" "${sbatch_options[@]}" "$here/$config.sbatch" "$input" \
            >"$log.submit" 2>&1 &
        pids+=($!)
        jobs+=("$config on $(basename "$input")")
    done
done
echo "sweep.sh: ${#pids[@]} jobs submitted; waiting" >&2

failed=0
for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
        echo "sweep.sh: failed: ${jobs[$i]} (see $out/logs)" >&2
        failed=1
    fi
done

python=$(find_python json)
"$python" "$here/sweep_summary.py" "$results" "$out/sweep.csv" || failed=1
echo "sweep.sh: $out/sweep.csv" >&2
exit "$failed"
