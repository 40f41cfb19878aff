#!/usr/bin/env bash
# The developer's one command: sets up what is missing, then runs the demo, the tests or the benchmarks.
#
#   bash deploy/dev.sh demo [kiosk demo options]   the kiosk with simulated reader and GPIO, no broker needed
#   bash deploy/dev.sh test [pytest options]       ruff, then the whole test suite (real mosquitto included)
#   bash deploy/dev.sh bench [--quick]             the benchmarks of tests/perf against the budgets
#   bash deploy/dev.sh coverage [pytest options]   the suite under coverage.py: in-process and with the kiosk processes
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
command=$1
shift

apt_updated=0
apt_install() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ "$apt_updated" -eq 0 ]; then
        $sudo apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

ensure_python() {
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "dev.sh: Python 3.11 or newer is needed (found: $(python3 --version 2>&1))" >&2
        exit 1
    fi
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv 2>/dev/null || { apt_install python3-venv && python3 -m venv .venv; }
    fi
    # Reinstall only when the project's dependencies changed since the last install.
    if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -e '.[test,server]'
        touch .venv/.installed
    fi
}

# The shipped theme's typeface (Inter: Latin, Cyrillic and Norwegian letters, kerning, nine weights), from
# Debian's fonts-inter (Architecture: all, so the same package on Raspberry Pi OS); the kiosk loads it by file.
ensure_fonts() {
    [ -f /usr/share/fonts/opentype/inter/Inter-Regular.otf ] || apt_install fonts-inter
}

ensure_mosquitto() {
    command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || apt_install mosquitto
}

# The phone pages of the reference backend are tested in a real browser: headless Chromium from Debian.
ensure_chromium() {
    command -v chromium >/dev/null || apt_install chromium
}

# The install and systemd tests run shellcheck, systemd-analyze, useradd and systemctl for real, and install.sh
# in a throw-away Debian made by debootstrap; the demo's test of a machine without a LAN brings up the loopback
# of a network namespace of its own with ip.
ensure_deploy_tools() {
    local missing=()
    command -v ip >/dev/null || [ -x /usr/sbin/ip ] || missing+=(iproute2)
    command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
    command -v shellcheck >/dev/null || missing+=(shellcheck)
    command -v systemd-analyze >/dev/null || missing+=(systemd)
    command -v useradd >/dev/null || [ -x /usr/sbin/useradd ] || missing+=(passwd)
    if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

case "$command" in
    demo)
        ensure_python
        ensure_fonts
        exec .venv/bin/kiosk demo "$@"
        ;;
    test)
        ensure_python
        ensure_fonts
        ensure_mosquitto
        ensure_chromium
        ensure_deploy_tools
        .venv/bin/ruff check .
        exec .venv/bin/python -m pytest "$@"
        ;;
    bench)
        ensure_python
        ensure_fonts
        exec .venv/bin/python tests/perf/run.py "$@"
        ;;
    coverage)
        ensure_python
        ensure_mosquitto
        ensure_deploy_tools
        rm -f .coverage .coverage.* .coverage-in-process
        # Every Python process writes .coverage.<host>.<pid>.<random> (pyproject.toml: patch = subprocess); the
        # pytest process is the one started here, so its own file gives the in-process figure.
        status=0
        .venv/bin/coverage run -m pytest "$@" &
        main=$!
        wait "$main" || status=$?
        .venv/bin/coverage combine --keep --quiet --data-file=.coverage-in-process .coverage.*.pid"$main".*
        .venv/bin/coverage combine --quiet
        echo "in-process (the pytest process alone):"
        .venv/bin/coverage report --data-file=.coverage-in-process | tail -1
        echo "with the kiosk processes the tests start:"
        .venv/bin/coverage report --skip-covered --sort=cover
        exit "$status"
        ;;
    *)
        usage
        ;;
esac
