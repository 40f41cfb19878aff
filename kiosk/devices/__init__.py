"""The kiosk's GPIO parts on gpiozero, over the pin factory named in the config."""
