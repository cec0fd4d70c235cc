#!/bin/sh
# The agent's supervisor: a POSIX shell loop around the agent JVM, so that supervision costs a
# host about a megabyte instead of a JVM of its own. It starts the agent from the installed build
# (<data-dir>/agent-builds/current.jar in front of the class path) or the distribution, and starts
# it again when it exits 75 (an upgrade installed a new build and wrote agent-builds/pending). A
# new build is on trial: its journal and lifecycle handoff are kept in agent-builds/rollback/, and
# it has --upgrade-deadline to reach a controller (the agent then deletes rollback/ and pending).
# A build that exits or hangs before that is rolled back: previous.jar (or the distribution) is
# put back with the kept journal and handoff, and rollback.txt says why. Any other exit restarts
# the agent after 1 s, doubling up to 30 s; exit 2 (usage) ends the loop with 2, exit 0 (the agent
# stopped by itself, e.g. its --parent-pid is gone) with 0. SIGTERM, SIGINT or SIGHUP stop the
# agent (SIGKILL after 15 s) and end the loop with 0. Every step is a rename or a file it reads,
# so the loop can itself be restarted at any point (systemd does, after a crash): a build still
# on trial gets a fresh deadline. docs/agent-service.md has the details.
#
# Used by ./muster and by the agent package's launcher:
#   MUSTER_JAVA=java  MUSTER_CLASSPATH=distribution class path  MUSTER_JVM_FLAGS="flags"  [MUSTER_MAIN=class]
#   sh agent-supervisor.sh agent --controller ... --data-dir DIR [--upgrade-deadline 2m] ...
# With --no-supervisor (or no-supervisor=true in the --config file), --help or --version it
# execs the JVM directly. The data directory and the deadline come from the options or from the
# --config file (key=value lines, as the agent reads them).
set -u

java="${MUSTER_JAVA:?MUSTER_JAVA must name the java binary}"
classpath="${MUSTER_CLASSPATH:?MUSTER_CLASSPATH must hold the distribution class path}"
flags="${MUSTER_JVM_FLAGS:-}"
main="${MUSTER_MAIN:-io.muster.cli.MusterCommand}"
stop_grace=15
max_delay=30

log() { echo "muster agent supervisor: $*" >&2; }

run_directly() {
  # shellcheck disable=SC2086 # the flags are words on purpose
  CLASSPATH="$classpath" exec "$java" $flags "$main" "$@"
}

# The value of a key=value (or key: value) line of a properties file, or nothing.
setting() {
  [ -r "$1" ] || return 0
  sed -n "s/^[[:space:]]*$2[[:space:]]*[=:][[:space:]]*//p" "$1" | tail -n 1 | sed 's/[[:space:]]*$//'
}

# Seconds of a duration as the agent writes them: 90, 500ms, 30s, 2m, 1h.
seconds() {
  case "$1" in
    *ms) echo $(( (${1%ms} + 999) / 1000 )) ;;
    *s) echo "${1%s}" ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *h) echo $(( ${1%h} * 3600 )) ;;
    *) echo "$1" ;;
  esac
}

data_dir=""
config=""
deadline=""
direct=""
previous=""
for arg in "$@"; do
  case "$previous" in
    --data-dir) data_dir="$arg" ;;
    --config) config="$arg" ;;
    --upgrade-deadline) deadline="$arg" ;;
  esac
  case "$arg" in
    --data-dir=*) data_dir="${arg#*=}" ;;
    --config=*) config="${arg#*=}" ;;
    --upgrade-deadline=*) deadline="${arg#*=}" ;;
    --no-supervisor|--supervised|-h|--help|-V|--version) direct=1 ;;
  esac
  previous="$arg"
done
if [ -n "$config" ]; then
  [ -n "$data_dir" ] || data_dir="$(setting "$config" data-dir)"
  [ -n "$deadline" ] || deadline="$(setting "$config" upgrade-deadline)"
  [ "$(setting "$config" no-supervisor)" = "true" ] && direct=1
fi
# Without a data directory the agent refuses its options (exit 2); let it say why.
if [ -n "$direct" ] || [ -z "$data_dir" ]; then run_directly "$@"; fi
deadline="$(seconds "${deadline:-2m}")"
case "$deadline" in ''|*[!0-9]*) run_directly "$@" ;; esac

slots="$data_dir/agent-builds"
child=""
stopping=""
terminated=""

on_stop() {
  stopping=1
  terminate
}
trap on_stop TERM INT HUP

terminate() {
  terminated=1
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; fi
}

# True while process $1 runs (a zombie, exited but not yet waited for, does not count).
running() {
  [ -r "/proc/$1/stat" ] || return 1
  read -r stat < "/proc/$1/stat" 2>/dev/null || return 1
  state="${stat##*) }"
  case "$state" in Z*|X*) return 1 ;; esac
  return 0
}

