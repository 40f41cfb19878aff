#!/usr/bin/env bash
# Re-renders the README's gallery with `kiosk content preview` (headless, 1280x720, both shipped themes: the
# built-in content and the evening demo bundle): bash docs/screenshots/make.sh
# The pictures are the same byte for byte on every run: re-rendering unchanged scenes leaves the tree clean.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '[display]\nmode = "headless"\nwidth = 1280\nheight = 720\n' > "$work/kiosk.toml"
../../.venv/bin/kiosk --config "$work/kiosk.toml" content preview ../../content ../../deploy/demo-content/evening \
    --out "$work/out" >/dev/null 2>&1
for shot in default/attract-en default/celebrate-en default/welcome-en default/join-ru default/welcome-nb default/maintenance-en default/wheel-en default/wheel_result-ru default/stylist-en default/stylist_grid-nb default/stylist_status-ru evening/wheel-nb evening/attract-nb evening/celebrate-ru evening/unavailable-en default/contact-sheet evening/contact-sheet; do
    cp "$work/out/$shot.png" "${shot%%/*}-${shot##*/}.png"
done
