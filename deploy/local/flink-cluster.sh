#!/usr/bin/env bash
# A real standalone Flink session cluster (one JobManager and one or more TaskManager processes) on this machine,
# assembled from Maven Central jars (deploy/local/flink/pom.xml; flink-dist is not published there):
# no Docker, no downloads besides Maven.
#
# Usage: deploy/local/flink-cluster.sh start|stop|status [--state-dir DIR] [--rest-port PORT] [--task-managers N]
#        deploy/local/flink-cluster.sh kill-taskmanager|restart-taskmanager [--index I] [--state-dir DIR] ...
#   start   resolve lib/ (first time), write conf/config.yaml, start the JobManager and N TaskManagers
#           (--task-managers or FLINK_TASK_MANAGERS, default 1), wait until all N have registered their slots
#   stop    stop every TaskManager and the JobManager (SIGTERM, then SIGKILL after 30 s); running jobs are
#           not savepointed (use deploy/rollout.sh stop for that)
#   status  running or stopped, pids of every process, REST address, slots and jobs
#   kill-taskmanager     SIGKILL TaskManager I (default 1), as on a lost machine (fault injection)
#   restart-taskmanager  start TaskManager I (default 1) again, e.g. after kill-taskmanager
# TaskManagers are numbered 1..N; each has FLINK_TASK_SLOTS slots, so the cluster runs a job of
#           parallelism up to N x FLINK_TASK_SLOTS (deploy/rollout.sh rescale --parallelism P changes it).
# Defaults: --state-dir $PRICING_WORK_DIR/flink (PRICING_WORK_DIR defaults to <repo>/.work),
#           --rest-port $FLINK_REST_PORT or 18181; the JobManager RPC port is REST+1 and the blob server
#           REST+2, all bound to 127.0.0.1. FLINK_TASK_SLOTS (default 2), FLINK_TM_MEMORY (default 2560m),
#           FLINK_JM_MEMORY (default 1024m).
# Metrics: Flink's Prometheus reporter (a plugin, plugins/metrics-prometheus/) serves the JobManager's
#           metrics on http://127.0.0.1:REST+3/metrics and the TaskManager's (the job's operators) on
#           http://127.0.0.1:REST+4/metrics; TaskManager I serves on REST+3+I (the first on REST+4, the
#           second on REST+5, ...); all addresses are printed on start and by status.
#           deploy/monitoring/ has the dashboard and alert rules that read them.
# Files in the state dir: lib/ (links to the cluster's jars, ONNX Runtime included), plugins/ (the
#           Prometheus reporter), conf/ (written on
#           each start), log/ (jobmanager.log, taskmanager.log, *.out), checkpoints/, savepoints/,
#           jobmanager.pid, taskmanager.pid, tmp/. TaskManager 1 is "taskmanager" (taskmanager.pid,
#           log/taskmanager.log); TaskManager I >= 2 is "taskmanager-I" (taskmanager-I.pid, log/taskmanager-I.log).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cmd=${1:-}; shift || true
state=${PRICING_WORK_DIR:-$repo/.work}/flink
rest_port=${FLINK_REST_PORT:-18181}
task_managers=${FLINK_TASK_MANAGERS:-1}
tm_index=1
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) [ $# -ge 2 ] || { echo "flink-cluster.sh: --state-dir needs a value" >&2; exit 2; }; state=$2; shift 2 ;;
    --rest-port) [ $# -ge 2 ] || { echo "flink-cluster.sh: --rest-port needs a value" >&2; exit 2; }; rest_port=$2; shift 2 ;;
    --task-managers) [ $# -ge 2 ] || { echo "flink-cluster.sh: --task-managers needs a value" >&2; exit 2; }; task_managers=$2; shift 2 ;;
    --index) [ $# -ge 2 ] || { echo "flink-cluster.sh: --index needs a value" >&2; exit 2; }; tm_index=$2; shift 2 ;;
    *) echo "flink-cluster.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$rest_port" in ''|*[!0-9]*) echo "flink-cluster.sh: --rest-port must be a number, got '$rest_port'" >&2; exit 2 ;; esac
case "$task_managers" in ''|*[!0-9]*|0*) echo "flink-cluster.sh: --task-managers must be a number from 1, got '$task_managers'" >&2; exit 2 ;; esac
case "$tm_index" in ''|*[!0-9]*|0*) echo "flink-cluster.sh: --index must be a number from 1, got '$tm_index'" >&2; exit 2 ;; esac
[ "$rest_port" -ge 1024 ] && [ "$rest_port" -le $((65535 - 3 - task_managers)) ] || { echo "flink-cluster.sh: port $rest_port out of range 1024-$((65535 - 3 - task_managers))" >&2; exit 2; }
mkdir -p "$state"
state=$(cd "$state" && pwd -P)
rest="http://127.0.0.1:$rest_port"
# One Prometheus endpoint per process: they share the host, so each gets its own fixed port.
jm_metrics_port=$((rest_port + 3))
tm_metrics_port() { echo $((rest_port + 3 + $1)); }
last_port=$(tm_metrics_port "$task_managers")

