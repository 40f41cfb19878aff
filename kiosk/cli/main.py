"""The ``kiosk`` command: run, demo, screenshot, doctor."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import __version__, config
from kiosk.cli import backend as backend_cli
from kiosk.cli import content as content_cli
from kiosk.cli import demo as demo_cli
from kiosk.cli.demo import DEMO_DEVICE
from kiosk.cli.state_lock import StateLock
from kiosk.exc import ConfigError, KioskError

if TYPE_CHECKING:
    from kiosk.trace import Tracer

log = logging.getLogger("kiosk")
_TAP_TOKEN = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # what the default member URI pattern takes as a token


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.debug("kiosk %s, Python %s, %s, config %s", __version__, platform.python_version(), args.command,
              args.config or os.environ.get(config.ENV_VAR) or "<defaults>")
    try:
        return args.handler(args)
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="NFC loyalty experience kiosk")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    _add_global_options(parser, given_before_the_command=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the kiosk as configured")
    run.set_defaults(handler=_run)

    demo = commands.add_parser("demo", help="run with simulated reader and GPIO and demo members; no broker needed")
    demo.add_argument("--headless", action="store_true", help="no window even if a display exists")
    demo.add_argument("--backend", choices=("reference", "local"), default="reference",
                      help="reference (default): the reference backend in this process, with the phone pages; "
                           "local: the kiosk's embedded one (the demo members only, no phone pages)")
    demo.add_argument("--backend-host", metavar="ADDRESS",
                      help="where the demo's reference backend and phone pages listen, the address in the join URL "
                           "(default: this machine's LAN address, so a phone on the same network opens it; "
                           "127.0.0.1 keeps them on this machine)")
    demo.add_argument("--backend-port", type=int, default=0, metavar="PORT", help="its port (default: a free one)")
    demo.set_defaults(handler=_demo)

    shot = commands.add_parser("screenshot", help="render one scene headless to a PNG")
    shot.add_argument("scene", help="attract, celebrate, welcome, join, unavailable, goodbye or failsafe")
    shot.add_argument("--out", type=Path, required=True, help="PNG file to write")
    shot.add_argument("--lang", choices=config.LANGUAGES, help="language (default: the configured one)")
    shot.set_defaults(handler=_screenshot)

    tap = commands.add_parser("tap", help="emulate a tap over nfcpy's udp: driver (e.g. against `kiosk demo`)")
    what = tap.add_mutually_exclusive_group(required=True)
    what.add_argument("--member", metavar="TOKEN", help="a loyalty card whose NDEF holds the member URI")
    what.add_argument("--uid", metavar="HEX", help="a bare tag: only its UID (4, 7 or 10 bytes in hex)")
    what.add_argument("--app", metavar="TOKEN", help="a phone whose loyalty app answers SELECT of the program's AID")
    what.add_argument("--phone", action="store_true", help="a phone without the app reading the kiosk's join tag")
    tap.add_argument("--hold", type=float, default=0.3, metavar="SECONDS",
                     help="how long the card stays on the reader (default 0.3; longer: a card left there)")
    tap.add_argument("--type", choices=("t2", "t3", "t4"), default="t4",
                     help="with --member or --uid: the card's tag type: t2 an NTAG21x (--chip), t3 a FeliCa Lite-S, "
                          "t4 an ISO-DEP Type 4A card (default)")
    tap.add_argument("--chip", choices=("ntag213", "ntag215", "ntag216"), default="ntag215",
                     help="with --type t2: the NTAG21x's memory layout (default ntag215)")
    tap.add_argument("--external", action="store_true",
                     help="with --member: the program's external record instead of the member URI")
    tap.add_argument("--device", default=DEMO_DEVICE, help="the kiosk's reader (default: the demo's)")
    tap.add_argument("--wait", type=float, default=15.0, metavar="SECONDS",
                     help="give up when no reader answered within this time (default 15)")
    tap.set_defaults(handler=_tap)

    doctor = commands.add_parser("doctor", help="check the setup part by part; exit 1 if anything fails")
    doctor.set_defaults(handler=_doctor)
    content_cli.add_parser(commands)
    backend_cli.add_parser(commands)
    _add_ops(commands)
    for command in _every_command(parser):
        _add_global_options(command, given_before_the_command=False)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, *, given_before_the_command: bool) -> None:
    """--config, --trace and -v, before the command (``kiosk --config F run``) or after it, as people type them
    (``kiosk run --config F``). After the command they have no default of their own: a value given before the
    command must not be overwritten by the command's unset one."""
    unset = None if given_before_the_command else argparse.SUPPRESS
    parser.add_argument("--config", default=unset,
                        help=f"TOML config file (default: ${config.ENV_VAR}, else built-in defaults)")
    parser.add_argument("--trace", type=Path, default=unset, help="write timing marks as JSON lines to this file")
    parser.add_argument("-v", "--verbose", action="store_true", default=False if given_before_the_command else unset,
                        help="debug logging")


