#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft: broker and controller in one process) on this machine,
# built from Maven Central jars: no Docker, no downloads besides Maven.
#
# Usage: deploy/local/kafka.sh start|stop|status|topics [--state-dir DIR] [--port PORT]
#   start   format storage (first time), start the broker on 127.0.0.1:PORT, wait until it answers
#   stop    stop it (SIGTERM, then SIGKILL after 20 s)
#   status  running or not, pid, bootstrap address
#   topics  create the pricing topics if missing (names: PRICING_TOPIC_PREFIX, default "pricing")
# Defaults: --state-dir $PRICING_WORK_DIR/kafka (PRICING_WORK_DIR defaults to <repo>/.work),
#           --port $KAFKA_PORT or 39092 (the controller listens on PORT+1).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cmd=${1:-}; shift || true
state=${PRICING_WORK_DIR:-$repo/.work}/kafka
port=${KAFKA_PORT:-39092}
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) state=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    *) echo "kafka.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$state"
state=$(cd "$state" && pwd)
pid_file="$state/kafka.pid"
log="$state/kafka.log"
bootstrap="127.0.0.1:$port"

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid; pid=$(cat "$pid_file")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

classpath() {
  local cp_file="$state/classpath.txt"
  if [ ! -s "$cp_file" ] || [ "$repo/deploy/local/kafka/pom.xml" -nt "$cp_file" ]; then
    mvn -B -q -f "$repo/deploy/local/kafka/pom.xml" dependency:build-classpath \
      -Dmdep.outputFile="$cp_file" >&2
  fi
  cat "$cp_file"
}

write_config() {
  cat > "$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((port + 1))
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$state/data
num.partitions=2
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
transaction.max.timeout.ms=900000
group.initial.rebalance.delay.ms=0
log.retention.hours=168
PROPS
  cat > "$state/log4j2.properties" <<LOG
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = File
appender.file.type = File
appender.file.name = File
appender.file.fileName = $log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d %-5p %c{1} - %m%n
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
LOG
  cat > "$state/log4j2-stderr.properties" <<LOG
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = Err
appender.err.type = Console
appender.err.name = Err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %m%n
LOG
}

start() {
  command -v java >/dev/null || { echo "kafka.sh: java not found on PATH" >&2; exit 1; }
  if pid=$(running_pid); then
    echo "kafka already running (pid $pid) on $bootstrap"; return 0
  fi
  if port_open "$port"; then
    echo "kafka.sh: port $port is already in use by another process" >&2; exit 1
  fi
  local cp; cp=$(classpath)
  write_config
  if [ ! -f "$state/data/meta.properties" ]; then
    local id
    id=$(java -Dlog4j2.configurationFile="$state/log4j2-stderr.properties" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    java -Dlog4j2.configurationFile="$state/log4j2-stderr.properties" -cp "$cp" kafka.tools.StorageTool format \
      -t "$id" -c "$state/server.properties" >/dev/null
  fi
  local started=$SECONDS
  setsid java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.io.tmpdir="$state" \
    -Dlog4j2.configurationFile="$state/log4j2.properties" -cp "$cp" kafka.Kafka "$state/server.properties" \
    >"$state/kafka.out" 2>&1 < /dev/null &
  echo $! > "$pid_file"
  for _ in $(seq 1 120); do
    if port_open "$port" && grep -q "started" "$log" 2>/dev/null; then
      echo "kafka running (pid $(cat "$pid_file")) on $bootstrap, ready in $((SECONDS - started)) s"
      return 0
    fi
    if ! running_pid >/dev/null; then break; fi
    sleep 0.5
  done
  echo "kafka.sh: broker did not start; last log lines:" >&2
  tail -20 "$log" "$state/kafka.out" >&2 2>/dev/null || true
  stop >/dev/null
  exit 1
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$pid_file"; echo "kafka not running"; return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; echo "kafka stopped"; return 0; }
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pid_file"
  echo "kafka killed after 20 s"
}

topics() {
  running_pid >/dev/null || { echo "kafka.sh: broker not running; start it first" >&2; exit 1; }
  local cp; cp=$(classpath)
  local prefix=${PRICING_TOPIC_PREFIX:-pricing}
  local name
  for name in behaviour-events catalog-updates price-requests price-decisions feedback-outcomes dead-letters; do
    local extra=()
    [ "$name" = catalog-updates ] && extra=(--config cleanup.policy=compact)
    java -Dlog4j2.configurationFile="$state/log4j2-stderr.properties" -cp "$cp" org.apache.kafka.tools.TopicCommand \
      --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$prefix.$name" \
      --partitions 2 --replication-factor 1 "${extra[@]}" >/dev/null
  done
  java -Dlog4j2.configurationFile="$state/log4j2-stderr.properties" -cp "$cp" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$bootstrap" --list
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status)
    if pid=$(running_pid); then echo "kafka running (pid $pid) on $bootstrap"; else echo "kafka stopped"; fi ;;
  topics) topics ;;
  *) echo "usage: $0 start|stop|status|topics [--state-dir DIR] [--port PORT]" >&2; exit 2 ;;
esac
