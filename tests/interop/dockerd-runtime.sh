#!/usr/bin/env bash
# dockerd interop: Debian's dockerd, on its own state, drives quai-runtime through the OCI
# runtime command line (--add-runtime quai=...), and the same checks run with runc for
# comparison: a command and its exit code, -it under script(1), docker exec, docker stop,
# --memory OOM (137), --pids-limit, pause/unpause.
#
# Usage (as root): tests/interop/dockerd-runtime.sh [RUNTIME...]   (default: runc quai)
# quai-runtime from $QUAI_BIN_DIR (default <repo>/artifacts/bin, made by ./scripts/publish.sh).
# Never touches Docker's own state: data, exec root, socket and pid file live under
# $QUAI_DOCKERD_DIR (default /tmp/quai-dockerd), no bridge, no iptables, --network none only;
# containerd is started by this dockerd under its exec root. Everything is removed at the end.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/common.sh
repo=$(pwd)
quai=${QUAI_BIN_DIR:-$repo/artifacts/bin}/quai-runtime
dir=${QUAI_DOCKERD_DIR:-/tmp/quai-dockerd}
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=(runc quai)

[ "$(id -u)" -eq 0 ] || { echo "dockerd-runtime.sh: dockerd needs root (sudo)" >&2; exit 2; }
for tool in dockerd docker script /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "dockerd-runtime.sh: $tool is missing: run ./scripts/deps.sh" >&2; exit 2; }
done
for rt in "${runtimes[@]}"; do
  if [ "$rt" = quai ] && [ ! -x "$quai" ]; then
    echo "dockerd-runtime.sh: $quai is missing: run ./scripts/publish.sh first (or set QUAI_BIN_DIR)" >&2; exit 2
  fi
done
if [ -e "$dir" ]; then
  echo "dockerd-runtime.sh: $dir exists (another run, or a crashed one): remove it first" >&2; exit 2
fi

export DOCKER_HOST=unix://$dir/docker.sock
# Debian's dockerd 20.10 speaks API 1.41; a newer CLI must not ask for more.
export DOCKER_API_VERSION=1.41
image=quai-interop-busybox:latest
dockerd_pid=

cleanup() {
  if [ -S "$dir/docker.sock" ]; then
    ids=$(docker ps -aq 2>/dev/null)
    [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
  fi
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    kill "$dockerd_pid"
    for _ in $(seq 1 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$dockerd_pid" 2>/dev/null && kill -9 "$dockerd_pid"
  fi
  # Whatever dockerd or containerd left mounted under the private directory (deepest first).
  grep -o " $dir[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir/data" "$dir/exec"
echo '{}' > "$dir/daemon.json"
dockerd --config-file "$dir/daemon.json" --data-root "$dir/data" --exec-root "$dir/exec" \
  --pidfile "$dir/docker.pid" -H "unix://$dir/docker.sock" --bridge=none --iptables=false \
  --ip-masq=false --ip6tables=false --userland-proxy=false --add-runtime "quai=$quai" \
  --log-level warn > "$dir/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 1 300); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
docker version >/dev/null 2>&1 || { echo "dockerd did not start:"; tail -20 "$dir/dockerd.log"; exit 1; }

# The image: the same busybox rootfs the xunit suite uses, imported from a tar.
rootfs=$dir/rootfs
busybox_rootfs "$rootfs"
tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/bin' - "$image" >/dev/null || { echo "docker import failed"; exit 1; }

for rt in "${runtimes[@]}"; do
  run=(docker run --rm --runtime "$rt" --network none)
  check "$rt: run exit code and output" sh -c "
    out=\$(${run[*]} $image sh -c 'echo hello; exit 3'); rc=\$?
    [ \$rc -eq 3 ] && [ \"\$out\" = hello ] || { echo \"rc=\$rc out=\$out\"; exit 1; }"
  check "$rt: -it under script(1)" sh -c "
    out=\$(script -qec \"${run[*]} -it $image sh -c 'tty; exit 4'\" /dev/null); rc=\$?
    [ \$rc -eq 4 ] && echo \"\$out\" | grep -q '/dev/pts/' || { echo \"rc=\$rc out=\$out\"; exit 1; }"
  name=quai-interop-$rt
  if docker run -d --name "$name" --runtime "$rt" --network none "$image" sleep 1000 >/dev/null 2>&1; then
    check "$rt: docker exec output and exit code" sh -c "
      out=\$(docker exec $name sh -c 'echo inside; exit 5'); rc=\$?
      [ \$rc -eq 5 ] && [ \"\$out\" = inside ] || { echo \"rc=\$rc out=\$out\"; exit 1; }"
    check "$rt: docker pause" sh -c "docker pause $name >/dev/null && [ \"\$(docker inspect -f '{{.State.Status}}' $name)\" = paused ]"
    check "$rt: docker unpause" sh -c "docker unpause $name >/dev/null && [ \"\$(docker inspect -f '{{.State.Status}}' $name)\" = running ] && docker exec $name true"
    # sleep as pid 1 ignores SIGTERM (no handler): stop must fall back to SIGKILL.
    check "$rt: docker stop" sh -c "docker stop -t 1 $name >/dev/null && [ \"\$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' $name)\" = 'exited 137' ]"
    docker rm -f "$name" >/dev/null 2>&1
  else
    echo "FAIL $rt: docker run -d: $(docker run -d --name "$name-retry" --runtime "$rt" --network none "$image" sleep 1000 2>&1 | tail -2)"
    docker rm -f "$name" "$name-retry" >/dev/null 2>&1
    fail=$((fail + 4))
  fi
  check "$rt: --memory 32m OOM-kills a hog (137)" expect_rc 137 "${run[@]}" --memory 32m --memory-swap 32m "$image" dd if=/dev/zero of=/dev/null bs=64M count=1
  check "$rt: --pids-limit stops a fork loop" sh -c "
    ${run[*]} --pids-limit 20 $image sh -c 'for i in \$(seq 1 40); do sleep 1 & done; wait' 2>&1 | grep -q \"can't fork\""
done

echo "dockerd interop: $pass passed, $fail failed (runtimes: ${runtimes[*]})"
[ "$fail" -eq 0 ]
