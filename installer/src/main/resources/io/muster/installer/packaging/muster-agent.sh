#!/bin/sh
# Runs `muster` from the muster-agent package: `muster-agent agent --config /etc/muster/agent.conf`
# (what the systemd unit starts) runs the agent under its supervisor, agent-supervisor.sh: a shell
# loop, not a JVM, that starts the agent JVM with agent-jvm.options. Java: $JAVA_HOME/bin/java when set,
# else java on PATH; it must be 17 or newer (the package depends on a Java 17 runtime).
set -eu
# The package installs it as /opt/muster-agent/bin/muster-agent; found from the script's own
# place so that an unpacked tar runs where it is (muster bench --scenario footprint does).
home="$(cd "$(dirname "$0")/.." && pwd -P)"
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
if ! command -v "$java" >/dev/null 2>&1; then
  echo "muster-agent: no java found; install a Java 17 runtime (e.g. openjdk-17-jre-headless) or set JAVA_HOME" >&2
  exit 2
fi
major="$("$java" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | head -n 1)"
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
  echo "muster-agent: $(command -v "$java") is Java ${major:-of unknown version}; the agent needs 17 or newer" >&2
  exit 2
fi
# Hazelcast (in the same distribution) reaches into JDK internals; OSHI's JNA needs native access.
flags="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
--add-opens java.management/sun.management=ALL-UNNAMED
--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED --enable-native-access=ALL-UNNAMED"
if [ "$major" -ge 23 ]; then flags="$flags --sun-misc-unsafe-memory-access=allow"; fi
if [ "${1:-}" = "agent" ]; then
  flags="$flags $(grep -v '^#' "$home/agent-jvm.options" | tr '\n' ' ')"
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  MUSTER_JAVA="$java" MUSTER_CLASSPATH="$home/muster.jar" MUSTER_JVM_FLAGS="$flags" \
    exec /bin/sh "$home/bin/agent-supervisor.sh" "$@"
fi
# shellcheck disable=SC2086 # the flags are words on purpose
exec "$java" $flags -jar "$home/muster.jar" "$@"
