#!/usr/bin/env bash
# Installs the Debian packages Quai builds, runs and tests with (idempotent: installs only what is
# missing, and runs `apt-get update` only then). Used by install.sh and test.sh.
set -euo pipefail

# Runtime needs: libseccomp2 (seccomp filters), iptables and containernetworking-plugins (networks),
# busybox-static (the test and demo rootfs), tini (the static init of `run --init`). Test peers: runc, crun, docker.io, podman, skopeo, umoci,
# docker-registry, apache2-utils (htpasswd -B for registry auth tests); hyperfine for benchmarks.
packages=(
  libseccomp2 busybox-static iptables iproute2 util-linux procps tmux jq
  runc crun skopeo umoci docker.io podman docker-registry containernetworking-plugins hyperfine
  apache2-utils tini docker-compose curl
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# docker.io's package may start a dockerd where an init system exists; Quai's tests never use it.