# Waits for the agent through interruptions by the stop trap and sets code to its exit code; an
# agent told to stop gets the grace period, then SIGKILL.
wait_child() {
  while :; do
    wait "$child"
    code=$?
    # Still in the process table: the wait was interrupted by a signal, the agent was not reaped.
    [ -e "/proc/$child" ] || break
    if [ -n "$terminated" ]; then
      waited=0
      while running "$child" && [ "$waited" -lt "$stop_grace" ]; do sleep 1; waited=$((waited + 1)); done
      if running "$child"; then
        log "the agent did not stop within $stop_grace s; killing it"
        kill -KILL "$child" 2>/dev/null
      fi
    fi
  done
  child=""
  terminated=""
}

replace() { mv -f "$1" "$2"; }

# Keeps the journal and lifecycle handoff as the previous build left them, once per upgrade.
keep_state() {
  [ -d "$slots/rollback" ] && return 0
  rm -rf "$slots/rollback.tmp"
  mkdir -p "$slots/rollback.tmp/lifecycle" || return 1
  if [ -f "$data_dir/journal" ]; then cp -p "$data_dir/journal" "$slots/rollback.tmp/journal" || return 1; fi
  if [ -f "$data_dir/lifecycle/handoff.json" ]; then
    cp -p "$data_dir/lifecycle/handoff.json" "$slots/rollback.tmp/lifecycle/handoff.json" || return 1
  fi
  replace "$slots/rollback.tmp" "$slots/rollback"
}

# Undoes the pending upgrade ($1: the version, $2: why) and leaves the reason for the restored agent.
roll_back() {
  log "$2; rolling back"
  if [ -f "$slots/previous.jar" ]; then
    cp -p "$slots/previous.jar" "$slots/current.jar.tmp" && replace "$slots/current.jar.tmp" "$slots/current.jar"
  elif [ -f "$slots/previous.distribution" ]; then
    rm -f "$slots/current.jar" "$slots/previous.distribution"
  else
    log "no previous agent build to roll back to; starting $1 again"
  fi
  if [ -d "$slots/rollback" ]; then
    for name in journal lifecycle/handoff.json; do
      if [ -f "$slots/rollback/$name" ]; then
        mkdir -p "$(dirname "$data_dir/$name")"
        cp -p "$slots/rollback/$name" "$data_dir/$name.rollback" && replace "$data_dir/$name.rollback" "$data_dir/$name"
      else
        rm -f "$data_dir/$name"
      fi
    done
    rm -rf "$slots/rollback"
  fi
  printf '%s\n' "$2" > "$slots/rollback.txt.tmp" && replace "$slots/rollback.txt.tmp" "$slots/rollback.txt"
  rm -f "$slots/pending"
}

delay=1
while [ -z "$stopping" ]; do
  pending=""
  if [ -f "$slots/pending" ]; then
    pending="$(cat "$slots/pending")"
    if ! keep_state; then log "cannot write $slots/rollback"; exit 1; fi
  fi
  path="$classpath"
  build=""
  if [ -f "$slots/current.jar" ]; then build="$slots/current.jar"; path="$build:$classpath"; fi
  log "starting the agent from ${build:-the distribution}${pending:+ (new build $pending, on trial)}"
  # MUSTER_AGENT_BUILD: the agent runs the build's own Main-Class when its manifest names one.
  # shellcheck disable=SC2086 # the flags are words on purpose
  CLASSPATH="$path" MUSTER_AGENT_BUILD="$build" "$java" $flags "$main" "$@" --supervised &
  child=$!
  timed_out=""
  if [ -n "$pending" ]; then
    # The new build has the deadline to reach a controller. The trial lasts while rollback/ (made
    # by keep_state) is there: a welcomed agent deletes it with pending, and a build that installs
    # the next one after that writes pending again but never rollback/.
    started=$(date +%s)
    while running "$child" && [ -d "$slots/rollback" ] && [ -z "$stopping" ]; do
      if [ $(( $(date +%s) - started )) -ge "$deadline" ]; then
        timed_out=1
        terminate
        break
      fi
      sleep 1
    done
  fi
  wait_child
  [ -n "$stopping" ] && break
  if [ -n "$pending" ] && [ -d "$slots/rollback" ]; then
    if [ -n "$timed_out" ]; then
      roll_back "$pending" "agent build $pending did not reach a controller within $deadline s"
    else
      roll_back "$pending" "agent build $pending exited with code $code before it reached a controller"
    fi
    continue
  fi
  case "$code" in
    75) log "the agent asked to be restarted"; delay=1; continue ;;
    0) log "the agent stopped"; break ;;
    2) log "the agent refused its command line (exit code 2); not restarting it"; exit 2 ;;
  esac
  log "the agent exited with code $code; restarting it in $delay s"
  sleep "$delay" &
  sleeper=$!
  wait "$sleeper" 2>/dev/null
  kill "$sleeper" 2>/dev/null
  delay=$((delay * 2))
  [ "$delay" -gt "$max_delay" ] && delay=$max_delay
done
log "stopped"
exit 0
