#!/usr/bin/env bash
# aarch64 cross build (native NEON kernels) with the tests run under qemu-aarch64.
# Fails unless tests really ran: meson skips every test of a cross build it cannot execute and
# still exits 0, so the result is read back from testlog.json, and test_variants must report
# the "neon" variant as tested (not skipped for a missing ISA).
# usage: .ci/cross-aarch64.sh [build dir, default build-arm]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-arm}
for tool in aarch64-linux-gnu-gcc qemu-aarch64; do
    command -v "$tool" >/dev/null || { echo "cross-aarch64: $tool not found (gcc-aarch64-linux-gnu, qemu-user)"; exit 1; }
done
# No aarch64 g++ on Debian's default install: the C++ bench is off for this build.
if [ -d "$dir/meson-private" ]; then setup=(--wipe); else setup=(); fi
meson setup "${setup[@]}" "$dir" --cross-file cross/aarch64-linux-gnu.ini -Dbench=disabled -Dneon=enabled >/dev/null
ninja -C "$dir" >/dev/null
# qemu is slow: 300 random problems per op and variant instead of 2000. Never time anything here.
rc=0
SIMDPOOL_TEST_ITERS=300 meson test -C "$dir" --print-errorlogs --timeout-multiplier 3 || rc=1
python3 - "$dir/meson-logs/testlog.json" <<'PY' || rc=1
import json, sys
ran = failed = 0
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    t = json.loads(line)
    if t["result"] == "SKIP":
        continue
    ran += 1
    if t["result"] not in ("OK", "EXPECTEDFAIL"):
        failed += 1
        print(f"cross-aarch64: {t['name']}: {t['result']}")
print(f"cross-aarch64: {ran} tests ran, {failed} failed")
sys.exit(1 if ran == 0 or failed else 0)
PY
if ! grep -Eq "variant neon +op max +[0-9]+ problems, 0 failed" "$dir/meson-logs/testlog.txt"; then
    echo "cross-aarch64: test_variants did not test the neon variant"
    rc=1
fi
exit $rc
