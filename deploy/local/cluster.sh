#!/usr/bin/env bash
# The local production-like setup in one place: a Kafka broker (kafka.sh) and a standalone Flink
# session cluster (flink-cluster.sh), and submission of the job jar with a model version (rollout.sh).
#
# Usage: deploy/local/cluster.sh start [--security plaintext|sasl_ssl] [--task-managers N] | stop | status
#        deploy/local/cluster.sh submit [--model VERSION] [JOB OPTIONS]
#   start    broker + pricing topics + JobManager + TaskManager; --security (or KAFKA_SECURITY) as in
#            kafka.sh: sasl_ssl gives the broker a TLS listener with SCRAM-SHA-512 users; --task-managers
#            (or FLINK_TASK_MANAGERS, default 1) TaskManager processes of FLINK_TASK_SLOTS (2) slots each
#   submit   validates the model, uploads pricing-job/target/*-job.jar and runs it (default model v1),
#            with --kafka-config $PRICING_WORK_DIR/kafka/client.properties (the broker's client
#            settings, written by kafka.sh) unless JOB OPTIONS name one; the rollout tool keeps it with
#            the deployment, so later deploy/rollout.sh commands use it too.
#            Further changes of model go through deploy/rollout.sh
#   stop     stops the running job with a savepoint first (if one was submitted), then the cluster and broker
#   status   broker, cluster, the deployed job and its model
# Ports: KAFKA_PORT (19092), FLINK_REST_PORT (18181). State under $PRICING_WORK_DIR (default .work):
# kafka/, flink/ (checkpoints/ and savepoints/ inside), rollout/ (deployment.json, rollout-history.jsonl).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${PRICING_WORK_DIR:-$repo/.work}
kafka_port=${KAFKA_PORT:-19092}
rest_port=${FLINK_REST_PORT:-18181}
cmd=${1:-}; shift || true
kafka=("$repo/deploy/local/kafka.sh")
kafka_args=(--state-dir "$work/kafka" --port "$kafka_port")
flink=("$repo/deploy/local/flink-cluster.sh")
flink_args=(--state-dir "$work/flink" --rest-port "$rest_port")
tool_args=(--rest "http://127.0.0.1:$rest_port" --state-dir "$work/rollout")

case "$cmd" in
  start)
    security=${KAFKA_SECURITY:-}
    task_managers=${FLINK_TASK_MANAGERS:-1}
    while [ $# -gt 0 ]; do
      case "$1" in
        --security) [ $# -ge 2 ] || { echo "cluster.sh: --security needs a value" >&2; exit 2; }; security=$2; shift 2 ;;
        --task-managers) [ $# -ge 2 ] || { echo "cluster.sh: --task-managers needs a value" >&2; exit 2; }; task_managers=$2; shift 2 ;;
        *) echo "cluster.sh: unknown start option $1" >&2; exit 2 ;;
      esac
    done
    [ -z "$security" ] || kafka_args+=(--security "$security")
    "${kafka[@]}" start "${kafka_args[@]}"
    "${kafka[@]}" topics "${kafka_args[@]}" >/dev/null
    "${flink[@]}" start "${flink_args[@]}" --task-managers "$task_managers"
    ;;
  submit)
    model=v1; args=(); kafka_config="$work/kafka/client.properties"
    while [ $# -gt 0 ]; do
      case "$1" in
        --model) model=$2; shift 2 ;;
        --kafka-config) kafka_config=$2; shift 2 ;;
        *) args+=("$1"); shift ;;
      esac
    done
    [ ! -f "$kafka_config" ] || args+=(--kafka-config "$kafka_config")
    "$repo/deploy/rollout.sh" submit "${tool_args[@]}" --model "$model" \
      --kafka.bootstrap-servers "127.0.0.1:$kafka_port" ${args[@]+"${args[@]}"}
    ;;
  stop)
    if [ -f "$work/rollout/deployment.json" ] && "${flink[@]}" status "${flink_args[@]}" >/dev/null 2>&1; then
      "$repo/deploy/rollout.sh" stop "${tool_args[@]}" || echo "cluster.sh: stop with savepoint failed; stopping anyway" >&2
    fi
    "${flink[@]}" stop "${flink_args[@]}"
    "${kafka[@]}" stop "${kafka_args[@]}"
    ;;
  status)
    "${kafka[@]}" status "${kafka_args[@]}" || true
    "${flink[@]}" status "${flink_args[@]}" || true
    if [ -f "$work/rollout/deployment.json" ]; then
      echo "deployment: $(tr -d '\n ' < "$work/rollout/deployment.json")"
    fi
    ;;
  *) sed -n 2,18p "$0" >&2; exit 2 ;;
esac
