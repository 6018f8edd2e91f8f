#!/usr/bin/env bash
# Single-node KRaft Kafka broker for tests, built from Apache Kafka's jars on Maven Central (no Docker).
# Usage: scripts/kafka.sh fetch|start|stop|restart|status
# Env: KAFKA_VERSION (3.9.2), KAFKA_HOME (<repo>/.kafka), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
#      KAFKA_HEAP ("-Xms256m -Xmx512m"). One broker per KAFKA_HOME; jars live in KAFKA_HOME/libs-<version>.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.2}"
KAFKA_HOME="${KAFKA_HOME:-$ROOT/.kafka}"
mkdir -p "$KAFKA_HOME" && KAFKA_HOME="$(cd "$KAFKA_HOME" && pwd)"
HOST=127.0.0.1 PORT="${KAFKA_PORT:-9092}" CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
HEAP="${KAFKA_HEAP:--Xms256m -Xmx512m}"
LIBS="$KAFKA_HOME/libs-$KAFKA_VERSION"
BUILD="$KAFKA_HOME/build-$KAFKA_VERSION"   # throwaway pom + mvn output
CONF="$KAFKA_HOME/conf" DATA="$KAFKA_HOME/data" LOG="$KAFKA_HOME/kafka.log" PID_FILE="$KAFKA_HOME/kafka.pid"
STATE_FILE="$KAFKA_HOME/kafka.state"   # "<version> <port>" of the broker behind PID_FILE
MAJOR="${KAFKA_VERSION%%.*}"
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1

# mvn -q still prints stray ANSI resets (Maven 3.8), so keep its output unless it fails.
mvn_q() { mvn -B -q "$@" >"$BUILD/mvn.log" 2>&1 || { cat "$BUILD/mvn.log" >&2; exit 1; }; }
dep() { echo "<dependency><groupId>$1</groupId><artifactId>$2</artifactId><version>$3</version></dependency>"; }
write_pom() {  # $1 = extra <dependency> elements
  cat >"$BUILD/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local</groupId><artifactId>kafka-libs</artifactId><version>0</version><packaging>pom</packaging>
<dependencies>$(dep org.apache.kafka kafka_2.13 "$KAFKA_VERSION")${1:-}</dependencies></project>
EOF
}

fetch() {
  [[ -f "$LIBS/.fetched" ]] && return 0   # marker written only after a complete copy
  echo "fetching kafka $KAFKA_VERSION from Maven Central into $LIBS" >&2
  local backend
  rm -rf "$BUILD" "$LIBS.tmp" && mkdir -p "$BUILD"
  # kafka_2.13 brings no logging backend; without one SLF4J is silent and readiness never shows.
  if (( MAJOR >= 4 )); then
    # 4.x pulls log4j-core in transitively; the SLF4J 1.7 binding must match its version.
    write_pom
    mvn_q -f "$BUILD/pom.xml" "$DEP_PLUGIN:tree" -Dscope=runtime -DoutputFile="$BUILD/tree.txt"
    local v; v="$(grep -oE 'log4j-core:jar:[^:]+' "$BUILD/tree.txt" | head -1 | cut -d: -f3 || true)"; v="${v:-2.24.3}"
    backend="$(dep org.apache.logging.log4j log4j-api "$v")$(dep org.apache.logging.log4j log4j-core "$v")$(dep org.apache.logging.log4j log4j-slf4j-impl "$v")"
  else
    backend="$(dep org.slf4j slf4j-reload4j 1.7.36)$(dep ch.qos.reload4j reload4j 1.2.25)"
  fi
  write_pom "$backend"
  mvn_q -f "$BUILD/pom.xml" "$DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp"
  touch "$LIBS.tmp/.fetched"
  rm -rf "$LIBS" && mv "$LIBS.tmp" "$LIBS" && rm -rf "$BUILD"
}

