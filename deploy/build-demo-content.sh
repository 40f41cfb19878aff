#!/bin/sh
# Rebuild the demo bundles in deploy/demo-content/ after the shipped texts, tiers or demo members changed:
#   deploy/build-demo-content.sh
# A demo bundle keeps its own theme and fonts and takes content/'s strings.json, tiers.json, demo_members.json,
# consents.json and offers.json; it is packed (its version one above the last) and signed with the DEVELOPMENT
# key, like the shipped content/.
set -eu
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
for bundle in deploy/demo-content/*/; do
    bundle=${bundle%/}
    cp content/strings.json content/tiers.json content/demo_members.json content/consents.json content/offers.json \
        "$bundle/"
    version=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"] + 1)' "$bundle/manifest.json")
    "$python" -m kiosk content pack "$bundle" --version "$version" --expires 2099-12-31T00:00:00Z
    "$python" -m kiosk content sign "$bundle" --key deploy/content-dev.key
    "$python" -m kiosk content validate "$bundle" --public-key "$(cat deploy/content-dev.pub)"
done
