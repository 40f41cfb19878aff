"""Per-client limits on the phone pages' attempts: sign-up, code requests and code guesses. A token bucket per
action and client address, in memory: each instance keeps its own, a restart forgets (the per-token limits of
kiosk/server/service.py are in the database and hold across instances). An IPv6 client counts by its /64,
which a phone can pick any address in.

    >>> clock = [0.0]
    >>> limiter = Limiter({"sign_up": Rate(burst=2, refill_s=30.0)}, now=lambda: clock[0])
    >>> [limiter.take("sign_up", "192.0.2.7") for _ in range(3)]
    [0.0, 0.0, 30.0]
    >>> clock[0] = 15.0
    >>> limiter.take("sign_up", "192.0.2.7"), limiter.take("sign_up", "192.0.2.8")
    (15.0, 0.0)
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """``burst`` attempts at once; after that, one more every ``refill_s`` seconds."""

    burst: int
    refill_s: float


RATES: Mapping[str, Rate] = {
    # Shoppers in one store may share its Wi-Fi's address: room for a queue of them, not for a script.
    "sign_up": Rate(burst=10, refill_s=30.0),
    "log_in": Rate(burst=5, refill_s=60.0),  # each sends a code: a text message someone pays for
    "code": Rate(burst=10, refill_s=10.0),  # with five wrong guesses per join token on top
}
MAX_CLIENTS = 10_000
"""Buckets kept; past that the least recently used goes (a full one: it would start full again anyway)."""


def client_key(address: str) -> str:
    """What counts as one client: an IPv4 address, an IPv6 /64.

        >>> client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9"), client_key("192.0.2.1")
        (True, '192.0.2.1')
    """
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(parsed)


class Limiter:
    def __init__(self, rates: Mapping[str, Rate] = RATES, *, now: Callable[[], float] = time.monotonic,
                 max_clients: int = MAX_CLIENTS) -> None:
        self._rates = rates
        self._now = now
        self._max_clients = max_clients
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # (tokens, when), least recently used first
        self._lock = threading.Lock()

    def take(self, action: str, address: str) -> float:
        """Count an attempt of ``action`` from ``address``: 0.0 when it may go ahead, else the seconds until one
        may (a refused attempt does not count)."""
        rate, key = self._rates[action], (action, client_key(address))
        with self._lock:
            now = self._now()
            tokens, since = self._buckets.pop(key, (rate.burst, now))
            tokens = min(rate.burst, tokens + (now - since) / rate.refill_s)
            wait = 0.0 if tokens >= 1 else (1 - tokens) * rate.refill_s
            self._buckets[key] = (tokens - 1 if wait == 0.0 else tokens, now)
            if len(self._buckets) > self._max_clients:
                del self._buckets[next(iter(self._buckets))]
        return wait
