"""The reference loyalty backend (``kiosk backend serve``, the ``server`` extra): docs/backend-openapi.yaml on
SQLite with Flask. For demos, pop-up stores, development and the tests; retailers run their own backend.

``store`` keeps the data, ``service`` holds the rules (no HTTP), ``checks`` validates requests, ``api`` maps
the contract's routes onto the service, ``catalog`` has the default tiers, offers and wheel prizes.
"""
