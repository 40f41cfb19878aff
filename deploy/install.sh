#!/usr/bin/env bash
# Installs the kiosk on Raspberry Pi OS (Bookworm, 64-bit, no desktop) from this checkout, or removes it.
#
#   sudo bash deploy/install.sh                      install or update; running it again changes only what changed
#   sudo bash deploy/install.sh --dry-run            print every action, change nothing
#   sudo bash deploy/install.sh --uninstall          remove the kiosk; keep its config, state and user
#   sudo bash deploy/install.sh --uninstall --purge  remove those too
# It installs into the running system only: its Python environment and pygame build must be made by the
# target's own interpreter. For an SD card image, run it in the image (booted, or chrooted with qemu-user).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=/opt/kiosk                   # the program: a copy of the checkout (src) and its virtual environment
APP=$PREFIX/src
VENV=$PREFIX/venv
MANIFEST=$PREFIX/installed-files    # the udev and modprobe files placed, so --uninstall finds them later
CONF_DIR=/etc/kiosk
CONF=$CONF_DIR/kiosk.toml
STATE=/var/lib/kiosk
UNIT=/etc/systemd/system/kiosk.service
LINK=/usr/local/bin/kiosk
USER_NAME=kiosk
EXTRA_GROUPS=(gpio spi i2c dialout video input render)
# What the app copy holds: the package, its content next to it (kiosk/content/bundle.py finds content/ beside
# the package) and what this script needs to run again from /opt/kiosk/src.
APP_ITEMS=(kiosk content deploy systemd hardware pyproject.toml README.md)
# fonts-inter: the shipped theme's typeface, loaded by file from /usr/share/fonts/opentype/inter.
PACKAGES=(python3 python3-venv python3-pip libusb-1.0-0 libgbm1 libdrm2 libegl1 libgles2 ca-certificates fonts-inter)
# pygame's wheels bring an SDL without KMS/DRM support; on the Pi, pygame is built against Raspberry Pi OS's SDL.
PYGAME_BUILD_PACKAGES=(build-essential pkg-config python3-dev libsdl2-dev libsdl2-image-dev libsdl2-mixer-dev
                       libsdl2-ttf-dev libfreetype-dev libjpeg-dev libportmidi-dev)

DRY_RUN=0
UNINSTALL=0
PURGE=0
CHANGES=0

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) DRY_RUN=1 ;;
        --uninstall) UNINSTALL=1 ;;
        --purge) PURGE=1 ;;
        -h|--help) usage ;;
        *) echo "install.sh: unknown option $1" >&2; usage ;;
    esac
    shift
done
if [ "$PURGE" -eq 1 ] && [ "$UNINSTALL" -eq 0 ]; then
    echo "install.sh: --purge goes with --uninstall" >&2
    exit 2