def _every_command(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Every subcommand's parser under ``parser``, at any depth (``content validate``, ``ops send``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                yield command
                yield from _every_command(command)


def _tracer(path: Path | None) -> Tracer:
    from kiosk.trace import Tracer

    try:
        return Tracer(path)
    except OSError as exc:
        raise ConfigError(str(path), "--trace", f"a file this user can write ({exc.strerror})") from None


def _run(args: argparse.Namespace) -> int:
    return _run_locked(config.load(args.config), demo=False, trace=args.trace)


def _demo(args: argparse.Namespace) -> int:
    return _run_locked(demo_cli.demo_settings(args.config, args.headless), demo=True, trace=args.trace,
                       backend_at=(args.backend_host, args.backend_port) if args.backend == "reference" else None)


def _run_locked(settings: config.Settings, *, demo: bool, trace: Path | None,
                backend_at: tuple[str | None, int] | None = None) -> int:
    """Run the kiosk while it holds its state directory: a second one stops here, before it opens the database
    (and before its banner promises anything). The demo serves the reference backend at ``backend_at`` (host,
    port) while it runs."""
    from kiosk.app import KioskApp
    from kiosk.cli.demo_backend import reference_backend

    tracer = _tracer(trace)
    lock = StateLock.take(Path(settings.kiosk.state_dir))
    try:
        with contextlib.ExitStack() as running:
            if backend_at is not None:
                settings = running.enter_context(reference_backend(settings, *backend_at))
            for line in demo_cli.banner(settings) if demo else []:
                print(line, file=sys.stderr)
            return KioskApp(settings, demo=demo, tracer=tracer).run()
    finally:
        lock.release()


def _tap(args: argparse.Namespace) -> int:
    from kiosk.tap import emulator

    nfc = config.load(args.config).nfc
    if not (args.device.startswith("udp") and config.valid_nfc_device(args.device)):
        raise KioskError(f"tap: --device: expected nfcpy's udp:HOST:PORT with a port from 1 to 65535, "
                         f"got {args.device!r}")
    if args.phone:
        url = emulator.read_join_tag(args.device, args.wait)
        if url is None:
            print(f"kiosk tap: no join tag was read on {args.device} within {args.wait:g} s", file=sys.stderr)
            return 1
        print(url)  # what the phone would open
        return 0
    for option, token in (("--member", args.member), ("--app", args.app)):
        if token is not None and not _TAP_TOKEN.fullmatch(token):
            raise KioskError(f"tap: {option}: expected a token of 1-128 letters, digits, '.', '_', ':' or '-', "
                             f"got {token!r}")
    try:
        if args.member is not None:
            card = emulator.member_card(args.member, external_type=nfc.member_record_type if args.external else None,
                                        type=args.type, chip=args.chip)
        elif args.app is not None:
            card = emulator.app_phone(args.app, bytes.fromhex(nfc.app_aid))
        else:
            card = emulator.bare_tag(bytes.fromhex(args.uid), type=args.type, chip=args.chip)
    except ValueError as exc:
        print(f"kiosk tap: {exc}", file=sys.stderr)
        return 2
    if not emulator.CardEmulator(card, args.device).present(args.hold, args.wait):
        print(f"kiosk tap: no reader activated the card on {args.device} within {args.wait:g} s", file=sys.stderr)
        return 1
    print(f"tapped on {args.device}, held {args.hold:g} s")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from kiosk.cli import doctor

    text, status = doctor.report(doctor.run(args.config))
    print(text)
    return status


def _screenshot(args: argparse.Namespace) -> int:
    from kiosk.cli.screenshot import render_scene

    settings = config.load(args.config)
    render_scene(settings, args.scene, args.lang or settings.kiosk.language, args.out)
    print(args.out)
    return 0


def _add_ops(commands: argparse._SubParsersAction) -> None:
    """`kiosk ops watch|send|stylist|keygen`: the store-ops console, on the [mqtt] settings of the config."""
    ops = commands.add_parser("ops", help="store operations over the broker: watch the fleet, send commands")
    jobs = ops.add_subparsers(dest="ops_command", required=True, metavar="JOB")

    watch = jobs.add_parser("watch", help="a live table of every kiosk under the topic prefix, stale ones flagged")
    watch.add_argument("--once", action="store_true",
                       help="print the table once every kiosk online has answered (or after --window seconds), "
                            "exit 1 if any kiosk is flagged (the default when stdout is not a terminal)")
    watch.add_argument("--window", type=float, default=2.0, metavar="SECONDS",
                       help="with --once: the longest to wait for the kiosks' telemetry (default 2)")
    watch.add_argument("--stale-after", type=float, default=180.0, metavar="SECONDS",
                       help="flag a kiosk heard nothing from for this long (default 180: three telemetry periods)")
    watch.add_argument("--sign-key", type=Path, metavar="FILE",
                       help="sign the ping that asks the kiosks for telemetry (kiosks with [mqtt] command_keys)")
    watch.set_defaults(handler=_ops_watch)

    send = jobs.add_parser("send", help="send a command to a kiosk and print its result; "
                                        "exit 0 done, 1 refused, 2 no result in time")
    send.add_argument("kiosk", help="the kiosk id")
    send.add_argument("cmd", help="ping, reload_content, update_content, maintenance, restart, screenshot, ...")
    send.add_argument("args", nargs="*", metavar="key=value",
                      help="arguments; a value is JSON when it parses (true, 3, '\"x\"'), else a string")
    send.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                      help="how long to wait for the result (default 10)")
    send.add_argument("--ttl", type=float, default=300.0, metavar="SECONDS",
                      help="the command expires after this long, also while it waits for an offline kiosk "
                           "(default 300)")
    send.add_argument("--sign-key", type=Path, metavar="FILE", help="sign with this key (from `kiosk ops keygen`)")
    send.set_defaults(handler=_ops_send)

    stylist = jobs.add_parser("stylist", help="the store's open stylist requests, oldest first; answer one as an "
                                              "associate: ack REQUEST NAME MINUTES, done REQUEST, cancel REQUEST "
                                              "REASON")
    stylist.add_argument("store", help="the store id")
    stylist.add_argument("action", nargs="?", default="list", choices=("list", "ack", "done", "cancel"))
    stylist.add_argument("words", nargs="*", metavar="ARG",
                         help="the request (its id or the start of it), then the answer's arguments")
    stylist.add_argument("--once", action="store_true", help="print the queue once (the default when stdout is not "
                                                             "a terminal)")
    stylist.set_defaults(handler=_ops_stylist)

    keygen = jobs.add_parser("keygen", help="write a command signing key; print the public key for command_keys")
    keygen.add_argument("--out", type=Path, required=True, help="private key file to create (mode 0600)")
    keygen.set_defaults(handler=_ops_keygen)


