#!/usr/bin/env bash
# Re-renders the README's screenshots from the real scenes (headless): bash docs/screenshots/make.sh
set -euo pipefail
cd "$(dirname "$0")"
config=$(mktemp --suffix=.toml)
trap 'rm -f "$config"' EXIT
printf '[display]\nmode = "headless"\nwidth = 1280\nheight = 720\n' > "$config"
kiosk=../../.venv/bin/kiosk
for shot in attract:en celebrate:en welcome:en join:ru welcome:nb maintenance:en; do
    scene=${shot%%:*} lang=${shot##*:}
    "$kiosk" --config "$config" screenshot "$scene" --lang "$lang" --out "$scene-$lang.png" >/dev/null
done
