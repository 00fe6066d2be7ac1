#!/usr/bin/env bash
# Side-by-side benchmark of the OCI runtimes: create → start → wait → delete of /bin/true on one
# busybox bundle, with quai-runtime, runc and crun in the same hyperfine run, then the mean times
# and the ratios quai/crun and quai/runc.
#
# Usage (as root, after ./scripts/publish.sh): bench/runtime/run.sh [RUNS]
# quai-runtime is taken from $QUAI_BIN_DIR (default <repo>/artifacts/bin).
#
# Fairness: crun 1.8.1 refuses a hybrid cgroup host, so every runtime runs inside the same
# wrapper, a private mount namespace without the cgroup2 mount at /sys/fs/cgroup/unified
# (unshare -m). "wait" is a real wait(2): a small perl subreaper (perl-base is essential in
# Debian) runs create and start and reaps the container init reparented to it, as a shim does;
# polling `state` instead would charge each runtime for extra invocations.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
runs=${1:-30}
quai=${QUAI_BIN_DIR:-$repo/artifacts/bin}/quai-runtime

[ "$(id -u)" -eq 0 ] || { echo "bench/runtime/run.sh: containers need root (sudo)" >&2; exit 2; }
[ -x "$quai" ] || { echo "bench/runtime/run.sh: $quai is missing: run ./scripts/publish.sh first (or set QUAI_BIN_DIR)" >&2; exit 2; }
for tool in runc crun hyperfine unshare perl /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "bench/runtime/run.sh: $tool is missing: run ./scripts/deps.sh" >&2; exit 2; }
done

work=$(mktemp -d /tmp/quai-bench-runtime.XXXXXX)
cleanup() {
  for rt in quai runc crun; do
    [ -d "$work/state-$rt" ] || continue
    for id in $(ls "$work/state-$rt" 2>/dev/null); do
      case $rt in quai) bin=$quai ;; *) bin=$rt ;; esac
      unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh "$bin" --root "$work/state-$rt" delete --force "$id" >/dev/null 2>&1 || true
    done
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The bundle: a busybox rootfs and `runc spec` defaults running /bin/true without a terminal.
bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/sys" "$bundle/rootfs/dev" "$bundle/rootfs/tmp" "$bundle/rootfs/etc"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$bundle/rootfs/bin/$applet"
done
(cd "$bundle" && runc spec)
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"\/bin\/true"/' "$bundle/config.json"
grep -q '"/bin/true"' "$bundle/config.json" || { echo "bench/runtime/run.sh: could not set the process in $bundle/config.json" >&2; exit 1; }

# One container lifecycle per invocation; the id is unique per process.
cat > "$work/lifecycle.pl" <<'PERL'
use strict; use warnings;
# prctl(PR_SET_CHILD_SUBREAPER = 36, 1), syscall 157 on x86-64, 167 on arm64.
my $prctl = `uname -m` =~ /aarch64/ ? 167 : 157;
syscall($prctl, 36, 1, 0, 0, 0) == 0 or die "prctl(PR_SET_CHILD_SUBREAPER): $!";
my ($rt, $root, $bundle) = @ARGV;
my $id = "bench-$$";
system($rt, "--root", $root, "create", "--bundle", $bundle, $id) == 0 or die "$rt create failed\n";
system($rt, "--root", $root, "start", $id) == 0 or die "$rt start failed\n";
my $init = wait();
$init > 0 or die "no container init to wait for\n";
$? == 0 or die "the container exited with status $?\n";
system($rt, "--root", $root, "delete", $id) == 0 or die "$rt delete failed\n";
PERL

cmd() { # runtime binary, state dir
  mkdir -p "$2"
  printf "unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec \"\$@\"' sh perl %s %s %s %s" \
    "$work/lifecycle.pl" "$1" "$2" "$bundle"
}

echo "runtimes: $("$quai" --version | head -1); $(runc --version | head -1); $(crun --version | head -1)"
hyperfine --warmup 3 --runs "$runs" --export-csv "$work/results.csv" \
  -n quai "$(cmd "$quai" "$work/state-quai")" \
  -n runc "$(cmd "$(command -v runc)" "$work/state-runc")" \
  -n crun "$(cmd "$(command -v crun)" "$work/state-crun")"

# CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
awk -F, 'NR > 1 { mean[$1] = $2; sd[$1] = $3 }
  END {
    printf "\nmean create+start+wait+delete of /bin/true (%s runs each):\n", "'"$runs"'"
    split("quai runc crun", order, " ")
    for (i = 1; i <= 3; i++) { r = order[i]; printf "  %-5s %8.2f ms ± %.2f\n", r, mean[r] * 1000, sd[r] * 1000 }
    printf "ratio quai/crun: %.2f\n", mean["quai"] / mean["crun"]
    printf "ratio quai/runc: %.2f\n", mean["quai"] / mean["runc"]
  }' "$work/results.csv"

# hyperfine runs each runtime's runs back to back, so load that comes and goes on a shared machine
# lands on one runtime only. Interleave the three, round by round, and compare medians as well.
echo
echo "interleaved: $runs rounds of quai, runc, crun in turn"
: > "$work/interleaved.txt"
for _ in $(seq 1 "$runs"); do
  for r in quai runc crun; do
    case $r in quai) bin=$quai ;; *) bin=$(command -v "$r") ;; esac
    start=$(date +%s%N)
    sh -c "$(cmd "$bin" "$work/state-$r")" >/dev/null
    end=$(date +%s%N)
    echo "$r $(( (end - start) / 1000 ))" >> "$work/interleaved.txt"
  done
done
median() { grep "^$1 " "$work/interleaved.txt" | awk '{print $2}' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
mq=$(median quai) mr=$(median runc) mc=$(median crun)
awk -v q="$mq" -v r="$mr" -v c="$mc" 'BEGIN {
  printf "median create+start+wait+delete of /bin/true: quai %.2f ms, runc %.2f ms, crun %.2f ms\n", q / 1000, r / 1000, c / 1000
  printf "interleaved ratio quai/crun: %.2f\n", q / c
  printf "interleaved ratio quai/runc: %.2f\n", q / r
}'
