"""The associates' page: a phone or tablet on the shop floor shows the store's open stylist requests, oldest
first, and takes them (acknowledge with a first name and an ETA), marks them done or cancels them. Each answer is
a command to the kiosk that made the request (``stylist_ack``, ``stylist_done``, ``stylist_cancel``); the
kiosk's ``stylist_status`` event comes back through MQTT ingest and the page, which reloads itself every few
seconds (no script: the same strict policy as the phone pages), shows it.

``/associates/{store_id}``; with a backend token, the page asks for it once (kept in the signed cookie).
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, g, redirect, render_template_string, request, session

from kiosk.content.bundle import load_bundle
from kiosk.content.schemas import DEFAULT_DIR
from kiosk.features.stylist.requests import ASSOCIATE_NAME, CANCEL_REASONS
from kiosk.server.pages import secure_page
from kiosk.server.phone_texts import ASSOCIATE_TEXTS, pick_language
from kiosk.server.stylist import StylistRequests

SendCommand = Callable[[str, str, dict], None]
"""``send(kiosk_id, name, args)``: one command to one kiosk over MQTT."""
REFRESH_S = 5
_NAME = re.compile(ASSOCIATE_NAME)

PAGE = """<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{% if not ask_token %}<meta http-equiv="refresh" content="{{ refresh }}">{% endif %}
<title>{{ t.title }}</title>
<style nonce="{{ nonce }}">
  body { margin: 0; font: 17px/1.45 system-ui, sans-serif; color: #1b1b1f; background: #faf8f5; }
  main { max-width: 46rem; margin: 0 auto; padding: 1.25rem; }
  .request { background: #fff; border-radius: .8rem; padding: 1rem 1.1rem; margin: 0 0 1rem; }
  .request.escalated { border: 3px solid #c25700; }
  .meta { color: #6b6660; font-size: .95rem; }
  ul { margin: .5rem 0; padding-left: 1.2rem; }
  form { display: inline-flex; gap: .4rem; align-items: center; flex-wrap: wrap; margin: .3rem .6rem .3rem 0; }
  input, select { font: inherit; padding: .5rem; border: 1px solid #c9c3bb; border-radius: .5rem; }
  input[name=eta_min] { width: 4.5rem; }
  button { font: inherit; font-weight: 600; padding: .55rem .9rem; border: 0; border-radius: .5rem;
           color: #fff; background: #8a3b2e; }
  button.quiet { background: #6b6660; }
  .note { color: #2e6b3b; font-weight: 600; }
</style>
</head>
<body><main>
<h1>{{ t.title }} · {{ store_id }}</h1>
{% if ask_token %}
<form method="post" action="/associates/{{ store_id }}/token">
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <label for="token">{{ t.token }}</label> <input id="token" name="token" type="password" required>
  <button>{{ t.enter }}</button>
</form>
{% else %}
{% if note %}<p class="note" id="note">{{ t.sent }}</p>{% endif %}
{% for r in requests %}
<section class="request{% if r.status == 'escalated' %} escalated{% endif %}" id="r-{{ r.request_id }}">
  <strong>{{ t["to_" + r.look.deliver_to] }}</strong> · <span class="meta">{{ r.waiting }}
  · {{ r.kiosk_id }}{% if r.status == 'escalated' %} · <b>{{ t.escalated }}</b>{% endif %}</span>
  <ul>{% for item in r.look["items"] %}
    <li>{{ item.name }} — {{ item.size }} <span class="meta">{{ item.sku }}</span></li>
  {% endfor %}</ul>
  {% if r.status == 'acknowledged' %}
  <p class="status">{{ t.taken.format(name=r.associate, eta=r.eta_min) }}</p>
  {% endif %}
  <form method="post" action="/associates/{{ store_id }}/{{ r.request_id }}/ack">
    <input type="hidden" name="csrf" value="{{ csrf }}">
    <input name="associate" aria-label="{{ t.name }}" placeholder="{{ t.name }}" value="{{ associate }}"
           required maxlength="40">
    <input name="eta_min" type="number" min="0" max="120" aria-label="{{ t.eta }}"
           value="{{ r.eta_min if r.eta_min is not none else 3 }}">
    <button>{{ t.take }}</button>
  </form>
  <form method="post" action="/associates/{{ store_id }}/{{ r.request_id }}/done">
    <input type="hidden" name="csrf" value="{{ csrf }}"><button>{{ t.done }}</button>
  </form>
  <form method="post" action="/associates/{{ store_id }}/{{ r.request_id }}/cancel">
    <input type="hidden" name="csrf" value="{{ csrf }}">
    <select name="reason" aria-label="{{ t.cancel }}">
      {% for key, label in t.reasons.items() %}<option value="{{ key }}">{{ label }}</option>{% endfor %}
    </select>
    <button class="quiet">{{ t.cancel }}</button>
  </form>
</section>
{% else %}
<p id="empty">{{ t.empty }}</p>
{% endfor %}
{% endif %}
</main></body>
</html>
"""


def associates_page(requests: StylistRequests, send: SendCommand, token: str) -> Blueprint:
    page = Blueprint("associates", __name__)
    names = _product_names()

    @page.before_request
    def prepare() -> Any:
        g.nonce = secrets.token_urlsafe(16)
        g.lang = pick_language(request.headers.get("Accept-Language"), request.values.get("lang"))
        session.setdefault("csrf", secrets.token_urlsafe(24))
        if request.method == "POST" and not hmac.compare_digest(request.form.get("csrf", ""), session["csrf"]):
            return "stale form: open the page again", 403
        return None

    def staff() -> bool:
        return not token or session.get("staff") is True

    @page.get("/associates/<store_id>")
    def queue(store_id: str) -> Any:
        if not staff():
            return _render(store_id, ask_token=True)
        now = datetime.now(UTC)
        shown, t = [], ASSOCIATE_TEXTS[g.lang]
        for r in requests.open_requests(store_id):
            waited = now - datetime.fromisoformat(r["requested_at"])
            items = [{**item, "name": names.get(item["sku"], {}).get(g.lang, item["sku"]),
                      "size": "—" if item["size"] == "one" else item["size"]} for item in r["look"]["items"]]
            shown.append({**r, "look": {**r["look"], "items": items},
                          "waiting": t["waiting"].format(minutes=int(waited.total_seconds() // 60))})
        return _render(store_id, requests=shown, note=request.args.get("sent") == "1",
                       associate=session.get("associate", ""))

    @page.post("/associates/<store_id>/token")
    def enter(store_id: str) -> Any:
        if token and hmac.compare_digest(request.form.get("token", "").encode(), token.encode()):
            session["staff"] = True
        return redirect(f"/associates/{store_id}", 303)

    @page.post("/associates/<store_id>/<request_id>/<answer>")
    def answer(store_id: str, request_id: str, answer: str) -> Any:
        if not staff():
            return redirect(f"/associates/{store_id}", 303)
        found = requests.find(request_id)
        if found is None or found["store_id"] != store_id or answer not in ("ack", "done", "cancel"):
            return "no such request in this store", 404
        if answer == "ack":
            name = request.form.get("associate", "").strip()[:40]
            eta = request.form.get("eta_min", "")
            if not _NAME.fullmatch(name) or not eta.isdigit() or int(eta) > 120:
                return "a first name and 0 to 120 minutes, please", 400
            session["associate"] = name
            send(found["kiosk_id"], "stylist_ack", {"request_id": request_id, "associate": name, "eta_min": int(eta)})
        elif answer == "done":
            send(found["kiosk_id"], "stylist_done", {"request_id": request_id})
        else:
            reason = request.form.get("reason", "")
            if reason not in CANCEL_REASONS:
                return "an unknown reason", 400
            send(found["kiosk_id"], "stylist_cancel", {"request_id": request_id, "reason": reason})
        return redirect(f"/associates/{store_id}?sent=1", 303)

    page.after_request(secure_page)

    return page


def _render(store_id: str, **values: Any) -> str:
    return render_template_string(PAGE, t=ASSOCIATE_TEXTS[g.lang], lang=g.lang, nonce=g.nonce, csrf=session["csrf"],
                                  store_id=store_id, refresh=REFRESH_S, requests=values.pop("requests", []),
                                  ask_token=values.pop("ask_token", False), **values)


def _product_names() -> dict[str, dict[str, str]]:
    """Product names by SKU and language, from the shipped catalogue (the reference backend's own content)."""
    catalogue = load_bundle(DEFAULT_DIR, media=False).files.get("catalogue.json")
    return {sku: dict(p.name) for sku, p in catalogue.products.items()} if catalogue else {}
