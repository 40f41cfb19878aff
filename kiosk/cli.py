"""The ``kiosk`` command: run, demo, screenshot."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from kiosk import __version__, config
from kiosk.exc import KioskError

log = logging.getLogger("kiosk")


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
                                  "nfc": {"device": "keyboard"}, "backend": {"kind": "local"}}
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
    return KioskApp(settings, demo=True, tracer=Tracer(args.trace)).run()


def _screenshot(args: argparse.Namespace) -> int:
    from kiosk.screenshot import render_scene

    settings = config.load(args.config)
    render_scene(settings, args.scene, args.lang or settings.kiosk.language, args.out)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
