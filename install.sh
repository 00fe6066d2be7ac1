#!/usr/bin/env bash
# Sets Quai up on a Debian 12 machine (idempotent): Debian packages, a Release build with Native AOT
# for the runtime, binaries into /usr/local/bin, then a first real container.
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (it installs packages and binaries, and starts a container)" >&2
  exit 2
fi

./scripts/deps.sh
./scripts/publish.sh "$(pwd)/artifacts/bin"

prefix=/usr/local
install -d "$prefix/bin" "$prefix/lib/quai"
for exe in quai-runtime quai-shim quaid quai; do
  install -m 0755 "artifacts/bin/$exe" "$prefix/bin/$exe.new"
  mv -f "$prefix/bin/$exe.new" "$prefix/bin/$exe"   # rename: a running quaid or shim keeps its old file
done
rm -rf "$prefix/lib/quai/quai-registry.d"
cp -a artifacts/bin/quai-registry.d "$prefix/lib/quai/quai-registry.d"
ln -sfn "$prefix/lib/quai/quai-registry.d/quai-registry" "$prefix/bin/quai-registry"
echo "installed: $(command -v quai-runtime) ($(quai-runtime --version | head -n1)), quai-shim, quaid, quai, $(command -v quai-registry)"

# A first container: a busybox bundle from Debian's busybox-static, run by quai-runtime.
demo=/var/lib/quai/demo
rm -rf "$demo"
mkdir -p "$demo/rootfs/bin" "$demo/rootfs/proc" "$demo/rootfs/sys" "$demo/rootfs/dev" "$demo/rootfs/tmp" "$demo/rootfs/etc"
cp /bin/busybox "$demo/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$demo/rootfs/bin/$applet"; done
echo "root:x:0:0:root:/root:/bin/sh" > "$demo/rootfs/etc/passwd"
quai-runtime spec --bundle "$demo"
jq '.process.terminal = false
    | .process.args = ["sh", "-c", "echo \"hello from a quai container: $(hostname), pid $$, $(id -un)\""]
    | .hostname = "quai-demo"' "$demo/config.json" > "$demo/config.json.new"
mv "$demo/config.json.new" "$demo/config.json"
id="quai-demo-$$"
quai-runtime run --bundle "$demo" "$id"

# The daemon: (re)started once, in the background (no init system here). Containers belong to
# their shims, so restarting quaid leaves running containers running.
install -d /run/quai /var/log/quai /etc/quai
if [ -f /run/quai/quaid.pid ] && kill -0 "$(cat /run/quai/quaid.pid)" 2>/dev/null; then
  kill "$(cat /run/quai/quaid.pid)"
  for _ in $(seq 50); do kill -0 "$(cat /run/quai/quaid.pid 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
fi
setsid nohup "$prefix/bin/quaid" --pidfile /run/quai/quaid.pid --log-file /var/log/quai/quaid.log </dev/null >/dev/null 2>&1 &
for _ in $(seq 100); do quai version >/dev/null 2>&1 && break; sleep 0.1; done
quai version --format 'quaid {{.Server.Version}} (API {{.Server.APIVersion}}) on unix:///run/quai/quai.sock'

# A first engine container: busybox imported from Debian's busybox-static, run through quaid.
if ! quai image inspect busybox:latest >/dev/null 2>&1; then
  tar -C "$demo/rootfs" -c . | quai import - busybox:latest >/dev/null
fi
quai run --rm busybox sh -c 'echo "hello from quaid: $(hostname), $(ip -4 -o addr show eth0 | awk "{print \$4}")"'
