#!/bin/bash
# Builds the OCI runtime-tools validation suite (opencontainers/runtime-tools, validation/*.t)
# offline and runs every test file against one or more OCI runtimes, printing PASS/FAIL per file
# and the count per runtime.
#
#   scripts/conformance/runtime-tools.sh SRC_DIR RUNTIME [RUNTIME...]
#   e.g. scripts/conformance/runtime-tools.sh /tmp/rt-src runc crun artifacts/bin/quai-runtime
#
# SRC_DIR is a GOPATH holding SRC_DIR/src/github.com/opencontainers/runtime-tools (a plain source
# tree, not committed here: fetch it from GitHub yourself; commit e5b4542 is the spec 1.1 build
# crun 1.8.1 accepts, newer ones write ociVersion 1.3.0, which crun 1.8.1 refuses). Its
# dependencies are vendored. Go: Debian's golang-1.23-go from bookworm-backports.
#
# A file passes when it exits 0 and prints no "not ok". Every runtime runs in the same wrapper:
# a private mount namespace without /sys/fs/cgroup/unified (crun 1.8.1 refuses a hybrid host).
# Measured here (e5b4542, 58 files): quai-runtime 43, crun 42, runc 36.
set -uo pipefail
src=${1:?usage: $0 SRC_DIR RUNTIME [RUNTIME...]}
shift
[ $# -gt 0 ] || { echo "usage: $0 SRC_DIR RUNTIME [RUNTIME...]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "runtime-tools: the validation creates containers: run as root" >&2; exit 2; }
go=/usr/lib/go-1.23/bin/go
[ -x "$go" ] || { echo "runtime-tools: install golang-1.23-go from bookworm-backports first" >&2; exit 2; }
tree=$src/src/github.com/opencontainers/runtime-tools
[ -f "$tree/Makefile" ] || { echo "runtime-tools: $tree has no Makefile: put the runtime-tools sources there" >&2; exit 2; }
runtimes=()
for r in "$@"; do
  path=$(command -v "$r") || { echo "runtime-tools: runtime $r not found" >&2; exit 2; }
  runtimes+=("$(readlink -f "$path")")
done

work=$(mktemp -d /tmp/runtime-tools.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a "$tree" "$work/runtime-tools"
(cd "$work/runtime-tools" && GOPATH=$src GO111MODULE=on GOFLAGS=-mod=vendor GOPROXY=off PATH=$(dirname "$go"):$PATH \
  make -s runtimetest validation-executables) || { echo "runtime-tools: build failed" >&2; exit 1; }

cd "$work/runtime-tools" || exit 1
summary=()
for rt in "${runtimes[@]}"; do
  pass=0 total=0
  for t in validation/*/*.t; do
    name=$(basename "$t" .t)
    total=$((total + 1))
    RUNTIME=$rt timeout -k 10 60 unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh "./$t" \
      > "$work/out.tap" 2> "$work/err.txt" < /dev/null
    rc=$?
    if [ $rc -eq 0 ] && ! grep -qE '^[[:space:]]*not ok' "$work/out.tap"; then
      pass=$((pass + 1)); result=PASS
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
      result=TIMEOUT
    else
      result=FAIL
    fi
    printf '%-8s %-40s %s\n' "$result" "$name" "$(basename "$rt")"
  done
  rm -rf /tmp/ocitest* 2>/dev/null
  summary+=("$(basename "$rt"): $pass of $total files pass")
done
printf '%s\n' "${summary[@]}"
