"""The scenes of a shopper's session: attract, celebrate, welcome, join, unavailable, goodbye."""
