"""Where taps come from: the NFC reader (nfcpy) and, for the demo, the keyboard."""
