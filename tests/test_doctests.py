"""The examples in the docstrings of the look's modules run, so their documentation cannot drift."""

import doctest
import importlib

import pytest

MODULES = ["kiosk.content.bundle", "kiosk.content.messages", "kiosk.content.schemas", "kiosk.content.theme",
           "kiosk.ui.look", "kiosk.ui.text"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    failures, tried = doctest.testmod(importlib.import_module(name))
    assert tried and failures == 0, f"{name}: {failures} of {tried} docstring examples failed (see the output)"
