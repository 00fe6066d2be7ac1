#!/usr/bin/env bash
# quaid vs Debian's dockerd (20.10 + containerd + runc) on bridge networks, side by side in one run
# (the docker CLI is the client of both):
#   0. the docker CLI's own start-up (`docker --version`, `docker -H unix:///nonexistent version`)
#   1. `run --rm busybox true` on the daemon's DEFAULT bridge network (hyperfine, then a pass
#      that alternates quaid and dockerd run by run, so that load drifting on a shared VM hits
#      both alike), and `quai run --rm` (the AOT CLI) against quaid next to `docker run --rm`
#      against dockerd
#   2. 20 containers started one after the other (`run -d --network qbnet busybox sleep 1000`)
#      on a user-defined bridge network
# Each daemon has its own data root, exec root, socket, pid file and bridges, on 172.31.250.0/24
# (dockerd's default bridge, the pre-created qbench-br0: dockerd refuses -b with --bip, so the
# bridge carries the address), 172.31.251.0/24 (quaid's default, qbq0) and 172.31.252-253.0/24
# (the user networks). Never docker0, Docker's subnets, /var/lib/docker or /run/quai.
# dockerd runs with --iptables=false --ip-masq=false --ip-forward=false so that it never touches
# the host's DOCKER chains: it then sets up no NAT or filter rules at all, while quaid keeps its
# per-network ones (MASQUERADE, FORWARD accepts, isolation) and runs the CNI plugins per
# container (bridge + host-local, portmap when ports are published), so the comparison favours
# dockerd. The bench removes what each daemon made and prints any iptables rule left that names
# its bridges or subnets (quaid keeps its default network's rules after it stops, as dockerd does).
# Usage: bench/network/run.sh [runs=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
runs=${1:-10}
bin=${QUAI_BIN_DIR:-$root/artifacts/bin}
dir=${BENCH_DIR:-/tmp/qnetbench}
[ -x "$bin/quaid" ] || { echo "bench: $bin/quaid is missing: run scripts/publish.sh first" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (apt-get install hyperfine)" >&2; exit 2; }
command -v dockerd >/dev/null || { echo "bench: dockerd is missing (apt-get install docker.io)" >&2; exit 2; }
Q="docker -H unix://$dir/quai.sock"; D="docker -H unix://$dir/docker.sock"
n=20

leftover_rules() {
  for t in filter nat mangle; do
    iptables-save -t "$t" 2>/dev/null | grep -E '^-A .*(qbench-br|qbq0|172\.31\.25[0-3]\.)' | sed "s/^/$t /" || true
  done
}

cleanup() {
  set +e
  for s in quai docker; do
    ids=$(docker -H "unix://$dir/$s.sock" ps -aq 2>/dev/null)
    [ -n "$ids" ] && docker -H "unix://$dir/$s.sock" rm -f $ids >/dev/null 2>&1
    docker -H "unix://$dir/$s.sock" network rm qbnet >/dev/null 2>&1
  done
  [ -f "$dir/quaid.pid" ] && kill "$(cat "$dir/quaid.pid")" 2>/dev/null
  [ -f "$dir/dockerd.pid" ] && kill "$(cat "$dir/dockerd.pid")" 2>/dev/null
  for _ in $(seq 50); do
    { [ -f "$dir/quaid.pid" ] && kill -0 "$(cat "$dir/quaid.pid")" 2>/dev/null; } || { [ -f "$dir/dockerd.pid" ] && kill -0 "$(cat "$dir/dockerd.pid")" 2>/dev/null; } || break
    sleep 0.2
  done
  grep -E " $dir" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for b in qbench-br0 qbench-br1 qbq0; do ip link del "$b" 2>/dev/null; done
  # quaid's --cgroup-parent, empty once its containers are gone (cgroup v1 hierarchies and v2).
  for cg in /sys/fs/cgroup/qnetbench /sys/fs/cgroup/*/qnetbench; do [ -d "$cg" ] && rmdir "$cg" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
cleanup; mkdir -p "$dir"
rules_before=$(leftover_rules)

rootfs=$dir/rootfs
mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev,root}
cp /bin/busybox "$rootfs/bin/"
for a in $("$rootfs/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"; done
echo "root:x:0:0:root:/root:/bin/sh" > "$rootfs/etc/passwd"; echo "root:x:0:" > "$rootfs/etc/group"
tar -C "$rootfs" -cf "$dir/busybox.tar" .

ip link add qbench-br0 type bridge
ip addr add 172.31.250.1/24 dev qbench-br0
ip link set qbench-br0 up
echo '{}' > "$dir/quaid.json"
PATH=$bin:$PATH "$bin/quaid" --config-file "$dir/quaid.json" --data-root "$dir/quai-data" --exec-root "$dir/qr" \
  -H "unix://$dir/quai.sock" --pidfile "$dir/quaid.pid" --log-file "$dir/quaid.log" \
  --cgroup-parent /qnetbench -b qbq0 --bip 172.31.251.1/24 &
dockerd --data-root "$dir/docker-data" --exec-root "$dir/dr" -H "unix://$dir/docker.sock" --pidfile "$dir/dockerd.pid" \
  -b qbench-br0 --iptables=false --ip-masq=false --ip6tables=false --ip-forward=false \
  --containerd-namespace qnetbench --containerd-plugins-namespace qnetbench-p >"$dir/dockerd.log" 2>&1 &
for s in quai docker; do
  for _ in $(seq 150); do [ -S "$dir/$s.sock" ] && docker -H "unix://$dir/$s.sock" version >/dev/null 2>&1 && break; sleep 0.2; done
  docker -H "unix://$dir/$s.sock" import "$dir/busybox.tar" busybox:latest >/dev/null
done
$Q network create --subnet 172.31.252.0/24 qbnet >/dev/null
$D network create --subnet 172.31.253.0/24 -o com.docker.network.bridge.name=qbench-br1 qbnet >/dev/null

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "n/a" }'; }
sleep 2

echo "== 0. docker CLI start-up (part of every docker number below)"
hyperfine -N --warmup 3 --runs "$runs" --export-json "$dir/cli.json" -n version "docker --version" \
  -n no-daemon "docker -H unix:///nonexistent version" -i >/dev/null 2>&1
read -r c_ver c_none < <(jq -r '[.results[] | .median] | map(. * 1000) | @tsv' "$dir/cli.json")
printf "docker --version %.1f ms   docker -H unix:///nonexistent version %.1f ms\n" "$c_ver" "$c_none"

echo "== 1. run --rm busybox true on the default bridge network ($runs runs each)"
hyperfine -N --warmup 3 --runs "$runs" --export-json "$dir/run.json" \
  -n quai "$Q run --rm busybox true" -n docker "$D run --rm busybox true" >/dev/null
read -r q_run d_run < <(jq -r '[.results[] | .median] | map(. * 1000) | @tsv' "$dir/run.json")
printf "quaid %.1f ms   dockerd %.1f ms   ratio %s (target <= 0.33)\n" "$q_run" "$d_run" "$(ratio "$q_run" "$d_run")"
: > "$dir/interleaved.txt"
for _ in $(seq "$runs"); do
  for s in quai docker; do
    t0=$(date +%s%N); docker -H "unix://$dir/$s.sock" run --rm busybox true >/dev/null; t1=$(date +%s%N)
    echo "$s $(( (t1 - t0) / 1000 ))" >> "$dir/interleaved.txt"
  done
done
median() { grep "^$1 " "$dir/interleaved.txt" | awk '{print $2}' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)] / 1000}'; }
q_i=$(median quai); d_i=$(median docker)
printf "interleaved: quaid %.1f ms   dockerd %.1f ms   ratio %s (target <= 0.33)\n" "$q_i" "$d_i" "$(ratio "$q_i" "$d_i")"
if [ -x "$bin/quai" ]; then
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$dir/run-quai.json" \
    -n quai "$bin/quai -H unix://$dir/quai.sock run --rm busybox true" -n docker "$D run --rm busybox true" >/dev/null
  read -r q2 d2 < <(jq -r '[.results[] | .median] | map(. * 1000) | @tsv' "$dir/run-quai.json")
  printf "quai run --rm (AOT CLI) vs quaid %.1f ms   docker run --rm vs dockerd %.1f ms   ratio %s\n" "$q2" "$d2" "$(ratio "$q2" "$d2")"
fi

echo "== 2. $n containers started one after another on a user network (run -d --network qbnet … sleep 1000)"
t0=$(date +%s.%N); for _ in $(seq $n); do $Q run -d --network qbnet busybox sleep 1000 >/dev/null; done; t1=$(date +%s.%N)
for _ in $(seq $n); do $D run -d --network qbnet busybox sleep 1000 >/dev/null; done; t2=$(date +%s.%N)
q_n=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print (b-a)*1000}'); d_n=$(awk -v a="$t1" -v b="$t2" 'BEGIN{print (b-a)*1000}')
printf "quaid %.0f ms   dockerd %.0f ms   ratio %s\n" "$q_n" "$d_n" "$(ratio "$q_n" "$d_n")"
echo "(dockerd ran with --iptables=false: no NAT or filter rules at all; quaid kept its per-network rules and ran CNI per container)"

trap - EXIT
cleanup
after=$(leftover_rules)
if [ "$after" != "$rules_before" ]; then
  echo "== iptables rules the daemons left that name the bench's bridges or subnets (removed now):"
  diff <(echo "$rules_before") <(echo "$after") | sed -n 's/^> //p' | while read -r table rule; do
    echo "  -t $table $rule"
    # "-A CHAIN spec" as iptables-save prints it becomes "-D CHAIN spec".
    eval "iptables -t $table -D ${rule#-A }" 2>/dev/null || echo "  (could not remove it)"
  done
else
  echo "== no iptables rule left behind for the bench's bridges or subnets"
fi
