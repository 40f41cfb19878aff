"""NFC loyalty experience kiosk: firmware and controller."""

__version__ = "0.1.0"

import os as _os

# pygame prints a banner on import; a kiosk's logs and a CLI's output are no place for it.
_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