# TaskManager I's name for its pid and log files: the first keeps the single-TaskManager names.
tm_role() { if [ "$1" -eq 1 ]; then echo taskmanager; else echo "taskmanager-$1"; fi; }

# The indexes of the TaskManagers with a pid file (started by this script, alive or not), in order.
tm_indexes() {
  local f i
  for f in "$state"/taskmanager.pid "$state"/taskmanager-*.pid; do
    [ -f "$f" ] || continue
    i=${f##*/taskmanager}; i=${i%.pid}; i=${i#-}
    echo "${i:-1}"
  done | sort -n
}

metrics_addresses() {
  local i line="metrics http://127.0.0.1:$jm_metrics_port/metrics (jobmanager)"
  for i in $(seq 1 "$1"); do line+=", http://127.0.0.1:$(tm_metrics_port "$i")/metrics ($(tm_role "$i"))"; done
  echo "$line"
}
source "$repo/deploy/local/java-opens.sh"
source "$repo/deploy/local/ports.sh"

# The pid of ROLE (jobmanager|taskmanager|taskmanager-I) if that process is alive and belongs to this state dir.
running_pid() {
  local file="$state/$1.pid"
  [ -f "$file" ] || return 1
  local pid; pid=$(cat "$file")
  case "$pid" in ''|*[!0-9]*) return 1 ;; esac
  local args; args=$(ps -ww -o args= -p "$pid" 2>/dev/null) || return 1
  case "$args" in *"$state/conf"*) echo "$pid" ;; *) return 1 ;; esac
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# GET a REST path; prints the body, fails when the JobManager does not answer.
rest_get() { curl -sf --max-time 5 "$rest$1"; }

# lib/: the cluster's jars (links into the local Maven repository), resolved once, refreshed when the pom
# changes; plugins/metrics-prometheus/: the metric reporter, which Flink loads in a classloader of its own.
resolve_lib() {
  local cp_file="$state/classpath.txt" plugin_file="$state/plugins.txt" pom="$repo/deploy/local/flink/pom.xml"
  if [ ! -s "$cp_file" ] || [ ! -s "$plugin_file" ] || [ "$pom" -nt "$cp_file" ] || [ "$repo/pom.xml" -nt "$cp_file" ]; then
    command -v mvn >/dev/null || { echo "flink-cluster.sh: mvn not found on PATH (needed once to resolve the Flink jars)" >&2; exit 1; }
    if ! mvn -B -q -f "$pom" dependency:build-classpath -DexcludeArtifactIds=flink-metrics-prometheus \
        -Dmdep.outputFile="$cp_file" >"$state/mvn.log" 2>&1 \
      || ! mvn -B -q -f "$pom" dependency:build-classpath -DincludeArtifactIds=flink-metrics-prometheus \
        -Dmdep.outputFile="$plugin_file" >>"$state/mvn.log" 2>&1; then
      echo "flink-cluster.sh: resolving the Flink jars with Maven failed:" >&2
      tail -n 20 "$state/mvn.log" >&2
      rm -f "$cp_file" "$plugin_file"; exit 1
    fi
    rm -rf "$state/lib" "$state/plugins"; mkdir -p "$state/lib" "$state/plugins/metrics-prometheus"
    local jar
    # the files have no final newline: read their last entry too
    tr ":" "\n" < "$cp_file" | while read -r jar || [ -n "$jar" ]; do [ -n "$jar" ] && ln -s "$jar" "$state/lib/"; done
    tr ":" "\n" < "$plugin_file" | while read -r jar || [ -n "$jar" ]; do
      [ -n "$jar" ] && ln -s "$jar" "$state/plugins/metrics-prometheus/"
    done
  fi
}

