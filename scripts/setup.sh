#!/usr/bin/env bash
# One command on a fresh machine: install everything, then synthesize every environment.
# Usage: ./scripts/setup.sh            (all environments)
#        KIT_ENV=prod ./scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1 CDKTF_DISABLE_TELEMETRY=1

# Debian packages for the local Kafka-protocol harness (mock cluster build). Only
# installed when missing and when we can (root with apt-get); synth needs none.
DEB_PACKAGES=(librdkafka-dev pkg-config make gcc libc6-dev)
missing=()
for p in "${DEB_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: warning: missing ${missing[*]} (needed to build the mock Kafka cluster for the ingest tests, not for synth)" >&2
  fi
fi

# Exactly the lockfile's versions; the same command runs in .ci/run and in the users' workflows.
npm ci --no-audit --no-fund

# The local platform's parts (Kafka from Maven Central, k6 from the Go module proxy, Prometheus and
# Alertmanager from Debian), cached by version under .cache/local-platform. Synth needs none of them:
# KIT_SKIP_LOCAL_PLATFORM=1 skips this step (for example on a machine without Java, Maven or Go).
if [ "${KIT_SKIP_LOCAL_PLATFORM:-0}" != 1 ]; then
  ./local/install.sh
fi

npm run synth
