#!/bin/sh
# --data: a bad kind is refused with a message naming it and the kinds; --tune refuses any kind
# but uniform; a good list times each case once per kind, labels its rows, and every variant
# matches scalar on every kind (bit-exact for max: the sign of zero, NaN, infinities). No time
# is asserted. Usage: test_data.sh SIMDPOOL-BENCH OUTDIR
bench=$1
out=$2
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$out" || fail "cannot create $out"

msg=$("$bench" --data uniform,bogus 2>&1)
rc=$?
[ "$rc" = 2 ] || fail "--data uniform,bogus: exit $rc, want 2"
case $msg in
*'unknown --data kind "bogus"'*subnormal*) ;;
*) fail "--data uniform,bogus: message \"$msg\" does not name the kind and list the kinds" ;;
esac
msg=$("$bench" --data tiny --tune "$out/never.txt" 2>&1)
rc=$?
[ "$rc" = 2 ] || fail "--data tiny --tune: exit $rc, want 2"
[ ! -e "$out/never.txt" ] || fail "--data tiny --tune wrote a tuning file"

csv=$("$bench" --op max,avg --size 7 --threads 1 --no-peers --no-plots --format csv \
    --data uniform,tiny,subnormal,zeros,nan,inf --benchmark_min_time=0.0001 --out "$out" 2>"$out/stderr.txt") ||
    fail "sweep with every kind: exit $? ($(tail -3 "$out/stderr.txt"))"
echo "$csv" | head -1 | grep -q ',error,data$' || fail "CSV header has no data column: $(echo "$csv" | head -1)"
for k in uniform tiny subnormal zeros nan inf; do
    n=$(echo "$csv" | grep -c "^max/nchw/scalar/n1c512h7w7/k2s2p0/t1.*,$k\$")
    [ "$n" = 1 ] || fail "$n rows of max/nchw/scalar/n1c512h7w7/k2s2p0/t1 on $k data, want 1"
done
bad=$(echo "$csv" | awk -F, 'NR > 1 && $20 != ""')
[ -z "$bad" ] || fail "rows with an error (a variant differs from scalar):
$bad"
echo "ok: $(echo "$csv" | grep -c ,) rows"
