#!/usr/bin/env bash
# Frame rate of brokersim-gui animating the busiest request of the NOC scenario, at 4,000 nodes
# (every node traced) and at 100,000 nodes (the default trace: 1,000 nodes per group recorded
# one by one, the rest counted; and, with --full, every node recorded).
#
# Usage: bench/gui_fps.sh [BUILD_DIR] [--full]
# Runs under $DISPLAY when set (e.g. Xvfb :97 -nolisten tcp), else Qt's offscreen platform.
set -euo pipefail

build=${1:-build}
full=${2:-}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
geometry=()
if [[ -z "${DISPLAY:-}" ]]; then
    export QT_QPA_PLATFORM=offscreen
else
    geometry=(-geometry 1600x1000+0+0)  # an X11 option; no window manager places it for us
fi
export XDG_CONFIG_HOME=$work  # leave the user's saved window layout alone

sed 's/count: 1000/count: 25000/; s/^name: noc-four-countries/&-100k/' \
    "$source_dir/scenarios/noc-four-countries.yaml" > "$work/noc-100k.yaml"

bench() {
    local scenario=$1 trace=$2
    shift 2
    "$build/sim/app/brokersim" run "$scenario" --trace "$trace" "$@" > /dev/null
    "$build/gui/brokersim-gui" "$trace" --bench 300 "${geometry[@]}"
}
bench "$source_dir/scenarios/noc-four-countries.yaml" "$work/noc.bstrace"
bench "$work/noc-100k.yaml" "$work/noc-100k.bstrace"
if [[ "$full" == "--full" ]]; then
    bench "$work/noc-100k.yaml" "$work/noc-100k-full.bstrace" --trace-nodes 25000
fi
