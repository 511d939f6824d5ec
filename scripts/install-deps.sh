#!/usr/bin/env bash
# Installs the Debian 12 packages brokersim needs to build and test, only those missing.
# Usage: scripts/install-deps.sh [--with-oracle] [--with-bench]
#   --with-oracle  real ActiveMQ brokers and a STOMP client for the live oracle tests
#   --with-bench   valgrind, for bench/callgrind.sh (not needed to build or test)
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    libsimgrid-dev libboost-graph-dev libfmt-dev doctest-dev libyaml-cpp-dev
    libcli11-dev libpugixml-dev nlohmann-json3-dev libre2-dev
    # the plots of `brokersim sweep` (docs/sweeps.md)
    gnuplot-nox
    # brokersim-gui; Qt Charts needs Qt OpenGL, which qt6-base-dev does not pull in on Debian 12
    qt6-base-dev qt6-charts-dev libqt6opengl6-dev
    # screenshots of the GUI under a virtual X server (docs/gui.md)
    xvfb imagemagick
)
for option in "$@"; do
    case "$option" in
        --with-oracle) packages+=(activemq python3-stomp) ;;
        --with-bench) packages+=(valgrind) ;;
        *) echo "install-deps.sh: unknown option $option" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