def _ops_watch(args: argparse.Namespace) -> int:
    from kiosk import keys
    from kiosk.ops import watch

    key = keys.load_private(args.sign_key) if args.sign_key else None
    return watch.run(config.load(args.config).mqtt, once=args.once, window_s=args.window,
                     stale_after_s=args.stale_after, key=key)


def _ops_send(args: argparse.Namespace) -> int:
    from kiosk import keys
    from kiosk.features import default_features
    from kiosk.features.registry import FeatureSet
    from kiosk.ops import send

    key = keys.load_private(args.sign_key) if args.sign_key else None
    return send.run(config.load(args.config).mqtt, args.kiosk, args.cmd, send.parse_args(args.args),
                    timeout_s=args.timeout, ttl_s=args.ttl, registry=FeatureSet(default_features()).commands, key=key)


def _ops_stylist(args: argparse.Namespace) -> int:
    from kiosk.features import default_features
    from kiosk.features.registry import FeatureSet
    from kiosk.ops import stylist

    return stylist.run(config.load(args.config).mqtt, args.store, args.action, args.words,
                       registry=FeatureSet(default_features()).commands, once=args.once)


def _ops_keygen(args: argparse.Namespace) -> int:
    from kiosk import keys

    public = keys.generate(args.out)
    print(f"kiosk ops keygen: private key in {args.out}; add the public key to the kiosks' config: "
          f'[mqtt] command_keys = ["{public}"]', file=sys.stderr)
    print(public)
    return 0


if __name__ == "__main__":
    sys.exit(main())
