#!/usr/bin/env bash
# Audit the locked dependencies (uv.lock: every workspace member, dev tools included) for known
# vulnerabilities with pip-audit. Exit codes: 0 clean, 1 vulnerabilities found, 2 the audit could not
# run (no vulnerability data reachable) — never a silent pass.
#
#   make audit                              # PyPI's vulnerability data (pip-audit's default)
#   PUSIP_AUDIT_SERVICE=osv make audit      # the OSV database instead
set -uo pipefail
cd "$(dirname "$0")/../.."
UV="${UV:-uv}"
SERVICE="${PUSIP_AUDIT_SERVICE:-pypi}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
req="$work/requirements.txt"

if ! "$UV" export --frozen --no-hashes --all-packages --no-emit-workspace --format requirements.txt \
    -o "$req" >/dev/null 2>"$work/export.err"; then
  cat "$work/export.err" >&2
  echo "audit: uv export gagal / failed (is uv.lock up to date? run \`uv lock\`)" >&2
  exit 2
fi
count="$(grep -c '==' "$req")"
echo "pip-audit: $count paket terkunci / locked packages from uv.lock, layanan / service: $SERVICE"

# Every package is pinned (the export lists the whole locked graph), so no resolution is needed:
# --no-deps --disable-pip audits exactly these versions. --strict: a package that cannot be
# checked fails the audit instead of being skipped.
"$UV" run --frozen pip-audit -r "$req" --no-deps --disable-pip --strict --progress-spinner off \
  --vulnerability-service "$SERVICE" --desc on >"$work/out" 2>"$work/err"
rc=$?
cat "$work/out"
if [ "$rc" -eq 0 ]; then
  echo "audit: tidak ada kerentanan yang diketahui / no known vulnerabilities ($count packages)"
  exit 0
fi

if grep -q "could not be audited" "$work/err"; then
  grep "could not be audited" "$work/err" | head -3 >&2
  cat >&2 <<'MSG'

audit: TIDAK BERJALAN / DID NOT RUN — pip-audit could not get vulnerability data for a package.
  pip-audit's "pypi" service asks the registry's per-release JSON API (/pypi/<name>/<version>/json)
  for each pinned release. On the machines Pusip is developed and tested on, that endpoint answers
  HTTP 404 with an empty body for every release (the package index and the per-project JSON pages
  are reachable, the per-release pages are not), so every package ends as "Dependency not found on
  PyPI and could not be audited". Nothing was checked. Run `make audit` where that API (or OSV:
  PUSIP_AUDIT_SERVICE=osv) is reachable; if only one package is named above, that package itself is
  not on the registry.
MSG
  exit 2
fi
if grep -qE "NameResolutionError|ConnectionError|Max retries exceeded|Failed to resolve" "$work/err"; then
  grep -E "ConnectionError|NameResolutionError" "$work/err" | tail -1 >&2
  cat >&2 <<MSG

audit: TIDAK BERJALAN / DID NOT RUN — the vulnerability service "$SERVICE" is unreachable from this
  machine (see the error above). Nothing was checked.
MSG
  exit 2
fi
if grep -qiE "known vulnerabilit" "$work/err" "$work/out"; then
  grep -iE "known vulnerabilit" "$work/err" >&2 || true
  echo "audit: KERENTANAN DITEMUKAN / VULNERABILITIES FOUND: upgrade (uv lock --upgrade-package NAME) or document an exception" >&2
  exit 1
fi
cat "$work/err" >&2
echo "audit: pip-audit gagal / failed (exit $rc)" >&2
exit 2
