#!/usr/bin/env bash
# The whole test suite: unit tests and root integration tests with real containers and real peers.
# Usage: ./test.sh [dotnet test filter]   e.g. ./test.sh "FullyQualifiedName~Seccomp"
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: the integration tests create real containers and need root (sudo ./test.sh)" >&2
  exit 2
fi

./scripts/deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Native AOT binaries the integration tests drive as black boxes.
./scripts/publish.sh "$root/artifacts/bin"
export QUAI_BIN_DIR="$root/artifacts/bin"

dotnet build Quai.slnx -c Release -nologo -v quiet

log=$(mktemp)
trap 'rm -f "$log"' EXIT
args=(Quai.slnx -c Release --no-build --nologo --blame-hang-timeout 10m)
if [ $# -gt 0 ]; then args+=(--filter "$1"); fi
set +e
dotnet test "${args[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# One closing line over every test assembly ("N passed, N failed").
awk '/(Passed|Failed)! +- +Failed: /{
  for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
    if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$rc"
