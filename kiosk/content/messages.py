"""Content texts with numbers and plurals, formatted through CLDR (Babel) for each language.

A text in ``strings.json`` is either a plain template or, when it names a count, an object of CLDR plural
forms with ``plural`` naming the placeholder that picks the form:

    {"plural": "points", "one": "{points} балл", "few": "{points} балла", "many": "{points} баллов",
     "other": "{points} балла"}

Numbers given to a template are written the language's way (grouping and decimal signs), never by ``str``:

    >>> format_text("en", {"plural": "points", "one": "{points} point", "other": "{points} points"}, points=1240)
    '1,240 points'
    >>> format_text("ru", {"plural": "n", "one": "{n} балл", "few": "{n} балла", "many": "{n} баллов",
    ...                    "other": "{n} балла"}, n=1241)
    '1\\xa0241 балл'
    >>> format_text("nb", "{points} poeng til {tier}", points=2, tier="Gull")
    '2 poeng til Gull'
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date as babel_date
from babel.numbers import format_currency, format_decimal

Text = str | dict[str, str]
"""A template, or plural forms by CLDR category plus ``plural``: the placeholder that picks the form."""

PLURAL_KEY = "plural"


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def plural_categories(language: str) -> frozenset[str]:
    """The CLDR plural categories a text with a count needs in ``language``, ``other`` included.

    >>> sorted(plural_categories("ru"))
    ['few', 'many', 'one', 'other']
    >>> sorted(plural_categories("nb"))
    ['one', 'other']
    """
    return frozenset(_locale(language).plural_form.tags | {"other"})


def plural_category(language: str, count: float) -> str:
    """The CLDR category of ``count`` in ``language``.

    >>> [plural_category("ru", n) for n in (1, 2, 5, 21, 1.5)]
    ['one', 'few', 'many', 'one', 'other']
    """
    return _locale(language).plural_form(count)


def format_number(language: str, value: float | Decimal) -> str:
    """``value`` with the language's grouping and decimal signs (Russian and Norwegian group with a no-break
    space, so a number never breaks across lines).

    >>> [format_number(lang, 1240) for lang in ("en", "ru", "nb")]
    ['1,240', '1\\xa0240', '1\\xa0240']
    """
    return format_decimal(value, locale=_locale(language))


def format_price(language: str, amount: float | Decimal, currency: str) -> str:
    """A price in ``currency`` (ISO 4217) the language's way; whole amounts without decimals.

    >>> format_price("ru", 1990, "RUB")
    '1\\xa0990\\xa0₽'
    >>> format_price("en", 49.5, "EUR")
    '€49.50'
    """
    whole = Decimal(str(amount)) % 1 == 0
    pattern = None
    if whole:  # CLDR patterns write the decimal sign as ".", whatever the language
        pattern = _locale(language).currency_formats["standard"].pattern.replace(".00", "")
    return format_currency(amount, currency, format=pattern, locale=_locale(language), currency_digits=not whole)


def format_day(language: str, day: date) -> str:
    """A date as a shopper reads it, e.g. on an offer's end.

    >>> format_day("en", date(2026, 12, 31)), format_day("nb", date(2026, 12, 31))
    ('December 31, 2026', '31. desember 2026')
    """
    return babel_date(day, format="long", locale=_locale(language))


def format_text(language: str, text: Text, **values: object) -> str:
    """Fill in ``text`` for ``language``: pick the plural form by its count, write numbers and dates the language's
    way."""
    if isinstance(text, dict):
        count = values[text[PLURAL_KEY]]
        if not isinstance(count, int | float | Decimal):
            raise TypeError(f"the count {text[PLURAL_KEY]!r} must be a number, got {count!r}")
        text = text.get(plural_category(language, count), text["other"])
    if not values:
        return text
    shown = {name: _show(language, value) for name, value in values.items()}
    return text.format(**shown)


def _show(language: str, value: object) -> object:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return format_number(language, value)
    if isinstance(value, date):
        return format_day(language, value)
    return value
