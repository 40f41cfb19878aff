"""The ``kiosk`` command line (``main.py``): run, demo, tap, screenshot, doctor, content, ops."""
