"""The ``kiosk`` command: run, demo, screenshot, doctor."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from kiosk import __version__, config
from kiosk.cli import content as content_cli
from kiosk.exc import KioskError

log = logging.getLogger("kiosk")
DEMO_DEVICE = "udp:127.0.0.1:54321"  # where `kiosk demo` reads and `kiosk tap` presents its cards


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args)
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="NFC loyalty experience kiosk")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument("--config", help=f"TOML config file (default: ${config.ENV_VAR}, else built-in defaults)")
    parser.add_argument("--trace", type=Path, help="write timing marks as JSON lines to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the kiosk as configured")
    run.set_defaults(handler=_run)

    demo = commands.add_parser("demo", help="run with simulated reader and GPIO and demo members; no broker needed")
    demo.add_argument("--headless", action="store_true", help="no window even if a display exists")
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
    tap.add_argument("--device", default="udp:127.0.0.1:54321", help="the kiosk's reader (default: the demo's)")
    tap.add_argument("--wait", type=float, default=15.0, metavar="SECONDS",
                     help="give up when no reader answered within this time (default 15)")
    tap.set_defaults(handler=_tap)

    doctor = commands.add_parser("doctor", help="check the setup part by part; exit 1 if anything fails")
    doctor.set_defaults(handler=_doctor)
    content_cli.add_parser(commands)
    _add_ops(commands)
    return parser


def _run(args: argparse.Namespace) -> int:
    from kiosk.app import KioskApp
    from kiosk.trace import Tracer

    settings = config.load(args.config)
    return KioskApp(settings, tracer=Tracer(args.trace)).run()


def demo_settings(config_path: str | None, headless: bool) -> config.Settings:
    """The configured settings with the demo's simulated parts: mock GPIO, keyboard taps, local backend.

    Without a config file the demo keeps its state apart from a real kiosk's and opens a 1280x720 window.
    """
    from kiosk.ui.display import has_screen

    settings = config.load(config_path)
    mode = "window" if has_screen() and not headless else "headless"
    overrides: dict[str, dict] = {"display": {"mode": mode}, "gpio": {"pin_factory": "mock"},
                                  "nfc": {"device": _demo_device(settings.nfc.device)}, "backend": {"kind": "local"}}
    if settings.source == "<defaults>":
        state_dir = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "kiosk-demo"
        overrides["kiosk"] = {"state_dir": state_dir}
        if mode == "window":
            overrides["display"].update(width=1280, height=720)
    if not settings.debug.input_socket:
        state_dir = overrides.get("kiosk", {}).get("state_dir", settings.kiosk.state_dir)
        overrides["debug"] = {"input_socket": str(Path(state_dir) / "input.sock")}
    return config.with_overrides(settings, **overrides)


def _demo(args: argparse.Namespace) -> int:
    from kiosk.app import KioskApp
    from kiosk.trace import Tracer

    settings = demo_settings(args.config, args.headless)
    print(f"kiosk demo: {settings.display.mode} {settings.display.width}x{settings.display.height}; "
          "keys 1-3 tap demo members, 4 an unknown card; Escape or Ctrl+C quits; "
          f"automation socket {settings.debug.input_socket}", file=sys.stderr)
    if settings.nfc.device.startswith("udp"):
        print(f"kiosk demo: NFC reader on {settings.nfc.device}: from another terminal try "
              "`kiosk tap --member M-1001`, `kiosk tap --app APP-7F3A9C`, `kiosk tap --uid 04A224B1C55E80` "
              "or `kiosk tap --phone`", file=sys.stderr)
    return KioskApp(settings, demo=True, tracer=Tracer(args.trace)).run()


def _demo_device(configured: str) -> str:
    """The demo reads `kiosk tap` on nfcpy's udp: driver (and keeps its keys); a configured udp: path, keyboard
    only or off stay as they are."""
    if configured in ("keyboard", "off") or configured.startswith("udp"):
        return configured
    return DEMO_DEVICE


def _tap(args: argparse.Namespace) -> int:
    from kiosk.tap import emulator

    nfc = config.load(args.config).nfc
    if args.phone:
        url = emulator.read_join_tag(args.device, args.wait)
        if url is None:
            print(f"kiosk tap: no join tag was read on {args.device} within {args.wait:g} s", file=sys.stderr)
            return 1
        print(url)  # what the phone would open
        return 0
    try:
        if args.member:
            card = emulator.member_card(args.member, external_type=nfc.member_record_type if args.external else None,
                                        type=args.type, chip=args.chip)
        elif args.app:
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
    """`kiosk ops watch|send|keygen`: the store-ops console, on the [mqtt] settings of the config."""
    ops = commands.add_parser("ops", help="store operations over the broker: watch the fleet, send commands")
    jobs = ops.add_subparsers(dest="ops_command", required=True, metavar="JOB")

    watch = jobs.add_parser("watch", help="a live table of every kiosk under the topic prefix, stale ones flagged")
    watch.add_argument("--once", action="store_true",
                       help="collect for --window seconds, print the table once, exit 1 if any kiosk is flagged "
                            "(the default when stdout is not a terminal)")
    watch.add_argument("--window", type=float, default=2.0, metavar="SECONDS",
                       help="with --once: how long to collect (default 2)")
    watch.add_argument("--stale-after", type=float, default=180.0, metavar="SECONDS",
                       help="flag a kiosk heard nothing from for this long (default 180: three telemetry periods)")
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

    keygen = jobs.add_parser("keygen", help="write a command signing key; print the public key for command_keys")
    keygen.add_argument("--out", type=Path, required=True, help="private key file to create (mode 0600)")
    keygen.set_defaults(handler=_ops_keygen)


def _ops_watch(args: argparse.Namespace) -> int:
    from kiosk.ops import watch

    return watch.run(config.load(args.config).mqtt, once=args.once, window_s=args.window,
                     stale_after_s=args.stale_after)


def _ops_send(args: argparse.Namespace) -> int:
    from kiosk import keys
    from kiosk.features import default_features
    from kiosk.features.registry import FeatureSet
    from kiosk.ops import send

    key = keys.load_private(args.sign_key) if args.sign_key else None
    return send.run(config.load(args.config).mqtt, args.kiosk, args.cmd, send.parse_args(args.args),
                    timeout_s=args.timeout, ttl_s=args.ttl, registry=FeatureSet(default_features()).commands, key=key)


def _ops_keygen(args: argparse.Namespace) -> int:
    from kiosk import keys

    public = keys.generate(args.out)
    print(f"kiosk ops keygen: private key in {args.out}; add the public key to the kiosks' config: "
          f'[mqtt] command_keys = ["{public}"]', file=sys.stderr)
    print(public)
    return 0


if __name__ == "__main__":
    sys.exit(main())
