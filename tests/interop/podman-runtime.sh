#!/usr/bin/env bash
# podman interop: Debian's podman (4.3, daemonless) drives quai-runtime through the OCI runtime
# command line (--runtime PATH), and the same checks run with runc for comparison: a command and
# its exit code, -it under script(1), podman exec, pause/unpause, stop, --memory OOM (137),
# --pids-limit.
#
# Usage (as root): tests/interop/podman-runtime.sh [RUNTIME...]   (default: runc quai)
# quai-runtime from $QUAI_BIN_DIR (default <repo>/artifacts/bin, made by ./scripts/publish.sh).
# Podman's storage, run root and events live under $QUAI_PODMAN_DIR (default /tmp/quai-podman),
# cgroupfs manager, --network none only; everything is removed at the end.
#
# This host lacks CAP_SYS_RESOURCE, and podman asks for RLIMIT_NOFILE and RLIMIT_NPROC of
# 1048576 by default, above the hard limits: runc and quai-runtime both refuse that (quai names the
# limit and the highest value it can set), so the checks ask for lower limits with --ulimit.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/common.sh
repo=$(pwd)
quai=${QUAI_BIN_DIR:-$repo/artifacts/bin}/quai-runtime
dir=${QUAI_PODMAN_DIR:-/tmp/quai-podman}
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=(runc quai)

[ "$(id -u)" -eq 0 ] || { echo "podman-runtime.sh: containers need root (sudo)" >&2; exit 2; }
for tool in podman script runc /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "podman-runtime.sh: $tool is missing: run ./scripts/deps.sh" >&2; exit 2; }
done
if [ -e "$dir" ]; then
  echo "podman-runtime.sh: $dir exists (another run, or a crashed one): remove it first" >&2; exit 2
fi
mkdir -p "$dir"
image=localhost/quai-interop-busybox:latest
podman_base=(podman --root "$dir/storage" --runroot "$dir/run" --tmpdir "$dir/tmp" --cgroup-manager cgroupfs --events-backend file)
# Lowering a limit is always permitted; podman adjusts its own limits, so the shell's are no guide.
limits=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

cleanup() {
  "${podman_base[@]}" rm -af -t 0 >/dev/null 2>&1
  "${podman_base[@]}" system reset -f >/dev/null 2>&1
  grep -o " $dir[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT

rootfs=$dir/rootfs
busybox_rootfs "$rootfs"
tar -C "$rootfs" -c . | "${podman_base[@]}" import -q -c 'ENV PATH=/bin' - "$image" >/dev/null || { echo "podman import failed"; exit 1; }

for rt in "${runtimes[@]}"; do
  case $rt in quai) bin=$quai ;; runc) bin=$(command -v runc) ;; *) bin=$rt ;; esac
  p="${podman_base[*]} --runtime $bin"
  run="$p run --rm --network none ${limits[*]}"
  check "$rt: run exit code and output" sh -c "
    out=\$($run $image sh -c 'echo hello; exit 3'); rc=\$?
    [ \$rc -eq 3 ] && [ \"\$out\" = hello ] || { echo \"rc=\$rc out=\$out\"; exit 1; }"
  # podman 4.3's conmon sometimes drops the pty output of a program that exits at once (seen
  # with runc 2 times in 20, with quai 4 in 20); half a second before exit makes it 20/20 for both.
  check "$rt: -it under script(1)" sh -c "
    out=\$(script -qec \"$run -it $image sh -c 'tty; sleep 0.5; exit 4'\" /dev/null </dev/null); rc=\$?
    [ \$rc -eq 4 ] && echo \"\$out\" | grep -q '/dev/pts/' || { echo \"rc=\$rc out=\$out\"; exit 1; }"
  name=quai-interop-$rt
  if $p run -d --name "$name" --network none "${limits[@]}" "$image" sleep 1000 >/dev/null 2>&1; then
    check "$rt: podman exec output and exit code" sh -c "
      out=\$($p exec $name sh -c 'echo inside; exit 5'); rc=\$?
      [ \$rc -eq 5 ] && [ \"\$out\" = inside ] || { echo \"rc=\$rc out=\$out\"; exit 1; }"
    check "$rt: podman pause" sh -c "$p pause $name >/dev/null && [ \"\$($p inspect -f '{{.State.Status}}' $name)\" = paused ]"
    check "$rt: podman unpause" sh -c "$p unpause $name >/dev/null && [ \"\$($p inspect -f '{{.State.Status}}' $name)\" = running ] && $p exec $name true"
    # sleep as pid 1 ignores SIGTERM (no handler): stop must fall back to SIGKILL.
    check "$rt: podman stop" sh -c "$p stop -t 1 $name >/dev/null 2>&1 && [ \"\$($p inspect -f '{{.State.Status}} {{.State.ExitCode}}' $name)\" = 'exited 137' ]"
    $p rm -f -t 0 "$name" >/dev/null 2>&1
  else
    echo "FAIL $rt: podman run -d: $($p run -d --name "$name-retry" --network none "${limits[@]}" "$image" sleep 1000 2>&1 | tail -2)"
    $p rm -f -t 0 "$name" "$name-retry" >/dev/null 2>&1
    fail=$((fail + 4))
  fi
  check "$rt: --memory 32m OOM-kills a hog (137)" sh -c "
    $run --memory 32m --memory-swap 32m $image dd if=/dev/zero of=/dev/null bs=64M count=1 >/dev/null 2>&1; rc=\$?
    [ \$rc -eq 137 ] || { echo \"rc=\$rc\"; exit 1; }"
  check "$rt: --pids-limit stops a fork loop" sh -c "
    $run --pids-limit 20 $image sh -c 'for i in \$(seq 1 40); do sleep 1 & done; wait' 2>&1 | grep -q \"can't fork\""
done

echo "podman interop: $pass passed, $fail failed (runtimes: ${runtimes[*]})"
[ "$fail" -eq 0 ]