fi
if [ "$DRY_RUN" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (sudo bash $0), or with --dry-run to see what it would do" >&2
    exit 1
fi

say() { echo "install.sh: $*"; }

# Every change goes through here: printed, then done (or only printed with --dry-run).
act() {
    CHANGES=$((CHANGES + 1))
    local shown
    shown=$(printf '%q ' "$@")
    if [ "$DRY_RUN" -eq 1 ]; then
        echo "would run: ${shown% }"
    else
        echo "+ ${shown% }"
        "$@"
    fi
}

systemd_running() { [ -d /run/systemd/system ]; }

# A user's or group's numeric id (empty when there is none).
id_of() { getent "$1" "$2" | cut -d: -f3; }
owner() { local uid gid; uid=$(id_of passwd "$USER_NAME"); gid=$(id_of group "$USER_NAME"); echo "${uid:-$USER_NAME}:${gid:-$USER_NAME}"; }
has_group() { [ -n "$(id_of group "$1")" ]; }
in_group() { awk -F: -v g="$1" -v u="$USER_NAME" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 } END { exit !found }' /etc/group 2>/dev/null; }

cmdline_file() {
    local f
    for f in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
        if [ -f "$f" ]; then echo "$f"; return; fi
    done
}

install_packages() {
    local wanted=("${PACKAGES[@]}") missing=() p
    case "$(uname -m)" in
        aarch64|armv7l|armv6l) wanted+=("${PYGAME_BUILD_PACKAGES[@]}") ;;
    esac
    # Raspberry Pi OS has lgpio for gpiozero's default pin factory; plain Debian does not.
    if apt-cache show python3-lgpio >/dev/null 2>&1; then wanted+=(python3-lgpio); fi
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "system packages: all there"
        return
    fi
    act apt-get update -qq
    act env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

create_user() {
    local g
    for g in "$USER_NAME" "${EXTRA_GROUPS[@]}"; do
        has_group "$g" || act groupadd --system "$g"
    done
    if [ -z "$(id_of passwd "$USER_NAME")" ]; then
        act useradd --system --gid "$USER_NAME" --home-dir "$STATE" --no-create-home \
            --shell /usr/sbin/nologin --comment "NFC loyalty kiosk" "$USER_NAME"
    fi
    for g in "${EXTRA_GROUPS[@]}"; do
        in_group "$g" || act usermod --append --groups "$g" "$USER_NAME"
    done
}

app_changed() {
    local item
    [ -d "$APP" ] || return 0
    for item in "${APP_ITEMS[@]}"; do
        [ -e "$SRC/$item" ] || continue
        diff -rq -x __pycache__ -x '*.egg-info' "$SRC/$item" "$APP/$item" >/dev/null 2>&1 || return 0
    done
    return 1
}

install_app() {
    local item fresh=0
    if [ "$SRC" = "$APP" ]; then
        say "program: running from $APP itself, keeping it"
    elif app_changed; then
        act rm -rf "$APP.new"
        act mkdir -p "$APP.new"
        for item in "${APP_ITEMS[@]}"; do
            if [ -e "$SRC/$item" ]; then act cp -R "$SRC/$item" "$APP.new/"; fi
        done
        act find "$APP.new" -depth -name __pycache__ -type d -exec rm -rf {} +
        act rm -rf "$APP"
        act mv "$APP.new" "$APP"
        fresh=1
    else
        say "program: $APP is up to date"
    fi
    if [ -e "$VENV" ] && ! "$VENV/bin/python" -c '' >/dev/null 2>&1; then
        # Its interpreter does not run here (Python was upgraded, or the environment came from another machine).
        act rm -rf "$VENV"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
            echo "install.sh: the kiosk needs Python 3.11 or newer (found $(python3 --version 2>&1))" >&2
            exit 1
        }
        # System site packages: Raspberry Pi OS's python3-lgpio (gpiozero's pin factory) comes from apt.
        act python3 -m venv --system-site-packages "$VENV"
        fresh=1
    fi
    # The kiosk does not import in the environment: an earlier pip install failed half-way (network, say).
    if [ "$fresh" -eq 1 ] || ! "$VENV/bin/python" -c 'import kiosk.cli.main, pygame' >/dev/null 2>&1; then
        local pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
        case "$(uname -m)" in
            # PEP 517: Bookworm's pip 23.0.1 would otherwise build pygame with the deprecated `setup.py install`.
            aarch64|armv7l|armv6l) pip+=(--no-binary pygame --use-pep517) ;;
        esac
        # Editable: the package stays in $APP, so the content/ folder beside it is found (kiosk.content.bundle).
        act "${pip[@]}" --editable "$APP"
    fi
    if [ "$(readlink "$LINK" 2>/dev/null)" != "$VENV/bin/kiosk" ]; then
        act mkdir -p "$(dirname "$LINK")"
        act ln -sfn "$VENV/bin/kiosk" "$LINK"
    fi
}

install_config() {
    if [ ! -d "$CONF_DIR" ]; then
        act install -d -m 0750 -o 0 -g "$(owner | cut -d: -f2)" "$CONF_DIR"
    fi
    if [ -e "$CONF" ]; then
        say "config: kept $CONF (the shipped example is $APP/deploy/kiosk.example.toml)"
    else
        # Readable by the kiosk user only: it holds the broker password and the backend token.
        act install -m 0640 -o 0 -g "$(owner | cut -d: -f2)" "$SRC/deploy/kiosk.example.toml" "$CONF"
    fi
    if [ ! -d "$STATE" ]; then
        act install -d -m 0700 -o "$(owner | cut -d: -f1)" -g "$(owner | cut -d: -f2)" "$STATE"
    fi
}

