"""The examples in kiosk/tap's docstrings run, and say what the code does."""

import doctest
import importlib
import pkgutil

import pytest

import kiosk.tap

MODULES = [f"kiosk.tap.{info.name}" for info in pkgutil.iter_modules(kiosk.tap.__path__)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    failed, _ = doctest.testmod(importlib.import_module(name))
    assert failed == 0