write_config() {
  mkdir -p "$state/conf" "$state/log" "$state/checkpoints" "$state/savepoints" "$state/tmp" "$state/web-upload"
  cat > "$state/conf/config.yaml" <<YAML
# Written by deploy/local/flink-cluster.sh on each start; edits are overwritten.
jobmanager:
  rpc:
    address: 127.0.0.1
    port: $((rest_port + 1))
  bind-host: 127.0.0.1
  memory:
    process:
      size: ${FLINK_JM_MEMORY:-1024m}
taskmanager:
  host: 127.0.0.1
  bind-host: 127.0.0.1
  # The TaskManager's RPC (its own Pekko) and data ports stay 0, Flink's default: the OS picks a free
  # port when the TaskManager binds, so they cannot collide; nothing connects to them by a configured
  # number (the TaskManager registers its actual address with the JobManager).
  rpc:
    port: 0
  data:
    port: 0
  numberOfTaskSlots: ${FLINK_TASK_SLOTS:-2}
  memory:
    process:
      size: ${FLINK_TM_MEMORY:-2560m}
    # ONNX Runtime's native arena and session live outside the JVM heap and outside RocksDB's managed memory.
    task:
      off-heap:
        size: 256m
rest:
  address: 127.0.0.1
  bind-address: 127.0.0.1
  port: $rest_port
blob:
  server:
    port: $((rest_port + 2))
web:
  upload:
    dir: $state/web-upload
  tmpdir: $state/tmp
io:
  tmp:
    dirs: $state/tmp
parallelism:
  default: 1
state:
  backend:
    type: rocksdb
execution:
  checkpointing:
    dir: file://$state/checkpoints
    savepoint-dir: file://$state/savepoints
    incremental: true
    # Kept after a cancel, so a job can also be restarted from its last checkpoint by hand.
    externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
    num-retained: 2
restart-strategy:
  type: exponential-delay
metrics:
  reporters: prom
  reporter:
    prom:
      factory:
        class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
      # Each process is given its own port on its command line (JobManager REST+3, TaskManager I
      # REST+3+I); this range is what a process started by hand picks from.
      port: $jm_metrics_port-$last_port
cluster:
  # Without this the TaskManager retries its first registration after 10 s.
  registration:
    error-delay: 1000
env:
  java:
    opts:
      all: -Djava.io.tmpdir=$state/tmp
YAML
  cat > "$state/conf/log4j.properties" <<'LOG'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = File
appender.file.type = File
appender.file.name = File
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
logger.pekko.name = org.apache.pekko
logger.pekko.level = WARN
LOG
}