# udev rules and kernel module blacklists from hardware/ (whatever they are named), listed in the manifest.
install_system_files() {
    local placed=() f target old changed=0
    for f in "$SRC"/hardware/udev/*.rules "$SRC"/hardware/modprobe.d/*.conf; do
        [ -f "$f" ] || continue
        case "$f" in
            *.rules) target=/etc/udev/rules.d/$(basename "$f") ;;
            *) target=/etc/modprobe.d/$(basename "$f") ;;
        esac
        placed+=("$target")
        if ! cmp -s "$f" "$target"; then
            act install -D -m 0644 "$f" "$target"
            changed=1
        fi
    done
    if [ -f "$MANIFEST" ]; then
        while read -r old; do
            if [ -n "$old" ] && ! printf '%s\n' "${placed[@]}" | grep -qxF "$old"; then
                act rm -f "$old"
                changed=1
            fi
        done < "$MANIFEST"
    fi
    if [ "$DRY_RUN" -eq 0 ] && [ -d "$PREFIX" ]; then
        printf '%s\n' "${placed[@]}" > "$MANIFEST"
    fi
    say "udev rules and module blacklists: ${#placed[@]} file(s) from hardware/"
    if [ "$changed" -eq 1 ] && command -v udevadm >/dev/null && [ -S /run/udev/control ]; then
        act udevadm control --reload-rules
        act udevadm trigger
    fi
}

install_service() {
    if ! cmp -s "$SRC/systemd/kiosk.service" "$UNIT"; then
        act install -D -m 0644 "$SRC/systemd/kiosk.service" "$UNIT"
        if systemd_running; then act systemctl daemon-reload; fi
    fi
    if [ "$(systemctl is-enabled kiosk.service 2>/dev/null)" != "enabled" ]; then
        act systemctl enable kiosk.service
    fi
}

# The Linux console blanks the screen after ten minutes; a kiosk's screen power is the app's business.
screen_blanking_off() {
    local file
    file=$(cmdline_file)
    if [ -z "$file" ]; then
        say "screen blanking: no cmdline.txt in /boot/firmware or /boot (not a Raspberry Pi?): skipped"
    elif grep -q 'consoleblank=0' "$file"; then
        say "screen blanking: already off"
    else
        act sed -i '1 s/$/ consoleblank=0/' "$file"
        say "screen blanking: off from the next boot"
    fi
}

start_service() {
    if systemd_running; then
        act systemctl restart kiosk.service
        say "started: journalctl -u kiosk -f shows its log"
    else
        say "service: not started (systemd is not running here)"
    fi
}

uninstall() {
    local old file
    if systemd_running; then
        if systemctl is-active --quiet kiosk.service; then act systemctl stop kiosk.service; fi
    fi
    if [ -e "$UNIT" ]; then
        act systemctl disable kiosk.service
        act rm -f "$UNIT"
        if systemd_running; then act systemctl daemon-reload; fi
    fi
    if [ -f "$MANIFEST" ]; then
        while read -r old; do
            if [ -n "$old" ] && [ -e "$old" ]; then act rm -f "$old"; fi
        done < "$MANIFEST"
    fi
    if [ "$(readlink "$LINK" 2>/dev/null)" = "$VENV/bin/kiosk" ]; then act rm -f "$LINK"; fi
    if [ -d "$PREFIX" ]; then act rm -rf "$PREFIX"; fi
    file=$(cmdline_file)
    if [ -n "$file" ] && grep -q ' consoleblank=0' "$file"; then act sed -i 's/ consoleblank=0//' "$file"; fi
    if [ "$PURGE" -eq 1 ]; then
        if [ -d "$CONF_DIR" ]; then act rm -rf "$CONF_DIR"; fi
        if [ -d "$STATE" ]; then act rm -rf "$STATE"; fi
        if [ -n "$(id_of passwd "$USER_NAME")" ]; then act userdel "$USER_NAME"; fi
    else
        say "kept $CONF_DIR (config), $STATE (state) and the user $USER_NAME: --uninstall --purge removes them"
    fi
}

say "$([ "$UNINSTALL" -eq 1 ] && echo uninstall || echo install) from $SRC$([ "$DRY_RUN" -eq 1 ] && echo ' (dry run)')"
if [ "$UNINSTALL" -eq 1 ]; then
    uninstall
else
    install_packages
    create_user
    install_app
    install_config
    install_system_files
    install_service
    screen_blanking_off
    start_service
fi
if [ "$DRY_RUN" -eq 1 ]; then
    say "dry run: $CHANGES action(s) would run, nothing changed"
else
    say "done: $CHANGES change(s)"
fi
if [ "$UNINSTALL" -eq 0 ]; then
    say "next: edit $CONF, then check it all with: sudo -u $USER_NAME kiosk doctor"
fi
