#!/usr/bin/env bash
# Installs Node.js and npm from Debian's packages when they are missing (the Node example and its test
# need them; kafkajs itself comes from the npm registry through `npm ci`). Needs root to install.
set -euo pipefail
if command -v node >/dev/null && command -v npm >/dev/null; then
  echo "node $(node --version), npm $(npm --version) present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps.sh: node or npm missing; run as root (or: sudo apt-get install -y nodejs npm)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq nodejs npm >/dev/null
echo "installed node $(node --version), npm $(npm --version)"
