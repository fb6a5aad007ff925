#!/usr/bin/env bash
# make test-kernel: the engine tests that need kernel features this machine may lack (ipvlan, 802.1q, dummy,
# netem), run for real inside a VM that boots Debian's stock kernel over this machine's own file system
# (virtme-ng, software emulation: nested KVM hangs here). Prints the tests' output; exits with their status.
# Exit 3 (and a sentence) when the VM cannot be had here at all, so CI can tell "not run" from "failed".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/engine.sh  # the VM's engine is the version the machine's own engine is (ENGINE)
ROOT=$PWD
VENV=${VM_VENV:-$ROOT/.vm-venv}
IMAGE=${DOCKERLAB_IMAGE:-busybox}
cannot() { echo "test-kernel: not run: $*" >&2; exit 3; }

[ "$(id -u)" = 0 ] || cannot "needs root (the VM's engine runs as root)"
if ! command -v qemu-system-x86_64 >/dev/null || ! ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1; then
  command -v apt-get >/dev/null || cannot "qemu-system-x86 and a stock kernel (linux-image-amd64) are missing"
  echo "test-kernel: installing qemu-system-x86 and linux-image-amd64"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86 linux-image-amd64 \
    >/dev/null || cannot "apt-get could not install qemu-system-x86 linux-image-amd64"
fi
if [ ! -x "$VENV/bin/vng" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q --disable-pip-version-check virtme-ng 2>/dev/null \
    || cannot "pip could not install virtme-ng"
fi
KERNEL=$(ls /boot/vmlinuz-*-amd64 | sort -V | tail -1)
OUT=$(mktemp -d /tmp/dockerlab-vm.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
docker image inspect "$IMAGE" >/dev/null 2>&1 || bash scripts/setup-engine.sh >/dev/null
docker save "$IMAGE" -o "$OUT/image.tar"  # the VM runs nothing at build time: images come in whole
# bytecode made here, where it is cheap: the VM writes none, and compiling under emulation costs seconds per start
.venv/bin/python -m compileall -q -j0 dockerlab tests .venv/lib >/dev/null

# the VM sees this tree read-only: the docs runs it refreshes come out through $OUT (tests/test_engine_docs_runs.py)
REFRESH=${DOCKERLAB_DOCS_REFRESH:+env DOCKERLAB_DOCS_REFRESH=1 DOCKERLAB_DOCS_INTO=$OUT/tree}
echo "test-kernel: booting $(basename "$KERNEL") under emulation ($(nproc) cpus)"
start=$(date +%s)
PATH="$VENV/bin:$PATH" timeout "${VM_TIMEOUT:-1800}" vng -r "$KERNEL" --disable-kvm --force-9p --memory 4G \
  --cpus "$(nproc)" --rwdir "$OUT" --exec "$REFRESH bash $ROOT/scripts/in-vm.sh $OUT $ENGINE ${PYTEST_ARGS:-}" \
  > "$OUT/console.log" 2>&1 || true
[ -f "$OUT/rc" ] || tail -20 "$OUT/console.log" >&2  # what the VM said last, when the tests did not finish
cat "$OUT/engine" 2>/dev/null || true
cat "$OUT/pytest.log" 2>/dev/null || { tail -30 "$OUT/console.log"; echo "test-kernel: the VM gave no test output" >&2; exit 1; }
[ -d "$OUT/tree" ] && cp -rv "$OUT/tree/." "$ROOT/"
echo "test-kernel: VM run took $(( $(date +%s) - start )) s"
[ -f "$OUT/rc" ] || { echo "test-kernel: the tests did not finish in the VM" >&2; exit 1; }
exit "$(cat "$OUT/rc")"