# Flink's own way to size a process: BashJavaUtils prints JVM flags (line 1) and dynamic -D settings (line 2).
memory_params() {
  local which=$1 out
  out=$(java -cp "$state/lib/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$which" \
    --configDir "$state/conf" 2>"$state/log/bash-java-utils.err") || {
    echo "flink-cluster.sh: BashJavaUtils $which failed:" >&2; tail -n 20 "$state/log/bash-java-utils.err" >&2; exit 1; }
  printf '%s\n' "$out" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

launch() {
  local role=$1 main=$2 params=$3 metrics_port=$4 jvm dyn
  jvm=$(printf '%s\n' "$params" | sed -n 1p)
  dyn=$(printf '%s\n' "$params" | sed -n 2p)
  [ ! -s "$state/log/$role.log" ] || mv -f "$state/log/$role.log" "$state/log/$role.log.1"
  # setsid: the process leaves this shell's session, so Ctrl-C in the terminal does not stop the cluster.
  # shellcheck disable=SC2086  # the JVM flags and -D settings are word lists by design
  FLINK_PLUGINS_DIR="$state/plugins" setsid java "${FLINK_JAVA_OPENS[@]}" $jvm -XX:+UseG1GC -Djava.io.tmpdir="$state/tmp" \
    -Dlog.file="$state/log/$role.log" -Dlog4j.configurationFile="$state/conf/log4j.properties" \
    -cp "$state/lib/*" "$main" --configDir "$state/conf" $dyn -D metrics.reporter.prom.port="$metrics_port" \
    >"$state/log/$role.out" 2>&1 < /dev/null &
  echo $! > "$state/$role.pid"
}

# Starts TaskManager I (its metrics on REST+3+I).
launch_taskmanager() {
  launch "$(tm_role "$1")" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    "${2:-$(memory_params GET_TM_RESOURCE_PARAMS)}" "$(tm_metrics_port "$1")"
}

all_running() {
  local i
  running_pid jobmanager >/dev/null || return 1
  for i in $(seq 1 "$task_managers"); do running_pid "$(tm_role "$i")" >/dev/null || return 1; done
}

pids() {
  local i line="jobmanager pid $(running_pid jobmanager || echo -)"
  for i in $(seq 1 "$1"); do line+=", $(tm_role "$i") pid $(running_pid "$(tm_role "$i")" || echo -)"; done
  echo "$line"
}

start() {
  if all_running; then
    echo "flink already running ($(pids "$task_managers")); REST $rest"
    metrics_addresses "$task_managers"
    return 0
  fi
  stop >/dev/null
  command -v java >/dev/null || { echo "flink-cluster.sh: java not found on PATH (Flink 2 needs Java 17+)" >&2; exit 1; }
  warn_if_ephemeral flink-cluster.sh "$rest_port" "$last_port"
  local p
  for p in $(seq "$rest_port" "$last_port"); do
    if port_open "$p"; then
      echo "flink-cluster.sh: port $p is already in use (the cluster needs $rest_port-$last_port; try --rest-port)" >&2
      exit 1
    fi
  done
  resolve_lib
  write_config
  local started=$SECONDS tm_params i
  launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    "$(memory_params GET_JM_RESOURCE_PARAMS)" "$jm_metrics_port"
  tm_params=$(memory_params GET_TM_RESOURCE_PARAMS)
  for i in $(seq 1 "$task_managers"); do launch_taskmanager "$i" "$tm_params"; done
  local overview
  for i in $(seq 1 $((120 + 20 * task_managers))); do
    overview=$(rest_get /overview 2>/dev/null || true)
    if printf '%s' "$overview" | grep -q "\"taskmanagers\":$task_managers," \
      && printf '%s' "$overview" | grep -q '"slots-available":[1-9]'; then
      echo "flink running ($(pids "$task_managers")), ready in $((SECONDS - started)) s; REST $rest; logs $state/log"
      metrics_addresses "$task_managers"
      return 0
    fi
    all_running || break
    sleep 0.5
  done
  echo "flink-cluster.sh: the cluster did not come up with $task_managers TaskManager(s) within $((60 + 10 * task_managers)) s; last log lines:" >&2
  local files=("$state/log/jobmanager.log" "$state/log/jobmanager.out")
  for i in $(seq 1 "$task_managers"); do files+=("$state/log/$(tm_role "$i").log" "$state/log/$(tm_role "$i").out"); done
  tail -n 15 "${files[@]}" >&2 2>/dev/null || true
  stop >/dev/null
  exit 1
}

stop_role() {
  local role=$1 pid i
  pid=$(running_pid "$role") || { rm -f "$state/$role.pid"; echo "$role not running"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$state/$role.pid"; echo "$role stopped (pid $pid)"; return 0; }
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$state/$role.pid"
  echo "$role killed (pid $pid) after 30 s without a clean shutdown"
}

# Every TaskManager with a pid file, whatever N the cluster was started with.
stop() {
  local i indexes
  indexes=$(tm_indexes)
  [ -n "$indexes" ] || echo "taskmanager not running"
  for i in $indexes; do stop_role "$(tm_role "$i")"; done
  stop_role jobmanager
}

status() {
  local jm i indexes line count=0
  jm=$(running_pid jobmanager || echo "-")
  indexes=$(tm_indexes)
  line="flink jobmanager pid $jm"
  for i in $indexes; do
    line+=", $(tm_role "$i") pid $(running_pid "$(tm_role "$i")" || echo -)"
    if running_pid "$(tm_role "$i")" >/dev/null; then count=$((count + 1)); fi
  done
  if [ "$jm" = "-" ] && [ "$count" -eq 0 ]; then
    echo "flink stopped (state dir $state)"; return 3
  fi
  [ -n "$indexes" ] || line+=", no taskmanager"
  echo "$line; REST $rest"
  metrics_addresses "$(printf '%s\n' $indexes 1 | sort -n | tail -n 1)"
  echo "overview: $(rest_get /overview 2>/dev/null || echo unreachable)"
  echo "jobs: $(rest_get /jobs/overview 2>/dev/null | grep -o '"jid":"[^"]*","name":"[^"]*","start-time":[0-9]*,"end-time":-\?[0-9]*,"duration":[0-9]*,"state":"[^"]*"' | sed 's/"start-time[^,]*,"end-time[^,]*,"duration[^,]*,//' | tr '\n' ' ')"
}

# Fault injection for tests: TaskManager I dies without a chance to clean up, as on a lost machine.
kill_taskmanager() {
  local pid role; role=$(tm_role "$tm_index")
  pid=$(running_pid "$role") || { echo "flink-cluster.sh: no $role running" >&2; exit 1; }
  kill -KILL "$pid"
  rm -f "$state/$role.pid"
  echo "$role killed (pid $pid)"
}

restart_taskmanager() {
  local role; role=$(tm_role "$tm_index")
  if running_pid "$role" >/dev/null; then
    echo "flink-cluster.sh: $role is running (pid $(running_pid "$role")); kill-taskmanager --index $tm_index first" >&2
    exit 1
  fi
  # The config is written again only when no JobManager runs: it reads the same file.
  resolve_lib
  running_pid jobmanager >/dev/null || write_config
  launch_taskmanager "$tm_index"
  echo "$role started (pid $(cat "$state/$role.pid")), metrics http://127.0.0.1:$(tm_metrics_port "$tm_index")/metrics"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  kill-taskmanager) kill_taskmanager ;;
  restart-taskmanager) restart_taskmanager ;;
  *) echo "usage: $0 start|stop|status|kill-taskmanager|restart-taskmanager [--state-dir DIR] [--rest-port PORT] [--task-managers N] [--index I]" >&2; exit 2 ;;
esac
