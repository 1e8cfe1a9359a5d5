# Sourced by kafka.sh and flink-cluster.sh: a warning when a fixed port lies in the kernel's ephemeral
# range (net.ipv4.ip_local_port_range, 32768-60999 on most Linux systems). The kernel hands ports from
# that range to outgoing connections, so a fixed listening port there can be taken for a moment by any
# client on this machine and the start fails with "address already in use" although nothing listens.
# The defaults (Kafka 19092, Flink REST 18181, and the tools' 18xxx/19xxx) lie below it.

# warn_if_ephemeral SCRIPT FIRST [LAST]: warns on stderr when any port in FIRST..LAST is ephemeral.
warn_if_ephemeral() {
  local script=$1 first=$2 last=${3:-$2} low high
  read -r low high < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { low=32768; high=60999; }
  if [ "$last" -ge "$low" ] && [ "$first" -le "$high" ]; then
    echo "$script: warning: port(s) $first-$last lie in the ephemeral range $low-$high" \
      "(/proc/sys/net/ipv4/ip_local_port_range); an outgoing connection may hold one for a moment and" \
      "the start fail. Prefer a port below $low." >&2
  fi
}
