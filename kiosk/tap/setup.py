"""Builds the reader from ``[nfc]`` settings, and the one-time join URLs it presents.

    >>> join_url("https://loyalty.example.com/join?s={token}", "abc")
    'https://loyalty.example.com/join?s=abc'
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

from kiosk.config import NfcSettings
from kiosk.tap.extract import Rules
from kiosk.tap.reader import TapReader
from kiosk.tap.uid_secret import UidHasher

NOT_NFCPY = ("keyboard", "off")


def build_reader(nfc: NfcSettings, state_dir: Path, post: Callable[[object], None]) -> TapReader | None:
    """The reader for ``nfc.device``, not yet started; None when taps come from elsewhere (keyboard, off)."""
    if nfc.device in NOT_NFCPY:
        return None
    rules = Rules(re.compile(nfc.member_uri_pattern), nfc.member_record_type, UidHasher(state_dir).credential_value)
    return TapReader(nfc.device, rules, post, app_aid=bytes.fromhex(nfc.app_aid),
                     join_tag=nfc.join_tag and bool(nfc.join_url))


def new_join_token() -> str:
    """A fresh one-time session token: 128 random bits, URL-safe and a valid credential value."""
    return secrets.token_urlsafe(16)


def join_url(template: str, token: str) -> str | None:
    """The join URL for ``token``, None when phone join is off (an empty template)."""
    return template.replace("{token}", token) if template else None
