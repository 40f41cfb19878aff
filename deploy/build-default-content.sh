#!/bin/sh
# Rebuild the manifest and signature of the shipped content/ after editing it:
#   deploy/build-default-content.sh VERSION
# The key is a DEVELOPMENT key, committed on purpose: the built-in bundle is trusted because it ships with the
# code, and its signature only lets `kiosk content validate` check it like any other bundle. Never put
# content-dev.pub into a kiosk's [content] public_key: remote bundles must be signed with the retailer's own key.
set -eu
cd "$(dirname "$0")/.."
version=${1:?usage: deploy/build-default-content.sh VERSION}
python=${PYTHON:-.venv/bin/python}
"$python" -m kiosk content pack content --version "$version" --expires 2099-12-31T00:00:00Z
"$python" -m kiosk content sign content --key deploy/content-dev.key
"$python" -m kiosk content validate content --public-key "$(cat deploy/content-dev.pub)"
