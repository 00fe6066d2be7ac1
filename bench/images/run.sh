#!/usr/bin/env bash
# Image pull and push: quaid vs Debian's dockerd (20.10), side by side in one run, through the
# same docker CLI, against Debian's docker-registry (distribution 2.8) on 127.0.0.1.
# The image: four gzip layers, ~340 MB unpacked (a debootstrap minbase rootfs, a 100 MB random
# file, 3000 small files, 24 MB of text; bench/images/make-image.py), pushed once with skopeo.
#   pull: `docker pull` of the image, its layers removed (rmi) before each run
#   push: `docker push` of the pulled image to a second, empty registry (emptied before each run)
# Prints each mean and the quai/docker ratio (issue #3 target: <= 0.6 for both).
# Needs root, debootstrap (first run only; cached in /var/cache/quai-bench), skopeo, hyperfine,
# docker-registry. Own data roots and sockets under $BENCH_DIR (default /tmp/qbench-img); never
# touches /var/lib/docker or docker0. Usage: bench/images/run.sh [runs=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
runs=${1:-3}
bin=${QUAI_BIN_DIR:-$root/artifacts/bin}
dir=${BENCH_DIR:-/tmp/qbench-img}
cache=/var/cache/quai-bench
for c in hyperfine skopeo docker-registry dockerd debootstrap; do
  command -v $c >/dev/null || { echo "bench: $c is missing (scripts/deps.sh installs the peers)" >&2; exit 2; }
done
[ -x "$bin/quaid" ] || { echo "bench: $bin/quaid is missing: run scripts/publish.sh first" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
src_port=$(free_port); dst_port=$(free_port)

cleanup() {
  set +e
  for f in quaid dockerd reg-src reg-dst; do [ -f "$dir/$f.pid" ] && kill "$(cat "$dir/$f.pid")" 2>/dev/null; done
  sleep 2
  grep -E " $dir" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
cleanup; mkdir -p "$dir"

# The image, built once.
mkdir -p "$cache"
if [ ! -f "$cache/minbase-bookworm.tar" ]; then
  echo "bench: debootstrap --variant=minbase bookworm (once, cached in $cache)"
  rm -rf "$cache/minbase.tmp"
  debootstrap --variant=minbase bookworm "$cache/minbase.tmp" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1
  tar -C "$cache/minbase.tmp" -cf "$cache/minbase-bookworm.tar.tmp" . && mv "$cache/minbase-bookworm.tar.tmp" "$cache/minbase-bookworm.tar"
  rm -rf "$cache/minbase.tmp"
fi
if [ ! -f "$cache/image/index.json" ]; then
  rm -rf "$cache/image.tmp"
  python3 bench/images/make-image.py "$cache/minbase-bookworm.tar" "$cache/image.tmp" && mv "$cache/image.tmp" "$cache/image"
fi

registry() { # name port: a docker-registry with its own empty storage
  mkdir -p "$dir/$1"
  cat > "$dir/$1.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $dir/$1}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$2}
YML
  setsid docker-registry serve "$dir/$1.yml" >"$dir/$1.log" 2>&1 & echo $! > "$dir/$1.pid"
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$2/v2/" >/dev/null && return; sleep 0.1; done
  echo "bench: registry $1 did not start" >&2; exit 1
}
registry reg-src "$src_port"
registry reg-dst "$dst_port"
skopeo copy -q --dest-tls-verify=false "oci:$cache/image:bench" "docker://127.0.0.1:$src_port/bench/img:1"
img=127.0.0.1:$src_port/bench/img:1
dst=127.0.0.1:$dst_port/bench/img:1

PATH=$bin:$PATH "$bin/quaid" --data-root "$dir/quai-data" --exec-root "$dir/qr" -H "unix://$dir/quai.sock" \
  --pidfile "$dir/quaid.pid" --log-file "$dir/quaid.log" &
dockerd --data-root "$dir/docker-data" --exec-root "$dir/dr" -H "unix://$dir/docker.sock" --pidfile "$dir/dockerd.pid" \
  --bridge=none --iptables=false --ip-masq=false --ip6tables=false --containerd-namespace qbench-img --containerd-plugins-namespace qbench-img-p \
  >"$dir/dockerd.log" 2>&1 &
for s in quai docker; do
  for _ in $(seq 100); do [ -S "$dir/$s.sock" ] && docker -H "unix://$dir/$s.sock" version >/dev/null 2>&1 && break; sleep 0.2; done
done
Q="docker -H unix://$dir/quai.sock"; D="docker -H unix://$dir/docker.sock"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "n/a" }'; }
mean() { python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(' '.join('%.2f' % x['mean'] for x in r))" "$1"; }
echo "image: $(du -sh "$cache/image" | cut -f1) compressed in 4 layers; each daemon pulls and pushes it $runs times"

echo "== pull"
hyperfine --runs "$runs" --export-json "$dir/pull.json" \
  --prepare "$Q rmi -f $img >/dev/null 2>&1; sync; echo 3 > /proc/sys/vm/drop_caches" -n quai "$Q pull -q $img" \
  --prepare "$D rmi -f $img >/dev/null 2>&1; sync; echo 3 > /proc/sys/vm/drop_caches" -n docker "$D pull -q $img" >/dev/null
read -r q_pull d_pull < <(mean "$dir/pull.json")
printf "quai %.2f s   docker %.2f s   ratio %s (target <= 0.60)\n" "$q_pull" "$d_pull" "$(ratio "$q_pull" "$d_pull")"

# Both daemons now hold the image; tag it for the second registry.
$Q tag "$img" "$dst"; $D tag "$img" "$dst"
empty_dst="kill \$(cat $dir/reg-dst.pid); sleep 0.3; rm -rf $dir/reg-dst; mkdir -p $dir/reg-dst; setsid docker-registry serve $dir/reg-dst.yml >>$dir/reg-dst.log 2>&1 & echo \$! > $dir/reg-dst.pid; for i in \$(seq 50); do curl -fs http://127.0.0.1:$dst_port/v2/ >/dev/null && break; sleep 0.1; done"
echo "== push (to an empty registry each run)"
hyperfine --runs "$runs" --export-json "$dir/push.json" \
  --prepare "$empty_dst" -n quai "$Q push -q $dst" \
  --prepare "$empty_dst" -n docker "$D push -q $dst" >/dev/null
read -r q_push d_push < <(mean "$dir/push.json")
printf "quai %.2f s   docker %.2f s   ratio %s (target <= 0.60)\n" "$q_push" "$d_push" "$(ratio "$q_push" "$d_push")"

# The digest each pushed must be the one it pulled (quai keeps the compressed blobs; docker recompresses).
$Q push -q "$dst" >/dev/null
echo "pushed by quai: $(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$dst")   pulled: $(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$img")"
