"""The scenes of joining: the join screen (phone hand-off, the way to the kiosk's form) and the form."""
