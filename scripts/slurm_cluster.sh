#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying and testing deploy/slurm (run as root).
#
#   bash scripts/slurm_cluster.sh start    # install slurm-wlm + munge if missing, write the config, start
#                                          # munged, slurmctld and slurmd, wait until the node is idle
#   bash scripts/slurm_cluster.sh status   # daemons, sinfo, squeue
#   bash scripts/slurm_cluster.sh stop     # cancel this cluster's jobs, stop the daemons it started
#
# No systemd needed: the daemons are started directly. `start` is idempotent (a running cluster is
# left alone). The controller and the node are both this machine (`hostname -s`, address 127.0.0.1),
# with all its CPUs in one partition `debug`. No cgroups (proctrack/linuxproc, task/none) and no
# accounting database, so it also works in a container without systemd or a writable cgroup tree.
#
# Files: the config is /etc/slurm/slurm.conf (where sinfo, sbatch, ... look by default); it is only
# (re)written while it is absent or carries this script's marker line. State, logs and pid files go
# to $PIPELINE_SLURM_DIR (default /tmp/pipeline-slurm).
set -euo pipefail

dir=${PIPELINE_SLURM_DIR:-/tmp/pipeline-slurm}
conf=/etc/slurm/slurm.conf
marker="# written by Pipeline scripts/slurm_cluster.sh"
munge_key=/etc/munge/munge.key
munge_sock_dir=/run/munge

say() { echo "slurm_cluster: $*"; }
die() { echo "slurm_cluster: $*" >&2; exit 1; }

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_packages() {
  local missing=()
  for p in slurm-wlm munge; do
    # installed, not merely removed with its config files left (dpkg -s succeeds for those too)
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" -eq 0 ] || die "needs root to install ${missing[*]}"
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

write_config() {
  if [ -e "$conf" ] && ! grep -qF "$marker" "$conf"; then
    die "$conf exists and was not written by this script; not touching it"
  fi
  local host node_hw mem
  host=$(hostname -s)
  # The node's real layout, so slurmd does not drain it for a mismatch; memory a little below the
  # measured total (a node reporting less memory than configured is drained).
  node_hw=$(slurmd -C | head -n 1 | sed -e 's/^NodeName=[^ ]* //' -e 's/ RealMemory=[0-9]*//')
  mem=$(slurmd -C | head -n 1 | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  mem=$(( mem * 9 / 10 ))
  mkdir -p "$(dirname "$conf")" "$dir/ctld" "$dir/d" "$dir/log"
  local tmp
  tmp=$(mktemp)
  cat > "$tmp" <<EOF
$marker (for \`hostname -s\` = $host); state in $dir
ClusterName=pipeline
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/d
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# no cgroups: this may run in a container without systemd or a delegated cgroup tree
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobRequeue=1
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 $node_hw RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  if [ -e "$conf" ] && cmp -s "$tmp" "$conf"; then rm -f "$tmp"; return 1; fi
  install -m 0644 "$tmp" "$conf"
  rm -f "$tmp"
  return 0
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
  if [ ! -s "$munge_key" ]; then
    say "creating $munge_key"
    mkdir -p "$(dirname "$munge_key")"
    if command -v mungekey >/dev/null; then mungekey --create --keyfile="$munge_key"
    else dd if=/dev/urandom bs=1 count=1024 of="$munge_key" 2>/dev/null; fi
  fi
  chown munge:munge "$(dirname "$munge_key")" "$munge_key"
  chmod 0700 "$(dirname "$munge_key")"
  chmod 0400 "$munge_key"
  mkdir -p "$munge_sock_dir" /var/lib/munge /var/log/munge
  chown munge:munge "$munge_sock_dir" /var/lib/munge /var/log/munge
  chmod 0755 "$munge_sock_dir"
  runuser -u munge -- /usr/sbin/munged
  echo started > "$dir/munged.ours"
  for _ in $(seq 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return
    sleep 0.1
  done
  die "munged did not come up (see /var/log/munge/munged.log)"
}

node_state() { sinfo -h -N -n "$(hostname -s)" -o '%t' 2>/dev/null | head -n 1; }

wait_idle() {
  local state=""
  for _ in $(seq 120); do
    state=$(node_state || true)
    case "$state" in
      idle|mix|alloc|comp) return 0 ;;
      drain*|drng|down*)
        # left over from an earlier run (e.g. a daemon killed mid-job): bring it back
        scontrol update NodeName="$(hostname -s)" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  die "node not idle after 60 s (state '${state}'); see $dir/log/"
}

start() {
  local t0=$SECONDS changed=0
  install_packages
  mkdir -p "$dir"
  if write_config; then changed=1; fi
  start_munge
  local up=1
  alive "$dir/slurmctld.pid" || up=0
  alive "$dir/slurmd.pid" || up=0
  if [ $up -eq 1 ] && [ $changed -eq 0 ] && scontrol ping >/dev/null 2>&1; then
    wait_idle
    say "already running: $(sinfo -h -N -o '%N %t %c CPUs')"
    return
  fi
  if [ $changed -eq 1 ] && { alive "$dir/slurmctld.pid" || alive "$dir/slurmd.pid"; }; then
    say "config changed; restarting the daemons"
    stop_daemons
  fi
  if ! alive "$dir/slurmctld.pid"; then /usr/sbin/slurmctld; fi
  for _ in $(seq 60); do scontrol ping >/dev/null 2>&1 && break; sleep 0.5; done
  scontrol ping >/dev/null 2>&1 || die "slurmctld did not answer; see $dir/log/slurmctld.log"
  if ! alive "$dir/slurmd.pid"; then /usr/sbin/slurmd; fi
  wait_idle
  say "up in $(( SECONDS - t0 )) s: $(sinfo -h -N -o '%N %t %c CPUs, partition %P')"
}

stop_daemons() {
  local pidfile pid
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
    if alive "$pidfile"; then
      pid=$(cat "$pidfile")
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

stop() {
  if scontrol ping >/dev/null 2>&1 && [ -e "$conf" ] && grep -qF "$marker" "$conf"; then
    # this cluster's jobs only (it is a private one-node cluster): their steps would outlive slurmd
    if [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
      # shellcheck disable=SC2046  # one id a word
      scancel $(squeue -h -o %A | sort -u) 2>/dev/null || true
      for _ in $(seq 30); do [ -z "$(squeue -h -t R,CG -o %i)" ] && break; sleep 0.5; done
    fi
  fi
  stop_daemons
  if [ -e "$dir/munged.ours" ]; then
    local pid
    pid=$(cat /run/munge/munged.pid 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -f "$dir/munged.ours"
  fi
  say "stopped"
}

status() {
  local name
  for name in slurmctld slurmd; do
    if alive "$dir/$name.pid"; then echo "$name: running (pid $(cat "$dir/$name.pid"))"
    else echo "$name: not running"; fi
  done
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then echo "munged: running"; else echo "munged: not running"; fi
  if scontrol ping >/dev/null 2>&1; then sinfo; squeue; else return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
