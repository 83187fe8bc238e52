#!/usr/bin/env bash
# The suite N times in a row under load (issue 14): ctest -j2 in BUILD, beside a CPU load
# of LOAD_TREE's build rebuilt from scratch over and over (another clone: a load that
# rebuilds BUILD's own tree would change what is under test). One line per run in
# OUT/stress.log, each run's full output (failures with their checks) in OUT/run-N.log.
# Usage: scripts/stress.sh BUILD LOAD_TREE [N=20] [OUT=/tmp/stress]
# Run nothing else in BUILD meanwhile: two ctests share its fixture cluster.
set -uo pipefail
build=$1 load=$2 n=${3:-20} out=${4:-/tmp/stress}
mkdir -p "$out"
rm -f "$out/stop"
(while [ ! -e "$out/stop" ]; do cmake --build "$load/build" --clean-first -j2 >/dev/null 2>&1; done) &
loader=$!
trap 'touch "$out/stop"; wait $loader' EXIT
pass=0
for i in $(seq "$n"); do
    s=$(date +%s)
    if (cd "$build" && ctest -j2 --output-on-failure >"$out/run-$i.log" 2>&1); then
        r=pass
        pass=$((pass + 1))
    else
        r=FAIL
    fi
    echo "run $i: $r $(($(date +%s) - s)) s, load $(cut -d' ' -f1 /proc/loadavg)," \
        "$(grep -E 'tests passed' "$out/run-$i.log")" | tee -a "$out/stress.log"
done
echo "$pass of $n runs passed" | tee -a "$out/stress.log"
[ "$pass" -eq "$n" ]
