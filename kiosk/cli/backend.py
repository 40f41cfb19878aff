"""``kiosk backend serve``: the reference loyalty backend (docs/backend-openapi.yaml) for demos, pop-up stores,
development and tests. Needs the ``server`` extra (``pip install 'kiosk[server]'``)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

TOKEN_VAR = "KIOSK_BACKEND_TOKEN"
SECRET_VAR = "KIOSK_BACKEND_SECRET"


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add ``backend`` and its subcommands to the ``kiosk`` command."""
    backend = commands.add_parser("backend", help="the reference loyalty backend (needs the server extra)")
    sub = backend.add_subparsers(dest="backend_command", required=True, metavar="ACTION")
    serve = sub.add_parser("serve", help="serve the backend contract on SQLite; the bearer token comes from "
                                         f"${TOKEN_VAR} (empty: open to anybody who can reach it), the key of "
                                         f"the phone pages' cookies from ${SECRET_VAR} (empty: a random one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 "
                                                           "for phones on the store's network)")
    serve.add_argument("--port", type=int, default=8400, help="port (default 8400)")
    serve.add_argument("--db", type=Path, default=_default_db(), help=f"SQLite file (default {_default_db()})")
    serve.add_argument("--proxies", type=int, default=0, metavar="N",
                       help="reverse proxies in front of it (default 0): the phone pages' attempt limits then count "
                            "by the client address in their X-Forwarded-For")
    serve.add_argument("--time-zone", default="", metavar="ZONE",
                       help="the stores' time zone, an IANA name such as Europe/Oslo (default: this machine's): "
                            "a member's spins per day count from midnight there, as the kiosks' own limit does "
                            "in their local time zone")
    serve.add_argument("--demo", action="store_true", help="put the shipped demo members in (Anna, Ivan, Ingrid)")
    serve.add_argument("--mqtt", action="store_true",
                       help="through the broker of the config's [mqtt] section: record every kiosk's events "
                            "(a shared subscription), tell kiosks `session_joined` and serve the associates' "
                            "page (/associates/STORE: the stylist requests)")
    serve.add_argument("--instance", help="with --mqtt: this instance's name, unique among instances sharing the "
                                          "database and stable across restarts (default: the host name)")
    serve.add_argument("--sign-key", type=Path, metavar="FILE",
                       help="with --mqtt: sign the commands with this key (from `kiosk ops keygen`)")
    serve.set_defaults(handler=_serve)


def _default_db() -> Path:
    state = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
    return state / "kiosk-backend" / "backend.db"


def _serve(args: argparse.Namespace) -> int:
    from kiosk import config, keys

    try:
        from kiosk.server.ingest import EventIngest
        from kiosk.server.notify import KioskCommands
        from kiosk.server.serve import BackendServer, build, store_time_zone
    except ImportError as exc:
        print(f"kiosk backend: the server extra is not installed ({exc.name} is missing): "
              "pip install 'kiosk[server]'", file=sys.stderr)
        return 2
    try:
        store_time_zone(args.time_zone)
    except ValueError as exc:
        print(f"kiosk backend: {exc}", file=sys.stderr)
        return 2
    mqtt = config.load(args.config).mqtt if args.mqtt else None
    key = keys.load_private(args.sign_key) if args.sign_key else None
    sender = KioskCommands(mqtt, key) if mqtt else None
    args.db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    backend = build(str(args.db), os.environ.get(TOKEN_VAR, ""), demo=args.demo, on_joined=sender,
                    topic_prefix=mqtt.topic_prefix if mqtt else "loyalty/v1", secret=os.environ.get(SECRET_VAR, ""),
                    proxies=args.proxies, send_command=sender.send if sender else None, time_zone=args.time_zone)
    ingest = EventIngest(mqtt, backend.recorder, instance=args.instance) if mqtt else None
    server = BackendServer(backend.app, args.host, args.port)
    print(f"kiosk backend: serving {server.url} (phone pages at /join"
          + (", the associates' page at /associates/STORE" if mqtt else "") + f") on {args.db}"
          + (f"; kiosks' events and session_joined through {mqtt.host}:{mqtt.port}" if mqtt else "")
          + "; Ctrl+C stops", file=sys.stderr)
    if ingest is not None:
        ingest.start()
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how it stops
            server.serve_forever()
    finally:
        for part in (ingest, sender):
            if part is not None:
                part.stop()
    return 0
