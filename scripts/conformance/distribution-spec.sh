#!/bin/bash
# Builds the OCI distribution-spec conformance suite (opencontainers/distribution-spec,
# conformance/) offline and runs it against quai-registry on 127.0.0.1, printing the JUnit counts.
#
#   scripts/conformance/distribution-spec.sh SRC_DIR [QUAI_REGISTRY_BIN]
#
# SRC_DIR holds plain source trees (not committed here; fetch them from GitHub yourself) laid out
# as a GOPATH:
#   SRC_DIR/src/github.com/opencontainers/distribution-spec   (main; its conformance/ suite)
#   SRC_DIR/src/github.com/opencontainers/image-spec          (v1.1.1)
#   SRC_DIR/src/github.com/opencontainers/go-digest           (v1.0.0)
#   SRC_DIR/src/github.com/goccy/go-yaml                      (v1.18.0)
# Go: Debian's golang-1.23-go from bookworm-backports. The suite's go.mod asks for Go 1.24 only
# for crypto/rand.Text and strings.SplitSeq; the build below runs in GOPATH mode and patches those
# two calls in a scratch copy.
set -euo pipefail
src=${1:?usage: $0 SRC_DIR [QUAI_REGISTRY_BIN]}
registry=${2:-$(dirname "$0")/../../artifacts/bin/quai-registry}
go=/usr/lib/go-1.23/bin/go
[ -x "$go" ] || { echo "conformance: install golang-1.23-go from bookworm-backports first" >&2; exit 2; }
work=$(mktemp -d /tmp/oci-conformance.XXXXXX)
trap '[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
cp -a "$src/src" "$work/src"
suite=$work/src/github.com/opencontainers/distribution-spec/conformance
sed -i 's/rand\.Text()/randText()/g' "$suite"/*.go
sed -i 's/for \([a-z]*\) := range strings\.SplitSeq(\(.*\)) {/for _, \1 := range strings.Split(\2) {/' "$suite"/*.go
pkg=$(sed -n 's/^package \([a-z_]*\)$/\1/p' "$suite/run.go")
cat > "$suite/go123compat.go" <<GO
package $pkg

import (
	"crypto/rand"
	"encoding/base32"
)

// randText stands in for Go 1.24's crypto/rand.Text.
func randText() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}
GO
(cd "$suite" && rm -f go.mod go.sum && GO111MODULE=off GOPATH=$work GOFLAGS= "$go" test -c -o "$work/conformance.test" .)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/root" "$work/results"
"$registry" serve --addr "127.0.0.1:$port" --root "$work/root" > "$work/registry.log" 2>&1 & pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
rc=0
(cd "$work" && OCI_REGISTRY=127.0.0.1:$port OCI_TLS=disabled OCI_REPO1=conformance/repo1 OCI_REPO2=conformance/repo2 \
  OCI_RESULTS_DIR=$work/results OCI_VERSION=1.1 ./conformance.test > "$work/out.txt" 2>&1) || rc=$?
sed -n '/^API conformance/,$p' "$work/out.txt"
grep -o '<testsuites[^>]*>' "$work/results/junit.xml" || grep -m1 -o 'tests="[0-9]*"[^>]*' "$work/results/junit.xml"
exit $rc
