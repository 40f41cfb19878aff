"""The stylist requests as the reference backend knows them: built from the kiosks' ``stylist_request`` and
``stylist_status`` events that MQTT ingest recorded (each event carries the request as it then stood, so the
latest one by the kiosk's ``seq`` is the request's state).

    >>> from kiosk.server.ingest import EventRecorder
    >>> from kiosk.server.store import ServerStore
    >>> store = ServerStore(":memory:")
    >>> recorder = EventRecorder(store, "loyalty/v1")
    >>> look = {"items": [{"slot": "top", "sku": "TOP-01", "size": "M"}], "deliver_to": "kiosk", "total": 4990,
    ...         "currency": "RUB"}
    >>> def event(seq, type_, data):
    ...     envelope = {"schema": "kiosk.event/1", "event_id": f"01JDQ7Z5X3K9M2N4P6R8T0V1W{seq}", "seq": seq,
    ...                 "kiosk_id": "k1", "store_id": "s1", "type": type_,
    ...                 "occurred_at": f"2026-11-28T09:0{seq}:00.000Z", "data": data}
    ...     recorder.apply(f"loyalty/v1/k1/events/{type_}", json.dumps(envelope).encode(), now=0.0)
    >>> event(1, "stylist_request", {"request_id": "R1", "member_ref": "M-1", "requested_at": "t", "look": look})
    >>> [(r["request_id"], r["status"]) for r in StylistRequests(store).open_requests("s1")]
    [('R1', 'open')]
    >>> event(2, "stylist_status", {"request_id": "R1", "status": "done", "associate": "Olga", "eta_min": 2,
    ...                             "requested_at": "t", "look": look})
    >>> StylistRequests(store).open_requests("s1"), StylistRequests(store).of_member("M-1")[0]["status"]
    ([], 'done')
"""

from __future__ import annotations

import json

from kiosk.server.store import ServerStore

CLOSED = ("done", "cancelled")


class StylistRequests:
    def __init__(self, store: ServerStore) -> None:
        self._store = store

    def _requests(self, where: str, params: tuple) -> list[dict]:
        """Every request matching ``where`` (on its ``stylist_request`` event), as it stands now, oldest first."""
        with self._store.transaction() as tx:
            rows = tx.execute(
                "SELECT e.kiosk_id, e.store_id, e.type, e.data, e.occurred_at FROM kiosk_events e "
                "WHERE e.type IN ('stylist_request', 'stylist_status') AND json_extract(e.data, '$.request_id') IN "
                f"(SELECT json_extract(r.data, '$.request_id') FROM kiosk_events r WHERE r.type = 'stylist_request' "
                f"AND {where}) ORDER BY e.kiosk_id, e.seq", params).fetchall()
        requests: dict[str, dict] = {}
        for row in rows:
            data = json.loads(row["data"])
            request = requests.setdefault(data["request_id"], {
                "request_id": data["request_id"], "kiosk_id": row["kiosk_id"], "store_id": row["store_id"],
                "member_ref": None, "status": "open", "associate": None, "eta_min": None, "reason": None,
                "escalated": False})
            if row["type"] == "stylist_request":
                request.update(member_ref=data.get("member_ref"), requested_at=data["requested_at"],
                               look=data["look"])
            else:
                request.update({key: data.get(key) for key in ("status", "associate", "eta_min", "reason",
                                                                "escalated")})
                request.setdefault("look", data["look"])
                request.setdefault("requested_at", data["requested_at"])
            request["updated_at"] = row["occurred_at"]
        return sorted(requests.values(), key=lambda r: r["requested_at"])

    def open_requests(self, store_id: str) -> list[dict]:
        """The store's requests nobody has done or cancelled, oldest first."""
        return [r for r in self._requests("r.store_id = ?", (store_id,)) if r["status"] not in CLOSED]

    def of_member(self, member_ref: str) -> list[dict]:
        """The member's requests, newest first."""
        found = self._requests("json_extract(r.data, '$.member_ref') = ?", (member_ref,))
        return found[::-1]

    def find(self, request_id: str) -> dict | None:
        found = self._requests("json_extract(r.data, '$.request_id') = ?", (request_id,))
        return found[0] if found else None
