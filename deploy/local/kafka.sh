#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft: broker and controller in one process) on this machine,
# built from Maven Central jars (deploy/local/kafka/pom.xml): no Docker, no downloads besides Maven.
#
# Usage: deploy/local/kafka.sh start|stop|status|topics [--state-dir DIR] [--port PORT]
#                              [--security plaintext|sasl_ssl] [TOPIC ...]
#   start   format storage (first time), start the broker on 127.0.0.1:PORT, wait until it answers;
#           writes the clients' settings for this broker to STATE/client.properties and prints its path
#   stop    stop it (SIGTERM, then SIGKILL after 20 s)
#   status  running or stopped, pid, bootstrap address, security
#   topics  create topics if missing, then list all topics. TOPIC is NAME[:PARTITIONS[:KEY=VALUE,...]];
#           without TOPIC arguments: $PRICING_TOPICS (same syntax, space separated) or the pricing
#           topics behaviour-events, catalog-updates (compacted), price-requests, competitor-prices,
#           model-control (compacted, one partition), erasure-requests, price-decisions, feedback-outcomes,
#           dead-letters, model-serving, each prefixed
#           "$PRICING_TOPIC_PREFIX." (default "pricing.").
#           Default partitions: $KAFKA_TOPIC_PARTITIONS or 2; replication factor 1.
# Defaults: --state-dir $PRICING_WORK_DIR/kafka (PRICING_WORK_DIR defaults to <repo>/.work),
#           --port $KAFKA_PORT or 19092 (the controller listens on PORT+1). Both bound to 127.0.0.1.
#           --security: what the state dir's broker last ran with, else plaintext. (The scripts that
#           start a broker of their own, demo and benchmarks, leave it plaintext; cluster.sh takes
#           KAFKA_SECURITY too.)
# Security:
#   plaintext  no encryption, no authentication (loopback only).
#   sasl_ssl   the client listener speaks TLS and authenticates with SCRAM-SHA-512. On the first start a
#              self-signed CA, the broker's key store and the clients' trust store are made with the
#              JDK's keytool (STATE/security/, passwords random, kept in STATE/security/credentials),
#              and the SCRAM users "broker" (the broker's own connections to itself) and "pricing"
#              (every client: job, tools, topics) are written into the metadata log when the storage
#              is formatted. So a state dir formatted as plaintext cannot switch to sasl_ssl: delete
#              STATE/data (topics are lost) or use another --state-dir. The controller listener
#              (PORT+1) stays PLAINTEXT: it is the node talking to itself on 127.0.0.1, not reachable
#              from elsewhere, and no client uses it.
#   STATE/client.properties holds a client's settings in Kafka's own format (security.protocol, and for
#   sasl_ssl sasl.mechanism, sasl.jaas.config, ssl.truststore.*): give it to the job and the tools with
#   --kafka-config FILE, to Kafka's command-line tools with --command-config FILE. It holds a password:
#   the state dir's security/ and these files are readable by their owner only.
# Files in the state dir: kafka.log (broker log), kafka.out (JVM stdout/stderr), kafka.pid,
#           server.properties, client.properties, security/ (sasl_ssl), data/ (topic data, kept across
#           restarts; delete the dir to reset).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cmd=${1:-}; shift || true
state=${PRICING_WORK_DIR:-$repo/.work}/kafka
port=${KAFKA_PORT:-19092}
security=
topic_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) [ $# -ge 2 ] || { echo "kafka.sh: --state-dir needs a value" >&2; exit 2; }; state=$2; shift 2 ;;
    --port) [ $# -ge 2 ] || { echo "kafka.sh: --port needs a value" >&2; exit 2; }; port=$2; shift 2 ;;
    --security) [ $# -ge 2 ] || { echo "kafka.sh: --security needs a value" >&2; exit 2; }; security=$2; shift 2 ;;
    -*) echo "kafka.sh: unknown option $1" >&2; exit 2 ;;
    *) [ "$cmd" = topics ] || { echo "kafka.sh: unexpected argument $1" >&2; exit 2; }
       topic_args+=("$1"); shift ;;
  esac
