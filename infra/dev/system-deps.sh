#!/usr/bin/env bash
# Debian packages the test tiers need: Chromium for the portal tests, docker-compose to validate
# docker-compose.yml offline, yaz for the SRU client. Installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v yaz-client >/dev/null 2>&1 || need+=(yaz)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Paket sistem belum terpasang / missing system packages: ${need[*]} (run as root or install them)" >&2
  exit 1
fi
echo "Memasang / installing: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "apt-get update gagal / failed" >&2; exit 1; }
apt-get install -y -qq "${need[@]}" >/dev/null
