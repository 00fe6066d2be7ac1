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
install -m 0755 artifacts/bin/quai-runtime "$prefix/bin/quai-runtime"
rm -rf "$prefix/lib/quai/quai-registry.d"
cp -a artifacts/bin/quai-registry.d "$prefix/lib/quai/quai-registry.d"
ln -sfn "$prefix/lib/quai/quai-registry.d/quai-registry" "$prefix/bin/quai-registry"
echo "installed: $(command -v quai-runtime) ($(quai-runtime --version | head -n1)), $(command -v quai-registry)"

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
