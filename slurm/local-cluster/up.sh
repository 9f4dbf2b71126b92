#!/usr/bin/env bash
# Bring up a real one-node SLURM cluster (Debian's slurm-wlm + munge) on this machine, as
# root, without systemd: 128 CPUs declared on the real cores, every piece of state (config,
# munge key and socket, spool, logs, pid files) under $STRATA_SLURM_DIR (default: a new
# temporary directory). Returns once `sinfo` shows the node idle. Undo with down.sh.
#
# So that a plain `sbatch` finds this cluster, /etc/slurm/slurm.conf is made a symbolic link
# to the generated configuration when no slurm.conf is there already; otherwise
# `source $STRATA_SLURM_DIR/env.sh` (it sets SLURM_CONF) before using the client commands.
set -euo pipefail

die() { echo "up.sh: error: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] \
    || die "must run as root (it installs packages and starts slurmctld, slurmd and munged)"

install_missing_packages() {
    local missing=()
    command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
        && command -v sbatch >/dev/null || missing+=(slurm-wlm)
    command -v munged >/dev/null || missing+=(munge)
    # Slurm's mpi/pmix plugin dlopens pmix2/lib/libpmix.so, a link only libpmix-dev ships.
    compgen -G '/usr/lib/*/pmix2/lib/libpmix.so' >/dev/null || missing+=(libpmix-dev)
    [[ ${#missing[@]} -eq 0 ]] && return
    echo "up.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# One local cluster per machine: the daemons listen on fixed ports. (Zombies, ended daemons
# not yet reaped, do not count.)
refuse_if_running() {
    local name pids
    for name in slurmctld slurmd; do
        if pids=$(pgrep -x -r R,S,D,T "$name"); then
            die "a $name is already running (pid ${pids//$'\n'/ }); run down.sh first"
        fi
    done
}

write_slurm_conf() {
    local dir=$1 host=$2
    cat >"$dir/slurm.conf" <<CONF
# One-node cluster written by strata's slurm/local-cluster/up.sh.
ClusterName=strata-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups without systemd: track processes through /proc, bind nothing (128 CPUs are
# declared on fewer real cores, so CPU ids above the real ones must never be bound).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
KillWait=5
# sbatch --wait polls every 2 s only while MinJobAge/2 <= 2 (else 2, 8, 32 s apart); jobs
# then stay queryable 5 s after they end, longer than one poll.
MinJobAge=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=128 Sockets=1 CoresPerSocket=128 ThreadsPerCore=1 \
    RealMemory=4000 State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start_munged() {
    local dir=$1
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 0400 "$dir/munge/munge.key"
    # -f: munged otherwise refuses to run as root.
    munged -f --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/run/munged.pid" --seed-file="$dir/munge/munged.seed" \
        --log-file="$dir/log/munged.log"
    munge -n -S "$dir/munge/munge.socket" | unmunge -S "$dir/munge/munge.socket" >/dev/null \
        || die "munged does not answer on $dir/munge/munge.socket (see $dir/log/munged.log)"
}

# The daemons were not running before (refuse_if_running), so any running one is ours.
wait_until_idle() {
    local dir=$1 state="" daemon deadline=$((SECONDS + 60))
    while [[ $SECONDS -lt $deadline ]]; do
        for daemon in slurmctld slurmd; do
            if ! pgrep -x -r R,S,D,T "$daemon" >/dev/null; then
                tail -n 20 "$dir/log/$daemon.log" >&2 || true
                die "$daemon stopped while starting; logs are in $dir/log"
            fi
        done
        state=$(timeout 5 sinfo -h -o %t 2>/dev/null | head -n1 || true)
        [[ $state == idle ]] && return
        sleep 0.5
    done
    tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
    die "node not idle after 60 s (state: '${state:-none}'); logs are in $dir/log"
}

# Replaces only a missing slurm.conf, a dangling link, or a link into an earlier local
# cluster's directory (one with an env.sh).
link_default_conf() {
    local dir=$1 target
    mkdir -p /etc/slurm
    target=$(readlink /etc/slurm/slurm.conf || true)
    if [[ ! -e /etc/slurm/slurm.conf || ( -n $target && -f $(dirname "$target")/env.sh ) ]]; then
        ln -sfn "$dir/slurm.conf" /etc/slurm/slurm.conf
    else
        echo "up.sh: /etc/slurm/slurm.conf is not ours: source $dir/env.sh before sbatch" >&2
    fi
}

install_missing_packages
refuse_if_running

if [[ -z ${STRATA_SLURM_DIR:-} ]]; then
    STRATA_SLURM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strata-slurm.XXXXXX")
    touch "$STRATA_SLURM_DIR/.created-by-up"   # down.sh removes only directories it owns
fi
dir=$(realpath "$STRATA_SLURM_DIR")
mkdir -p "$dir"/{munge,state,spool,run,log}
chmod 0700 "$dir" "$dir/munge"
host=$(hostname -s)

# A failure past this point stops whatever was started; the directory and its logs stay.
stop_on_failure() {
    local status=$?
    [[ $status -eq 0 ]] && return
    rm -f "$dir/.created-by-up"
    STRATA_SLURM_DIR=$dir "$(dirname "${BASH_SOURCE[0]}")/down.sh" >&2 || true
    exit "$status"
}
trap stop_on_failure EXIT
trap 'exit 130' INT TERM

write_slurm_conf "$dir" "$host"
printf 'export SLURM_CONF=%q STRATA_SLURM_DIR=%q\n' "$dir/slurm.conf" "$dir" >"$dir/env.sh"
export SLURM_CONF=$dir/slurm.conf

start_munged "$dir"
slurmctld -c -i          # -c: start from empty state; -i: ignore unreadable old state
slurmd                   # inherits SLURM_CONF; down.sh recognizes its job steps by it
wait_until_idle "$dir"
link_default_conf "$dir"

echo "up.sh: SLURM is up on $host with $(sinfo -h -o %c) CPUs; state in $dir"
echo "STRATA_SLURM_DIR=$dir"
