"""What a shopper types to join, checked as a clerk would: the phone number for the store's market (numbers
without a country code are read as the configured region's), an e-mail address, a name of up to 64 letters in
the Latin or Cyrillic script, a birthday in the past. Each check returns the cleaned value or raises
:class:`Invalid` with a code the form shows as a message next to the field (``form.error.<code>``).

    >>> phone("912 34 567", "NO"), phone("+7 912 345-67-89", "NO")
    ('+4791234567', '+79123456789')
    >>> name("  Åse   Nordmann-Ødegård "), name("Анна-Мария")
    ('Åse Nordmann-Ødegård', 'Анна-Мария')
    >>> name("Anna\\u202e")
    Traceback (most recent call last):
    ...
    kiosk.features.join.details.Invalid: name: letters_only
    >>> birthday("24.12.1990", date(2026, 11, 28)), email(" Anna@Example.com ")
    ('1990-12-24', 'Anna@Example.com')
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import phonenumbers

NAME_MAX = 64
TYPED_MAX = 254  # nothing longer is even looked at: the form's fields refuse more (join/scenes/form.py)
NAME_PUNCTUATION = frozenset(" -'’.")
SCRIPTS = ("LATIN ", "CYRILLIC ")
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_EMAIL_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_DAY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$|^(\d{2})(\d{2})(\d{4})$")


class Invalid(ValueError):
    """``field`` is not right; ``code`` names the message (``form.error.<code>`` in strings.json)."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code


def phone(typed: str, region: str) -> str:
    """The number in E.164, if the numbering plan of its country has it."""
    if not typed.strip():
        raise Invalid("phone", "phone_missing")
    try:
        number = phonenumbers.parse(typed[:40], region)
    except phonenumbers.NumberParseException:
        raise Invalid("phone", "phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid("phone", "phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email(typed: str) -> str:
    """An address of the usual shape: one ``@``, a plain local part, a domain of at least two labels."""
    value = typed.strip()
    local, at, domain = value.rpartition("@")
    labels = domain.split(".")
    if (len(value) > TYPED_MAX or not at or len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local)
            or len(labels) < 2 or not all(_EMAIL_LABEL.fullmatch(label) for label in labels)
            or not labels[-1].isalpha()):
        raise Invalid("email", "email_invalid")
    return value


def name(typed: str) -> str:
    """Letters of the Latin or Cyrillic script (Norwegian and Russian ones included), spaces, hyphens,
    apostrophes and dots; at most NAME_MAX characters once spaces are tidied. Control characters, direction
    marks and emoji are refused, never silently dropped: the shopper sees why."""
    value = " ".join(unicodedata.normalize("NFC", typed[:TYPED_MAX * 2]).split())
    if len(value) > NAME_MAX:
        raise Invalid("name", "name_too_long")
    if not all(char in NAME_PUNCTUATION or _letter(char) for char in value) or not any(map(_letter, value)):
        raise Invalid("name", "letters_only")
    return value


def _letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and unicodedata.name(char, "").startswith(SCRIPTS)


def birthday(typed: str, today: date) -> str:
    """A day typed day first (``24.12.1990``, ``24/12/1990`` or ``24121990``), in the past and after 1900; as
    ISO 8601 text."""
    match = _DAY.fullmatch(typed.strip())
    if match is None:
        raise Invalid("birthday", "birthday_invalid")
    day, month, year = (int(part) for part in (match.groups()[:3] if match.group(1) else match.groups()[3:]))
    try:
        born = date(year, month, day)
    except ValueError:
        raise Invalid("birthday", "birthday_invalid") from None
    if not date(1900, 1, 1) <= born < today:
        raise Invalid("birthday", "birthday_invalid")
    return born.isoformat()