done
case "$port" in ''|*[!0-9]*) echo "kafka.sh: --port must be a number, got '$port'" >&2; exit 2 ;; esac
[ "$port" -ge 1024 ] && [ "$port" -lt 65535 ] || { echo "kafka.sh: port $port out of range 1024-65534" >&2; exit 2; }
source "$repo/deploy/local/ports.sh"
mkdir -p "$state"
state=$(cd "$state" && pwd -P)
pid_file="$state/kafka.pid"
# Without --security: what this state dir's broker last ran with.
[ -n "$security" ] || security=$(cat "$state/security.mode" 2>/dev/null || echo plaintext)
security=$(printf '%s' "$security" | tr '[:upper:]' '[:lower:]')
case "$security" in plaintext|sasl_ssl) ;; *) echo "kafka.sh: --security must be plaintext or sasl_ssl, got '$security'" >&2; exit 2 ;; esac
sec_dir="$state/security"
client_config="$state/client.properties"
client_user=pricing
log="$state/kafka.log"
bootstrap="127.0.0.1:$port"
# Short-lived tool JVMs (storage format, topic commands): quiet logs, quick start (C1 only, serial GC).
tool_jvm=(-Dlog4j2.configurationFile="$state/log4j2-stderr.properties" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)

# The pid from the pid file, if that process is alive and is this state dir's broker (not a reused pid).
running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid; pid=$(cat "$pid_file")
  case "$pid" in ''|*[!0-9]*) return 1 ;; esac
  local args; args=$(ps -ww -o args= -p "$pid" 2>/dev/null) || return 1
  case "$args" in *kafka.Kafka*"$state/server.properties"*) echo "$pid" ;; *) return 1 ;; esac
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need_java() {
  command -v java >/dev/null || { echo "kafka.sh: java not found on PATH (Kafka 4.1 needs Java 17+)" >&2; exit 1; }
  local v; v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  if [ -n "$v" ] && [ "$v" -lt 17 ]; then
    echo "kafka.sh: Kafka 4.1 needs Java 17+, found Java $v" >&2; exit 1
  fi
}

# The broker classpath, resolved by Maven once and cached in the state dir (refreshed when the pom changes).
classpath() {
  local cp_file="$state/classpath.txt" pom="$repo/deploy/local/kafka/pom.xml"
  if [ ! -s "$cp_file" ] || [ "$pom" -nt "$cp_file" ]; then
    command -v mvn >/dev/null || { echo "kafka.sh: mvn not found on PATH (needed once to resolve the Kafka jars)" >&2; exit 1; }
    if ! mvn -B -q -f "$pom" dependency:build-classpath -Dmdep.outputFile="$cp_file" >"$state/mvn.log" 2>&1; then
      echo "kafka.sh: resolving the Kafka jars with Maven failed:" >&2
      tail -n 20 "$state/mvn.log" >&2
      rm -f "$cp_file"; exit 1
    fi
  fi
  cat "$cp_file"
}

# A random password: letters and digits only, so it needs no quoting in JAAS or --add-scram.
random_password() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }

