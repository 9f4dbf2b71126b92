#!/usr/bin/env bash
# Tear down the one-node SLURM cluster that up.sh started: cancel its jobs, stop slurmctld,
# slurmd, any job step left behind and munged, remove the /etc/slurm/slurm.conf link up.sh
# made, and check that none of them is still running. Only processes of this cluster are
# touched: the daemons by the pids in its pid files, job steps by the SLURM_CONF they carry.
# The state directory is $STRATA_SLURM_DIR, or the one /etc/slurm/slurm.conf points into;
# it is deleted when up.sh created it, kept (with its logs) when it was given.
set -euo pipefail

die() { echo "down.sh: error: $*" >&2; exit 1; }

dir=${STRATA_SLURM_DIR:-}
if [[ -z $dir ]]; then
    link=$(readlink /etc/slurm/slurm.conf 2>/dev/null || true)
    [[ $link == */slurm.conf && -f ${link%/slurm.conf}/env.sh ]] \
        || die "STRATA_SLURM_DIR is not set and /etc/slurm/slurm.conf is not a link up.sh made"
    dir=${link%/slurm.conf}
fi
if [[ ! -f $dir/slurm.conf ]]; then
    echo "down.sh: no cluster configuration in $dir: nothing to stop"
    exit 0
fi
dir=$(realpath "$dir")
export SLURM_CONF=$dir/slurm.conf

# Whether process $1 runs (a zombie, ended but not yet reaped, does not). Builtins only:
# this is polled for many pids.
running() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }          # the state follows the parenthesized command name
    [[ ${stat%% *} != Z ]]
}

# The command name of process $1 (empty when it is gone).
command_name() {
    local name=""
    read -r name 2>/dev/null <"/proc/$1/comm" || true
    echo "$name"
}

# The pid recorded for daemon $1, if that process still runs and is still that daemon.
live_pid() {
    local file=$dir/run/$1.pid pid
    [[ -s $file ]] || return 0
    read -r pid <"$file"
    if running "$pid" && [[ $(command_name "$pid") == "$1" ]]; then echo "$pid"; fi
}

# This script and the processes that started it (which may carry SLURM_CONF too).
ancestors=" "
pid=$$
while [[ $pid -gt 1 ]]; do
    ancestors+="$pid "
    pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
done

# Pids of job steps and job processes started by this cluster: they carry its SLURM_CONF
# (slurmstepd inherits it from slurmd, which also sets it in every job's environment).
job_pids() {
    local environ pid
    local -a carriers
    mapfile -t carriers < <(grep -lzxF "SLURM_CONF=$SLURM_CONF" /proc/[0-9]*/environ 2>/dev/null)
    [[ ${#carriers[@]} -gt 0 ]] || return 0
    for environ in "${carriers[@]}"; do
        pid=${environ#/proc/}
        pid=${pid%/environ}
        [[ $ancestors == *" $pid "* ]] && continue
        if [[ $(command_name "$pid") == slurmstepd ]] \
            || grep -qz '^SLURM_JOB_ID=' "$environ" 2>/dev/null; then
            echo "$pid"
        fi
    done
}

# Wait up to $1 seconds for the given pids to end; fail if some are still alive.
await_exit() {
    local seconds=$1 pid alive
    shift
    for _ in $(seq 1 $((seconds * 10))); do
        alive=0
        for pid in "$@"; do running "$pid" && alive=1; done
        [[ $alive -eq 0 ]] && return 0
        sleep 0.1
    done
    return 1
}

# TERM the given pids, and KILL those still alive after $1 seconds.
stop_pids() {
    local seconds=$1
    shift
    [[ $# -gt 0 ]] || return 0
    kill -TERM "$@" 2>/dev/null || true
    await_exit "$seconds" "$@" || kill -KILL "$@" 2>/dev/null || true
}

ctld=$(live_pid slurmctld)
slurmd_pid=$(live_pid slurmd)
if [[ -n $ctld ]]; then
    jobs=$(squeue -h -o %A 2>/dev/null || true)
    if [[ -n $jobs ]]; then
        # shellcheck disable=SC2086  # one argument per job id
        scancel $jobs || true
        for _ in $(seq 1 150); do
            [[ -z $(squeue -h -o %A 2>/dev/null) ]] && break
            sleep 0.2
        done
    fi
    scontrol shutdown >/dev/null 2>&1 || true   # stops slurmctld and slurmd
    # shellcheck disable=SC2086  # empty when slurmd is not running
    await_exit 15 $ctld $slurmd_pid || true
fi
# Whatever did not stop by itself (or ran without its controller).
# shellcheck disable=SC2046  # one pid per running daemon
stop_pids 10 $(live_pid slurmctld) $(live_pid slurmd)
mapfile -t steps < <(job_pids)
stop_pids 5 "${steps[@]}"
munged_pid=$(live_pid munged)
# shellcheck disable=SC2086
stop_pids 10 $munged_pid

if [[ $(readlink /etc/slurm/slurm.conf 2>/dev/null || true) == "$dir/slurm.conf" ]]; then
    rm -f /etc/slurm/slurm.conf
fi

left=()
for daemon in slurmctld slurmd munged; do
    pid=$(live_pid "$daemon")
    [[ -n $pid ]] && left+=("$daemon:$pid")
done
for pid in $(job_pids); do left+=("$(command_name "$pid"):$pid"); done
[[ ${#left[@]} -eq 0 ]] || die "still running: ${left[*]} (state kept in $dir)"

if [[ -f $dir/.created-by-up ]]; then
    rm -rf "$dir"
    echo "down.sh: SLURM stopped; $dir removed"
else
    echo "down.sh: SLURM stopped; state and logs kept in $dir"
fi
