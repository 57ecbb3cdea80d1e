#!/usr/bin/env bash
# slurm-ci.sh up|down — a single-node Slurm cluster for CI and local tests (Debian 12, root, no systemd).
# Both are idempotent. `up` installs slurm-wlm and munge from the Debian archive when missing, starts
# munged, slurmctld and slurmd by hand and waits until the node is idle; `down` stops those daemons.
# Used by the Slurm sweep test (tests/XRight.Cli.Tests); see README "Sweeps on a cluster".
set -euo pipefail
H=$(hostname -s); LOG=/var/log/slurm
alive() {  # pid comm: live, non-zombie process with that name
  [ -n "$1" ] && [ "$(cat /proc/$1/comm 2>/dev/null)" = "$2" ] || return 1
  [ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" != Z ]
}
pid_of() { local p; p=$(cat "$1" 2>/dev/null || true); if alive "$p" "$2"; then echo "$p"; fi; }
wait_gone() { local i; for ((i = 0; i < $3 * 10; i++)); do alive "$1" "$2" || return 0; sleep 0.1; done; return 1; }
stop_pid() {  # pid comm grace_s: wait grace, then TERM, then KILL
  [ -n "$1" ] || return 0
  if [ "$3" -gt 0 ] && wait_gone "$1" "$2" "$3"; then return 0; fi
  kill -TERM "$1" 2>/dev/null || true
  wait_gone "$1" "$2" 15 || { kill -KILL "$1" 2>/dev/null || true; wait_gone "$1" "$2" 5 || true; }
}
munge_ok() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }
up() {
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    apt-get -o DPkg::Lock::Timeout=300 update -q
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q slurm-wlm munge
  fi
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
  if ! munge_ok; then
    install -d -o munge -g munge -m 0755 /run/munge   # /run is tmpfs; the package does not create it
    runuser -u munge -- /usr/sbin/munged
    for ((i = 0; i < 100; i++)); do munge_ok && break; sleep 0.1; done
  fi
  munge_ok || { echo "munge not working" >&2; tail -n 20 /var/log/munge/munged.log >&2; exit 1; }
  mkdir -p /var/spool/slurmctld /var/spool/slurmd "$LOG"
  if ! scontrol ping >/dev/null 2>&1; then   # config is (re)written only while slurmctld is down
    cat > /etc/slurm/slurm.conf <<EOF
ClusterName=ci
SlurmctldHost=$H(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=$H NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$(awk '/MemTotal/{print int($2/1024*0.9)}' /proc/meminfo) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    slurmctld -c            # forks, returns when initialised; -c = do not recover old job state
  fi
  [ -n "$(pid_of /run/slurmd.pid slurmd)" ] || slurmd -N "$H"
  local st=""
  for ((i = 0; i < 600; i++)); do   # wait up to 60 s for the node
    st=$(sinfo -h -n "$H" -o %T 2>/dev/null || true)
    case "$st" in idle | mixed | allocated) echo "slurm up: $H $st"; return 0 ;; esac
    sleep 0.1
  done
  echo "slurm not ready (node state '$st')" >&2; tail -n 30 "$LOG"/slurmctld.log "$LOG"/slurmd.log >&2; exit 1
}
down() {  # read pids first: scontrol shutdown deletes the pid files before the daemons exit
  local c d m g=0
  c=$(pid_of /run/slurmctld.pid slurmctld); d=$(pid_of /run/slurmd.pid slurmd)
  m=$(pid_of /run/munge/munged.pid munged)
  if [ -n "$c" ]; then scontrol shutdown >/dev/null 2>&1 || true; g=20; fi   # stops ctld + slurmd
  stop_pid "$d" slurmd $g; stop_pid "$c" slurmctld $g; stop_pid "$m" munged 0
  echo "slurm down"
}
case "${1:-}" in up) up ;; down) down ;; *) echo "usage: $0 up|down" >&2; exit 2 ;; esac
