"""The store-ops console: ``kiosk ops watch`` (the fleet at a glance), ``kiosk ops send`` (a command and its
result) and ``kiosk ops keygen`` (the key pair of signed commands). It talks to the kiosks only through the
broker, under the ``[mqtt]`` settings of the config it is given (docs/asyncapi.yaml)."""
