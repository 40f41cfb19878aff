"""Requests to the reference backend checked against docs/backend-openapi.yaml, field by field.

Each function takes the parsed JSON body and returns it cleaned, or raises a 400 problem naming the field:

    >>> registration({"language": "en", "phone": "+4791234567",
    ...               "consents": {"personal_data": {"text_version": "1", "granted": True}}})["phone"]
    '+4791234567'
    >>> registration({"language": "en", "phone": "+4791234567", "consents": {}})
    Traceback (most recent call last):
    ...
    kiosk.server.problem.Problem: personal_data: missing
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import phonenumbers

from kiosk.server.problem import Problem, bad_request

REF = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
CREDENTIAL_VALUE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
CREDENTIAL_KINDS = ("app", "ndef", "uid", "phone_join")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
EMAIL = re.compile(r"^[^@]{1,64}@[^@]{1,253}$")  # the rest is the mail server's business
VERSION = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
LANGUAGES = ("ru", "en", "nb")


def matches(field: str, value: Any, pattern: re.Pattern) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise bad_request(field, f"expected text matching {pattern.pattern}")
    return value


def registration(body: Any) -> dict:
    obj = _object("body", body, required=("language", "consents"),
                  allowed=("phone", "email", "name", "birthday", "language", "consents", "credential",
                           "join_token", "kiosk_id", "consented_at"))
    if "phone" not in obj and "email" not in obj:
        raise bad_request("phone", "a phone number or an e-mail address is needed")
    if "phone" in obj:
        _phone(obj["phone"])
    if "email" in obj and (not isinstance(obj["email"], str) or len(obj["email"]) > 254
                           or not EMAIL.fullmatch(obj["email"])):
        raise bad_request("email", "expected an e-mail address")
    if "name" in obj and (not isinstance(obj["name"], str) or not 1 <= len(obj["name"].strip()) <= 100):
        raise bad_request("name", "expected 1-100 characters")
    if "birthday" in obj:
        _birthday(obj["birthday"])
    _language(obj["language"])
    consents = _object("consents", obj["consents"], required=("personal_data",),
                       allowed=("personal_data", "marketing"))
    for purpose, answer in consents.items():
        _consent(purpose, answer)
    if consents["personal_data"]["granted"] is not True:
        raise bad_request("consents.personal_data", "joining needs it granted")
    if "credential" in obj:
        credential = _object("credential", obj["credential"], required=("kind", "value"), allowed=("kind", "value"))
        if credential["kind"] not in ("app", "ndef", "uid"):
            raise bad_request("credential.kind", "expected app, ndef or uid")
        matches("credential.value", credential["value"], CREDENTIAL_VALUE)
    if "join_token" in obj:
        matches("join_token", obj["join_token"], TOKEN)
    if "kiosk_id" in obj:
        matches("kiosk_id", obj["kiosk_id"], KIOSK_ID)
    if "consented_at" in obj:
        _timestamp("consented_at", obj["consented_at"])
    return obj


def join_offer(body: Any) -> dict:
    obj = _object("body", body, required=("join_token", "kiosk_id", "session_id", "ttl_s"),
                  allowed=("join_token", "kiosk_id", "session_id", "ttl_s"))
    matches("join_token", obj["join_token"], TOKEN)
    matches("kiosk_id", obj["kiosk_id"], KIOSK_ID)
    matches("session_id", obj["session_id"], REF)
    ttl = obj["ttl_s"]
    # JSON Schema's integer includes 60.0: JSON has one number type
    whole = isinstance(ttl, int | float) and not isinstance(ttl, bool) and float(ttl).is_integer()
    if not whole or not 10 <= ttl <= 3600:
        raise bad_request("ttl_s", "expected whole seconds from 10 to 3600")
    return {**obj, "ttl_s": int(ttl)}


def draw_request(body: Any) -> dict:
    obj = _object("body", body, required=("game", "kiosk_id"), allowed=("game", "kiosk_id"))
    if obj["game"] != "wheel":
        raise bad_request("game", "expected wheel")
    matches("kiosk_id", obj["kiosk_id"], KIOSK_ID)
    return obj


def custom_event(body: Any) -> dict:
    obj = _object("body", body, required=("event_id", "type", "kiosk_id", "occurred_at", "data"),
                  allowed=("event_id", "type", "kiosk_id", "occurred_at", "data", "member_ref"))
    matches("event_id", obj["event_id"], ULID)
    matches("type", obj["type"], EVENT_TYPE)
    matches("kiosk_id", obj["kiosk_id"], KIOSK_ID)
    if "member_ref" in obj:
        matches("member_ref", obj["member_ref"], REF)
    _timestamp("occurred_at", obj["occurred_at"])
    if not isinstance(obj["data"], dict) or len(obj["data"]) > 50:
        raise bad_request("data", "expected an object of at most 50 keys")
    return obj


def credential(kind: Any, value: Any) -> tuple[str, str]:
    if kind not in CREDENTIAL_KINDS:
        raise bad_request("kind", f"expected one of {', '.join(CREDENTIAL_KINDS)}")
    return kind, matches("value", value, CREDENTIAL_VALUE)


def _object(field: str, value: Any, *, required: tuple[str, ...], allowed: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise bad_request(field, "expected a JSON object")
    for key in required:
        if key not in value:
            raise bad_request(key, "missing")
    for key in value:
        if key not in allowed:
            raise bad_request(key, "unknown field")
    return value


def _phone(value: Any) -> None:
    """E.164 by pattern, then a number that can exist (phonenumbers knows each country's plan)."""
    matches("phone", value, E164)
    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(value, None))
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        raise Problem(422, "invalid-phone", "phone: no numbering plan has this number")


def _birthday(value: Any) -> None:
    try:
        born = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        born = None
    if born is None:
        raise bad_request("birthday", "expected a date YYYY-MM-DD")
    if not date(1900, 1, 1) <= born < date.today():
        raise Problem(422, "invalid-birthday", "birthday: expected a day in the past")


def _language(value: Any) -> None:
    if value not in LANGUAGES:
        raise bad_request("language", "expected ru, en or nb")


def _consent(purpose: str, value: Any) -> None:
    obj = _object(f"consents.{purpose}", value, required=("text_version", "granted"),
                  allowed=("text_version", "granted"))
    matches(f"consents.{purpose}.text_version", obj["text_version"], VERSION)
    if not isinstance(obj["granted"], bool):
        raise bad_request(f"consents.{purpose}.granted", "expected true or false")


def _timestamp(field: str, value: Any) -> None:
    try:
        ok = isinstance(value, str) and len(value) <= 40 and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        ok = False
    if not ok:
        raise bad_request(field, "expected an ISO 8601 time with its UTC offset")
