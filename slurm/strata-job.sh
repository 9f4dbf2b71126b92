#!/usr/bin/env bash
# The steps the three configurations share, run inside their SLURM allocation:
#   strata-job.sh CONFIG INPUT [strata read options]
# runs `strata read INPUT --json --checksum --threads <CPUs per task>` on every task of the
# job, STRATA_REPEATS times (default 3), and appends one JSON line per repetition to
# STRATA_RESULTS (default results/strata-results.jsonl, relative to the submit directory):
# the read's own JSON plus config, input, job_id, nodes, nodelist, cpus_per_task, repeat and
# launcher. The executable is STRATA_BIN when set, else `strata` on PATH. Ranks start with
# `srun --mpi=pmix -K`, or with mpirun inside the allocation when Slurm has no pmix plugin
# (STRATA_LAUNCHER=srun|mpirun forces one).
set -euo pipefail

die() { echo "strata-job: error: $*" >&2; exit 2; }

[[ $# -ge 1 ]] || die "usage: strata-job.sh CONFIG INPUT [strata read options]"
config=$1
shift
[[ -n ${SLURM_JOB_ID:-} ]] \
    || die "not inside a SLURM job: submit with sbatch slurm/$config.sbatch INPUT"
[[ $# -ge 1 ]] || die "usage: sbatch slurm/$config.sbatch INPUT [strata read options]"
input=$1
shift

strata=${STRATA_BIN:-$(command -v strata || true)}
[[ -n $strata && -x $strata ]] || die "no strata executable: set STRATA_BIN or put strata on PATH"
repeats=${STRATA_REPEATS:-3}
[[ $repeats =~ ^[1-9][0-9]*$ ]] || die "STRATA_REPEATS must be a positive integer, not '$repeats'"
results=${STRATA_RESULTS:-results/strata-results.jsonl}
mkdir -p "$(dirname "$results")"

ntasks=${SLURM_NTASKS:-1}
cpus_per_task=${SLURM_CPUS_PER_TASK:-1}

# Bind each rank to its own CPUs only when this node really has the CPUs Slurm allocated
# here: a test cluster may declare more CPUs than the machine has, and binding to CPU ids
# that do not exist fails.
if [[ ${SLURM_CPUS_ON_NODE:-1} -le $(nproc) ]]; then
    bind=yes
else
    bind=no
    # More ranks than cores: OpenMPI's ranks must yield the core while they wait in a
    # collective, or each spins through the time slices of the ranks it waits for (a
    # 128-rank read on 2 cores went from 16 s to 0.2-0.4 s).
    export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
fi
# srun's binding needs a task plugin that binds (task/affinity, task/cgroup); with
# task/none srun only warns that it cannot.
if scontrol show config | grep -Eq '^TaskPlugin *= *task/none'; then
    srun_binding=()
else
    srun_binding=(--cpu-bind="$([[ $bind == yes ]] && echo cores || echo none)")
fi

launcher=${STRATA_LAUNCHER:-}
if [[ -z $launcher ]]; then
    if srun --mpi=list 2>&1 | grep -qw pmix; then launcher=srun; else launcher=mpirun; fi
fi
[[ $launcher == srun || $launcher == mpirun ]] \
    || die "STRATA_LAUNCHER must be srun or mpirun, not '$launcher'"

launch() {
    case $launcher in
    srun)
        # srun does not inherit --cpus-per-task from sbatch in Slurm 22.05: pass -c.
        # -K: one failing rank ends the whole step.
        srun --mpi=pmix -K -n "$ntasks" -c "$cpus_per_task" "${srun_binding[@]}" "$@" ;;
    mpirun)
        if [[ $bind == yes ]]; then
            mpirun -n "$ntasks" --map-by "slot:PE=$cpus_per_task" --bind-to core "$@"
        else
            mpirun -n "$ntasks" --oversubscribe --bind-to none "$@"
        fi ;;
    esac
}

json_string() {
    local s=${1//\\/\\\\}
    printf '"%s"' "${s//\"/\\\"}"
}

job_fields=",\"config\":$(json_string "$config"),\"input\":$(json_string "$input")"
job_fields+=",\"job_id\":$SLURM_JOB_ID,\"nodes\":${SLURM_JOB_NUM_NODES:-1}"
job_fields+=",\"nodelist\":$(json_string "${SLURM_JOB_NODELIST:-$(hostname -s)}")"
job_fields+=",\"cpus_per_task\":$cpus_per_task,\"launcher\":$(json_string "$launcher")"

for repeat in $(seq 1 "$repeats"); do
    status=0
    output=$(launch "$strata" read "$input" --json --checksum --threads "$cpus_per_task" "$@") \
        || status=$?
    [[ $status -eq 0 ]] \
        || die "strata read failed with status $status ($config, repetition $repeat)"
    # Rank 0 prints one JSON object, perhaps indented over several lines: make it one
    # line (no JSON string spans lines) and add this job's fields before its closing brace.
    json=$(printf '%s\n' "$output" | sed 's/^[[:space:]]*//' | tr -d '\n')
    json=${json%"${json##*[![:space:]]}"}
    [[ $json == \{*\} ]] || die "strata read printed no JSON object: $output"
    line="${json%\}}$job_fields,\"repeat\":$repeat}"
    printf '%s\n' "$line" >>"$results"
    printf '%s\n' "$line"
done