# sasl_ssl, first start: a self-signed CA, the broker's key pair signed by it (for 127.0.0.1 and
# localhost, so clients' host name checks pass), a trust store with the CA for clients and for the
# broker's own connections, and the SCRAM passwords. Kept across restarts: the SCRAM users live in the
# metadata log and the clients' trust store must stay valid.
make_security() {
  [ -s "$sec_dir/credentials" ] && [ -s "$sec_dir/broker.keystore.p12" ] && [ -s "$sec_dir/client.truststore.p12" ] && return 0
  command -v keytool >/dev/null || { echo "kafka.sh: keytool (JDK) not found on PATH; needed for --security sasl_ssl" >&2; exit 1; }
  rm -rf "$sec_dir"; mkdir -p "$sec_dir"; chmod 700 "$sec_dir"
  local store_pw broker_pw client_pw
  store_pw=$(random_password); broker_pw=$(random_password); client_pw=${KAFKA_CLIENT_PASSWORD:-$(random_password)}
  local kt=(keytool -noprompt -storetype PKCS12 -keyalg RSA -keysize 2048 -validity 3650)
  local san="SAN=ip:127.0.0.1,dns:localhost"
  {
    "${kt[@]}" -genkeypair -alias ca -dname "CN=pricing-engine local CA" -ext bc:c \
      -keystore "$sec_dir/ca.p12" -storepass "$store_pw"
    keytool -exportcert -rfc -alias ca -keystore "$sec_dir/ca.p12" -storepass "$store_pw" -file "$sec_dir/ca.pem"
    "${kt[@]}" -genkeypair -alias broker -dname "CN=127.0.0.1" -ext "$san" \
      -keystore "$sec_dir/broker.keystore.p12" -storepass "$store_pw"
    keytool -certreq -alias broker -keystore "$sec_dir/broker.keystore.p12" -storepass "$store_pw" -file "$sec_dir/broker.csr"
    keytool -gencert -rfc -alias ca -keystore "$sec_dir/ca.p12" -storepass "$store_pw" -validity 3650 -ext "$san" \
      -infile "$sec_dir/broker.csr" -outfile "$sec_dir/broker.pem"
    keytool -noprompt -importcert -alias ca -file "$sec_dir/ca.pem" -keystore "$sec_dir/broker.keystore.p12" -storepass "$store_pw"
    keytool -noprompt -importcert -alias broker -file "$sec_dir/broker.pem" -keystore "$sec_dir/broker.keystore.p12" -storepass "$store_pw"
    keytool -noprompt -importcert -alias ca -file "$sec_dir/ca.pem" -storetype PKCS12 \
      -keystore "$sec_dir/client.truststore.p12" -storepass "$store_pw"
  } >"$sec_dir/keytool.log" 2>&1 || { echo "kafka.sh: making the TLS key and trust stores failed:" >&2; cat "$sec_dir/keytool.log" >&2; exit 1; }
  rm -f "$sec_dir/broker.csr"
  ( umask 077; printf 'store_password=%s\nbroker_password=%s\nclient_password=%s\n' "$store_pw" "$broker_pw" "$client_pw" \
      > "$sec_dir/credentials" )
}

# credential NAME: one value from security/credentials.
credential() { sed -n "s/^$1=//p" "$sec_dir/credentials"; }

scram_jaas() { echo "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$1\" password=\"$2\";"; }