pid_ours() {  # the PID in the pid file is alive and is the broker this script started
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $CONF/server.properties"
}
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }
running() { pid_ours && port_open "$(cut -d' ' -f2 "$STATE_FILE" 2>/dev/null || echo "$PORT")"; }
describe() { local v p; read -r v p <"$STATE_FILE" || true; echo "kafka $v $1 on $HOST:$p (pid $(cat "$PID_FILE"))"; }

stop() {
  if pid_ours; then
    local pid; pid="$(cat "$PID_FILE")"
    kill -TERM "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then echo "kafka (pid $pid) ignored SIGTERM for 30 s; killing" >&2; kill -KILL "$pid"; fi
    echo "kafka stopped (pid $pid)"
  else echo "kafka not running"; fi
  rm -f "$PID_FILE" "$STATE_FILE"
}

write_config() {
  mkdir -p "$CONF"
  cat >"$CONF/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  if (( MAJOR >= 4 )); then
    printf '%s\n' share.coordinator.state.topic.replication.factor=1 share.coordinator.state.topic.min.isr=1 >>"$CONF/server.properties"
    cat >"$CONF/log4j2.properties" <<'EOF'
status=warn
appender.console.type=Console
appender.console.name=STDOUT
appender.console.layout.type=PatternLayout
appender.console.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=info
rootLogger.appenderRef.stdout.ref=STDOUT
EOF
    LOG_FLAG="-Dlog4j2.configurationFile=$CONF/log4j2.properties"
  else
    cat >"$CONF/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
    LOG_FLAG="-Dlog4j.configuration=file:$CONF/log4j.properties"
  fi
}

start() {  # $1 = "keep": restart on the data already there (the broker-restart drill)
  if running; then
    describe "already running"
    [[ "$(cut -d' ' -f1 "$STATE_FILE")" == "$KAFKA_VERSION" ]] || echo "(not $KAFKA_VERSION: run '$0 stop' first to switch)" >&2
    return 0
  fi
  if pid_ours; then echo "kafka (pid $(cat "$PID_FILE")) is alive but not answering; restarting" >&2; stop >&2; fi
  rm -f "$PID_FILE" "$STATE_FILE"
  if port_open "$PORT" || port_open "$CONTROLLER_PORT"; then
    echo "port $PORT or $CONTROLLER_PORT on $HOST is taken by a process this script did not start" >&2; exit 1
  fi
  fetch
  write_config
  local cp="$LIBS/*" id
  if [[ "${1:-}" == keep && -f "$DATA/meta.properties" ]]; then
    : >"$LOG"
  else
    rm -rf "$DATA" && mkdir -p "$DATA"   # every fresh start is a clean cluster
    # Cluster id: 16 random bytes, base64url; Kafka itself never issues one starting with '-'.
    id="-"; while [[ "$id" == -* ]]; do id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"; done
    java "$LOG_FLAG" -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$CONF/server.properties" --ignore-formatted >"$LOG" 2>&1 \
      || { cat "$LOG" >&2; exit 1; }
  fi
  # setsid: the broker outlives this script and the caller's process group.
  # shellcheck disable=SC2086  # HEAP is a list of flags
  setsid java $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    "$LOG_FLAG" -cp "$cp" kafka.Kafka "$CONF/server.properties" >>"$LOG" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  echo "$KAFKA_VERSION $PORT" >"$STATE_FILE"
  # An open port is not enough: the broker is ready once it logs this line.
  for _ in $(seq 240); do
    if grep -q 'Kafka Server started' "$LOG"; then describe "ready"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "kafka exited or was not ready within 120 s; last log lines:" >&2
  tail -n 40 "$LOG" >&2
  stop >&2
  exit 1
}

status() { if running; then describe "running"; else echo "kafka not running"; exit 1; fi; }

case "${1:-}" in
  fetch | start | stop | status) "$1" ;;
  restart) stop && start keep ;;  # same cluster, same data
  *) echo "usage: $0 fetch|start|stop|restart|status" >&2; exit 2 ;;
esac
