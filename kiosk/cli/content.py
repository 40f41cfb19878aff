"""``kiosk content``: make, check, sign, serve and preview content bundles (the authoring side of
docs/architecture.md). Kept apart from main.py so the kiosk's own commands stay short."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from kiosk import config
from kiosk.exc import KioskError


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add ``content`` and its subcommands to the ``kiosk`` command."""
    content = commands.add_parser("content", help="make, check, sign, serve and preview content bundles")
    sub = content.add_subparsers(dest="content_command", required=True, metavar="ACTION")

    keygen = sub.add_parser("keygen", help="new Ed25519 signing key; prints the public key for [content] public_key")
    keygen.add_argument("--out", type=Path, required=True, help="private key file to create (never overwritten)")
    keygen.set_defaults(handler=_keygen)

    validate = sub.add_parser("validate", help="run every check a kiosk runs (schemas, files, signature)")
    validate.add_argument("dir", type=Path)
    validate.add_argument("--public-key", help="base64 public key (default: the configured [content] public_key)")
    validate.set_defaults(handler=_validate)

    pack = sub.add_parser("pack", help="write DIR/manifest.json listing every file with its sha256 and length")
    pack.add_argument("dir", type=Path)
    pack.add_argument("--version", type=int, required=True, help="bundle version: above every one published")
    pack.add_argument("--expires", type=_utc, help="ISO 8601 UTC time (default: one year from now)")
    pack.set_defaults(handler=_pack)

    sign = sub.add_parser("sign", help="write DIR/manifest.sig, the signature of DIR/manifest.json")
    sign.add_argument("dir", type=Path)
    sign.add_argument("--key", type=Path, required=True, help="private key file from `kiosk content keygen`")
    sign.set_defaults(handler=_sign)

    serve = sub.add_parser("serve", help="serve DIR over HTTP (with byte ranges) for tests and small setups")
    serve.add_argument("dir", type=Path)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 for a free one)")
    serve.set_defaults(handler=_serve)

    preview = sub.add_parser("preview", help="render every scene in every language to PNGs and a contact sheet "
                                             "(several bundles: one folder per theme)")
    preview.add_argument("dir", type=Path, nargs="+")
    preview.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    preview.set_defaults(handler=_preview)


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("expected a time with a zone, e.g. 2027-01-01T00:00:00Z")
    return moment


def _keygen(args: argparse.Namespace) -> int:
    from kiosk import keys

    public = keys.generate(args.out)
    print(public)
    # Where stdout is a file or a pipe, "the line above" is not on the screen: name the key itself.
    where = "the line above" if sys.stdout.isatty() else f"the public key {public} (also on standard output)"
    print(f"private key written to {args.out}: keep it off the kiosks; put {where} in [content] public_key",
          file=sys.stderr)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from kiosk.content.authoring import validate

    key = args.public_key if args.public_key is not None else config.load(args.config).content.public_key
    bundle, manifest = validate(args.dir, key or None)  # BundleProblems lists every fault
    if manifest is None:
        state = "no manifest (a source folder: run `kiosk content pack`)"
    else:
        signature = "signature verified" if key else "signature NOT checked (no public key given)"
        state = f"version {manifest.version}, expires {manifest.expires.isoformat()}, {len(manifest.files)} files, " \
                f"{signature}"
    print(f"{args.dir}: valid; {len(bundle.strings)} languages, {len(bundle.tiers)} tiers; {state}")
    return 0


def _pack(args: argparse.Namespace) -> int:
    from kiosk.content.authoring import DEFAULT_VALIDITY, pack

    now = datetime.now(UTC)
    expires = args.expires or now + DEFAULT_VALIDITY
    if expires <= now:
        raise KioskError(f"content pack: --expires {expires.isoformat()} is in the past: every kiosk would refuse "
                         "the bundle as expired")
    manifest = pack(args.dir, args.version, expires)
    print(f"{args.dir}/manifest.json: version {manifest.version}, {len(manifest.files)} files, "
          f"{manifest.total_bytes} bytes; now sign it")
    return 0


def _sign(args: argparse.Namespace) -> int:
    from kiosk import keys
    from kiosk.content.authoring import sign

    sign(args.dir, keys.load_private(args.key))
    print(f"{args.dir}/manifest.sig written")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from kiosk.content.serve import make_server

    server = make_server(args.dir, args.host, args.port)
    host, port = server.server_address[:2]
    print(f"serving {args.dir} at http://{host}:{port}/ (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _preview(args: argparse.Namespace) -> int:
    from kiosk.cli.preview import preview

    files = preview(config.load(args.config), args.dir, args.out)
    sheets = [path for path in files if path.name == "contact-sheet.png"]
    print(f"{len(files) - len(sheets)} scenes written to {args.out}; contact sheet{'s' * (len(sheets) > 1)} "
          f"{', '.join(map(str, sheets))}")
    return 0