write_config() {
  local listener=PLAINTEXT
  [ "$security" = plaintext ] || listener=SASL_SSL
  ( umask 077; cat > "$state/server.properties" <<PROPS
# Written by deploy/local/kafka.sh on each start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((port + 1))
listeners=$listener://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=$listener://127.0.0.1:$port
controller.listener.names=CONTROLLER
# The controller listener stays PLAINTEXT: only this node connects to it, on 127.0.0.1.
listener.security.protocol.map=$listener:$listener,CONTROLLER:PLAINTEXT
inter.broker.listener.name=$listener
log.dirs=$state/data
num.partitions=2
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
# Kafka's default (15 min), explicit: transactional producers must ask for no more than this.
transaction.max.timeout.ms=900000
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.retention.bytes=1073741824
log.segment.bytes=134217728
PROPS
  )
  if [ "$security" = sasl_ssl ]; then
    local store_pw; store_pw=$(credential store_password)
    cat >> "$state/server.properties" <<PROPS
# SASL_SSL: TLS with the local CA's certificate, SCRAM-SHA-512 users from the metadata log.
sasl.enabled.mechanisms=SCRAM-SHA-512
# The broker connects to its own listener as the SCRAM user "broker".
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$(scram_jaas broker "$(credential broker_password)")
ssl.keystore.type=PKCS12
ssl.keystore.location=$sec_dir/broker.keystore.p12
ssl.keystore.password=$store_pw
ssl.key.password=$store_pw
ssl.truststore.type=PKCS12
ssl.truststore.location=$sec_dir/client.truststore.p12
ssl.truststore.password=$store_pw
ssl.client.auth=none
PROPS
    ( umask 077; cat > "$client_config" <<PROPS
# Written by deploy/local/kafka.sh: a client's settings for the broker on 127.0.0.1:$port (SASL_SSL).
# Job and tools: --kafka-config $client_config; Kafka's tools: --command-config $client_config
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$(scram_jaas "$client_user" "$(credential client_password)")
ssl.truststore.type=PKCS12
ssl.truststore.location=$sec_dir/client.truststore.p12
ssl.truststore.password=$store_pw
PROPS
    )
  else
    cat > "$client_config" <<PROPS
# Written by deploy/local/kafka.sh: a client's settings for the broker on 127.0.0.1:$port (PLAINTEXT).
security.protocol=PLAINTEXT
PROPS
  fi
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
  local pid
  if pid=$(running_pid); then
    echo "kafka already running (pid $pid) on $bootstrap"; return 0
  fi
  rm -f "$pid_file"
  warn_if_ephemeral kafka.sh "$port" "$((port + 1))"
  need_java
  local p
  for p in "$port" "$((port + 1))"; do
    if port_open "$p"; then
      echo "kafka.sh: port $p is already in use by another process (the broker needs $port and $((port + 1)); try --port)" >&2
      exit 1
    fi
  done
  local cp; cp=$(classpath)
  if [ "$security" = sasl_ssl ]; then
    if [ -f "$state/data/meta.properties" ] && [ ! -f "$state/data/scram-users" ]; then
      echo "kafka.sh: $state/data was formatted without SCRAM users, so it cannot serve --security sasl_ssl;" \
        "delete $state/data (its topics are lost) or use another --state-dir" >&2
      exit 1
    fi
    make_security
  fi
  write_config
  if [ ! -f "$state/data/meta.properties" ]; then
    local id scram=()
    id=$(java "${tool_jvm[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    [ -n "$id" ] || { echo "kafka.sh: could not generate a cluster id (kafka.tools.StorageTool random-uuid)" >&2; exit 1; }
    if [ "$security" = sasl_ssl ]; then
      scram=(--add-scram "SCRAM-SHA-512=[name=broker,password=$(credential broker_password)]"
             --add-scram "SCRAM-SHA-512=[name=$client_user,password=$(credential client_password)]")
    fi
    java "${tool_jvm[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$state/server.properties" \
      ${scram[@]+"${scram[@]}"} >"$state/format.log" 2>&1 \
      || { echo "kafka.sh: formatting $state/data failed:" >&2; cat "$state/format.log" >&2; exit 1; }
    [ "$security" = plaintext ] || echo "broker $client_user" > "$state/data/scram-users"
  fi
  echo "$security" > "$state/security.mode"
  local started=$SECONDS
  [ ! -s "$log" ] || mv -f "$log" "$log.1"   # a fresh log, so the readiness check sees only this run
  # setsid: the broker leaves this shell's session, so Ctrl-C or closing the terminal does not stop it.
  setsid java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.io.tmpdir="$state" \
    -Dlog4j2.configurationFile="$state/log4j2.properties" -cp "$cp" kafka.Kafka "$state/server.properties" \
    >"$state/kafka.out" 2>&1 < /dev/null &
  echo $! > "$pid_file"
  local i
  for i in $(seq 1 120); do
    if port_open "$port" && grep -q "Kafka Server started" "$log" 2>/dev/null; then
      echo "kafka running (pid $(cat "$pid_file")) on $bootstrap ($(describe_security)), ready in $((SECONDS - started)) s; log $log"
      echo "kafka client properties: $client_config"
      return 0
    fi
    running_pid >/dev/null || break
    sleep 0.5
  done
  if running_pid >/dev/null; then
    echo "kafka.sh: broker did not answer on $bootstrap within 60 s; last log lines:" >&2
  else
    echo "kafka.sh: broker exited during start-up; last log lines:" >&2
  fi
  tail -n 20 "$log" "$state/kafka.out" >&2 2>/dev/null || true
  stop >/dev/null
  exit 1
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$pid_file"; echo "kafka not running"; return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; echo "kafka stopped (pid $pid)"; return 0; }
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  for i in $(seq 1 10); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  rm -f "$pid_file"
  echo "kafka killed (pid $pid) after 20 s without a clean shutdown"
}

describe_security() {
  if [ "$security" = sasl_ssl ]; then echo "SASL_SSL, SCRAM-SHA-512 user $client_user"; else echo "PLAINTEXT"; fi
}

topics() {
  running_pid >/dev/null || { echo "kafka.sh: no broker running for $state; run: $0 start" >&2; exit 1; }
  local partitions=${KAFKA_TOPIC_PARTITIONS:-2}
  local specs=()
  if [ ${#topic_args[@]} -gt 0 ]; then
    specs=("${topic_args[@]}")
  elif [ -n "${PRICING_TOPICS:-}" ]; then
    read -r -a specs <<< "$PRICING_TOPICS"
  else
    local prefix=${PRICING_TOPIC_PREFIX:-pricing}
    specs=("$prefix.behaviour-events" "$prefix.catalog-updates::cleanup.policy=compact" "$prefix.price-requests"
           "$prefix.competitor-prices" "$prefix.model-control:1:cleanup.policy=compact" "$prefix.erasure-requests"
           "$prefix.price-decisions" "$prefix.feedback-outcomes" "$prefix.dead-letters" "$prefix.model-serving")
  fi
  local cp; cp=$(classpath)
  [ -f "$client_config" ] || { echo "kafka.sh: $client_config is missing; restart the broker with: $0 start" >&2; exit 1; }
  # One JVM per topic (TopicCommand creates one topic per call), run side by side.
  local spec name parts configs extra pids=() names=() i=0
  for spec in "${specs[@]}"; do
    IFS=: read -r name parts configs <<< "$spec"
    parts=${parts:-$partitions}
    case "$parts" in ''|*[!0-9]*) echo "kafka.sh: bad partition count in '$spec' (NAME[:PARTITIONS[:KEY=VALUE,...]])" >&2; exit 2 ;; esac
    extra=()
    if [ -n "$configs" ]; then
      local kvs kv; IFS=, read -r -a kvs <<< "$configs"
      for kv in "${kvs[@]}"; do extra+=(--config "$kv"); done
    fi
    java "${tool_jvm[@]}" -cp "$cp" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
      --command-config "$client_config" --create --if-not-exists --topic "$name" --partitions "$parts" --replication-factor 1 ${extra[@]+"${extra[@]}"} \
      >"$state/topic-$i.log" 2>&1 &
    pids+=($!); names+=("$name"); i=$((i + 1))
  done
  local failed=0
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      echo "kafka.sh: creating topic ${names[$i]} failed:" >&2; cat "$state/topic-$i.log" >&2; failed=1
    fi
    rm -f "$state/topic-$i.log"
  done
  [ "$failed" = 0 ] || exit 1
  java "${tool_jvm[@]}" -cp "$cp" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
    --command-config "$client_config" --list
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status)
    if pid=$(running_pid); then echo "kafka running (pid $pid) on $bootstrap ($(describe_security)); client properties $client_config"; else echo "kafka stopped ($bootstrap)"; fi ;;
  topics) topics ;;
  *) echo "usage: $0 start|stop|status|topics [--state-dir DIR] [--port PORT] [--security plaintext|sasl_ssl] [TOPIC[:PARTITIONS[:KEY=VALUE,...]] ...]" >&2; exit 2 ;;
esac
