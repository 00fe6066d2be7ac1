# Shared by the interop scripts (sourced, not run): the PASS/FAIL counter and the busybox rootfs
# that becomes the test image.

pass=0 fail=0

check() { # name, command...: PASS when the command succeeds
  local name=$1; shift
  if out=$("$@" 2>&1); then
    echo "PASS $name"; pass=$((pass + 1))
  else
    echo "FAIL $name: $out" | head -5; fail=$((fail + 1))
  fi
}

expect_rc() { # expected exit code, command...
  local want=$1; shift
  "$@"; local rc=$?
  [ "$rc" -eq "$want" ] || { echo "exit code $rc, expected $want"; return 1; }
}

busybox_rootfs() { # dir: Debian's busybox-static with an applet link each, passwd and group
  local rootfs=$1
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
}
