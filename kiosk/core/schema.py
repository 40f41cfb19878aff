"""A strict checker for the small JSON Schema subset that command arguments use.

The same schema is the registry's check and the AsyncAPI document's description of a command, so both
always agree. Unlike JSON Schema's ``pattern`` (a search, where ``$`` also matches before a final newline),
a pattern here must match the *whole* string: ``"M-1001\\n"`` is not a member reference.

Supported: ``type`` object (``properties``, ``required``, ``additionalProperties: false``), string
(``pattern``, ``maxLength``, ``format: uri`` for http/https), boolean, integer (``minimum``, ``maximum``).

    >>> SCHEMA = {"type": "object", "additionalProperties": False, "required": ["on"],
    ...           "properties": {"on": {"type": "boolean"}}}
    >>> check({"on": True}, SCHEMA)
    {'on': True}
    >>> check({"on": "yes"}, SCHEMA)
    Traceback (most recent call last):
    ...
    kiosk.exc.SchemaError: on: expected true or false
    >>> check("M-1001\\n", {"type": "string", "pattern": "[A-Z0-9-]{1,8}"})
    Traceback (most recent call last):
    ...
    kiosk.exc.SchemaError: expected a string matching [A-Z0-9-]{1,8}
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from kiosk.exc import SchemaError

_KEYS = {"type", "properties", "required", "additionalProperties", "pattern", "maxLength", "format", "minimum",
         "maximum", "description"}


def check(value: Any, schema: dict, path: str = "") -> Any:
    """``value`` when it conforms to ``schema``; SchemaError naming the first key that does not."""
    unknown = set(schema) - _KEYS
    if unknown:
        raise ValueError(f"schema uses unsupported keywords {sorted(unknown)}")  # a programming error
    kind = schema["type"]
    where = f"{path}: " if path else ""
    if kind == "object":
        return _object(value, schema, path, where)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise SchemaError(f"{where}expected true or false")
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int) or not (
                schema.get("minimum", value) <= value <= schema.get("maximum", value)):
            raise SchemaError(f"{where}expected an integer from {schema.get('minimum')} to {schema.get('maximum')}")
    elif kind == "string":
        _string(value, schema, where)
    else:
        raise ValueError(f"unsupported schema type {kind!r}")
    return value


def _object(value: Any, schema: dict, path: str, where: str) -> dict:
    if not isinstance(value, dict):
        raise SchemaError(f"{where}expected an object")
    properties = schema.get("properties", {})
    missing = [key for key in schema.get("required", ()) if key not in value]
    if missing:
        raise SchemaError(f"{where}missing {', '.join(missing)}")
    extra = sorted(set(value) - set(properties))
    if extra and schema.get("additionalProperties", True) is False:
        raise SchemaError(f"{where}unknown {', '.join(extra)}; takes {', '.join(properties) or 'nothing'}")
    for key, sub in properties.items():
        if key in value:
            check(value[key], sub, f"{path}.{key}" if path else key)
    return value


def _string(value: Any, schema: dict, where: str) -> None:
    if not isinstance(value, str):
        raise SchemaError(f"{where}expected a string")
    if len(value) > schema.get("maxLength", len(value)):
        raise SchemaError(f"{where}expected at most {schema['maxLength']} characters")
    pattern = schema.get("pattern")
    if pattern is not None and not _compiled(pattern).fullmatch(value):
        raise SchemaError(f"{where}expected a string matching {pattern}")
    if schema.get("format") == "uri" and (not value.startswith(("http://", "https://"))
                                          or any(c.isspace() or ord(c) < 32 for c in value)):
        raise SchemaError(f"{where}expected an http:// or https:// URL")


@cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)
