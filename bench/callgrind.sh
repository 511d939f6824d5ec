#!/usr/bin/env bash
# Instructions per delivery of the engine and of the ceiling (the minimal event loop), counted
# by callgrind on the benchmark's workload (bench/bench.cpp). Only the measured call is
# counted (engine_run / ceiling_run): building the scenario is in it, process start-up is not.
# Deterministic, so one run per figure is enough; the engine takes a few minutes at 10 k nodes.
#
# Usage: bench/callgrind.sh BUILD_DIR [NODES]      (NODES default: 10000)
# Needs valgrind: scripts/install-deps.sh --with-bench (not needed to build or test).
set -euo pipefail

build=${1:?usage: bench/callgrind.sh BUILD_DIR [NODES]}
nodes=${2:-10000}
bench="$build/bench/brokersim-bench"
[[ -x "$bench" ]] || { echo "callgrind.sh: no $bench; build first" >&2; exit 2; }
command -v valgrind >/dev/null ||
    { echo "callgrind.sh: no valgrind; scripts/install-deps.sh --with-bench installs it" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints "<instructions> <deliveries>" for one measurement.
count() {
    local which=$1 out="$work/$1.out"
    local printed
    printed=$(valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
        "--toggle-collect=*${which}_run*" "$bench" --one "$which" "$nodes" 2>"$work/$which.log")
    local deliveries=${printed##*deliveries=}
    local instructions
    instructions=$(awk '/^summary:/ { print $2 }' "$out")
    [[ -n "$instructions" && "$instructions" -gt 0 ]] ||
        { echo "callgrind.sh: no instruction count for $which" >&2; cat "$work/$which.log" >&2; exit 1; }
    echo "$instructions $deliveries"
}

echo "| nodes | measurement | instructions | deliveries | instructions per delivery |"
echo "|---|---|---|---|---|"
for which in engine ceiling; do
    result=$(count "$which")
    read -r instructions deliveries <<<"$result"
    per=$(awk -v i="$instructions" -v d="$deliveries" 'BEGIN { printf "%.0f", i / d }')
    echo "| $nodes | $which | $instructions | $deliveries | $per |"
done
