"""Content bundles: the texts, theme, tiers and demo data the kiosk shows."""
