#!/usr/bin/env bash
# Installs the local platform's parts, each through its own registry by name and
# pinned version, into $KIT_LOCAL_CACHE (default ~/.cache/streaming-platform-kit/local-platform,
# outside the clone, so a second run on the same machine, from any clone, installs
# nothing; folders keyed by version):
#   - Debian: prometheus (with promtool), prometheus-alertmanager, iproute2;
#   - Maven Central: Kafka (the version the kit deploys), log4j2 and the JMX
#     exporter java agent, from local/pom.xml;
#   - the Go module proxy: k6, from local/tools.env.
# Usage: local/install.sh    (prints the cache folder's parts at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KIT_LOCAL_CACHE:-$HOME/.cache/streaming-platform-kit/local-platform}
mkdir -p "$CACHE"

DEB_PACKAGES=(prometheus prometheus-alertmanager iproute2)
missing=()
for p in "${DEB_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "local/install: Debian packages: ${missing[*]}"
    apt-get update -qq
    # The packages' own services are not wanted: the platform starts its own processes on loopback.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "local/install: missing Debian packages ${missing[*]}; install them (needs root)" >&2
    exit 1
  fi
fi

# JVM parts: one folder per pom content, so a version bump resolves into a new folder.
pom_hash=$(sha256sum local/pom.xml | cut -c1-12)
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' local/pom.xml)
libs="$CACHE/kafka-$kafka_version-$pom_hash"
if [ ! -f "$libs/.complete" ]; then
  echo "local/install: Kafka $kafka_version and the JMX exporter from Maven Central (mvn dependency:copy-dependencies)"
  rm -rf "$libs"
  mvn -q -B -f local/pom.xml dependency:copy-dependencies -DoutputDirectory="$libs"
  touch "$libs/.complete"
fi

# Go programs, built from the module proxy at the pinned version.
# shellcheck source=local/tools.env
source local/tools.env
k6dir="$CACHE/k6-$K6_VERSION"
if [ ! -x "$k6dir/k6" ]; then
  echo "local/install: k6 $K6_VERSION (go install $K6_MODULE@$K6_VERSION; about 2 minutes on 2 cores)"
  rm -rf "$k6dir.tmp"
  GOBIN="$k6dir.tmp" go install "$K6_MODULE@$K6_VERSION"
  rm -rf "$k6dir" && mv "$k6dir.tmp" "$k6dir"
fi

echo "local/install: ready: $libs, $k6dir/k6 ($("$k6dir/k6" version | head -1)), $(prometheus --version 2>&1 | head -1), $(prometheus-alertmanager --version 2>&1 | head -1)"
