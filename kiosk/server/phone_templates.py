"""The phone pages' templates. Their names end in .html, so Jinja autoescapes every value put into them."""

from __future__ import annotations

BASE = """<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title>
<style nonce="{{ nonce }}">
  :root { --ink: #1b1b1f; --paper: #faf8f5; --accent: #8a3b2e; --muted: #6b6660; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         color: var(--ink); background: var(--paper); }
  main { max-width: 28rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
  h1 { font-size: 1.75rem; line-height: 1.2; margin: 0 0 .5rem; }
  p.lead { color: var(--muted); margin: 0 0 1.5rem; }
  label { display: block; margin: 1rem 0 .35rem; font-weight: 600; }
  input[type=tel], input[type=text] { width: 100%; font: inherit; padding: .8rem; border: 1px solid #c9c3bb;
         border-radius: .6rem; background: #fff; }
  .check { display: flex; gap: .6rem; align-items: flex-start; font-weight: 400; }
  .check input { width: 1.3rem; height: 1.3rem; margin-top: .15rem; flex: none; }
  button { width: 100%; margin-top: 1.5rem; padding: .95rem; font: inherit; font-weight: 600; color: #fff;
           background: var(--accent); border: 0; border-radius: .6rem; }
  .error { color: #a4161a; font-weight: 600; }
  .langs { display: flex; gap: .75rem; margin-bottom: 1.5rem; font-size: .9rem; }
  .langs a { color: var(--muted); }
  .langs a[aria-current] { color: var(--ink); font-weight: 700; text-decoration: none; }
  .card { background: #fff; border-radius: .8rem; padding: 1.25rem; margin-top: 1rem; }
  h2 { font-size: 1.2rem; margin: 2rem 0 0; }
  .code { font-size: 1.5rem; letter-spacing: .08em; }
</style>
</head>
<body><main>
<nav class="langs" aria-label="{{ t.language }}">
{% for code, name in [("ru", "Русский"), ("en", "English"), ("nb", "Norsk")] %}
  <a href="{% if token %}/join?s={{ token }}&amp;{% else %}/me?{% endif %}lang={{ code }}"
     {% if code == lang %}aria-current="true"{% endif %}>{{ name }}</a>
{% endfor %}
</nav>
{% if error %}<p class="error" role="alert" id="error">{{ error }}</p>{% endif %}
{% block body %}{% endblock %}
</main></body>
</html>
"""

FORMS = """{% macro hidden_fields(csrf, token, lang) -%}
<input type="hidden" name="csrf" value="{{ csrf }}">
  <input type="hidden" name="s" value="{{ token }}">
  <input type="hidden" name="lang" value="{{ lang }}">
{%- endmacro %}
"""
"""What every form posts besides its own fields: the CSRF token, the join token and the page's language."""

JOIN = """{% extends "base.html" %}
{% from "forms.html" import hidden_fields %}
{% block title %}{{ t.join_title }}{% endblock %}
{% block body %}
<h1>{{ t.join_title }}</h1>
<p class="lead">{{ t.join_lead }}</p>
<form method="post" action="/join">
  {{ hidden_fields(csrf, token, lang) }}
  <label for="phone">{{ t.phone }}</label>
  <input id="phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" required value="{{ phone }}">
  <label class="check"><input type="checkbox" name="consent_personal" id="consent_personal" required>
    <span>{{ t.consent_personal }}</span></label>
  <label class="check"><input type="checkbox" name="consent_marketing" id="consent_marketing">
    <span>{{ t.consent_marketing }}</span></label>
  <button type="submit" id="join">{{ t.join }}</button>
</form>
<p><a href="/join/login?s={{ token }}&amp;lang={{ lang }}" id="login">{{ t.have_account }}</a></p>
{% endblock %}
"""

LOGIN = """{% extends "base.html" %}
{% from "forms.html" import hidden_fields %}
{% block title %}{{ t.login_title }}{% endblock %}
{% block body %}
<h1>{{ t.login_title }}</h1>
{% if step == "phone" %}
<p class="lead">{{ t.login_lead }}</p>
<form method="post" action="/join/login">
  {{ hidden_fields(csrf, token, lang) }}
  <label for="phone">{{ t.phone }}</label>
  <input id="phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" required value="{{ phone }}">
  <button type="submit" id="send">{{ t.send_code }}</button>
</form>
{% else %}
<p class="lead">{{ t.code_sent }}</p>
<form method="post" action="/join/code">
  {{ hidden_fields(csrf, token, lang) }}
  <label for="code">{{ t.code }}</label>
  <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
  <button type="submit" id="confirm">{{ t.confirm }}</button>
</form>
{% endif %}
{% endblock %}
"""

WELCOME = """{% extends "base.html" %}
{% block title %}{{ t.welcome }}{% endblock %}
{% block body %}
<h1 id="welcome">{{ t.welcome }}</h1>
<div class="card"><p>{{ t.points }}: <strong id="points">{{ profile.points }}</strong></p></div>
<p><a href="/me" id="me">{{ t.see_page }}</a></p>
{% endblock %}
"""

ME = """{% extends "base.html" %}
{% block title %}{{ t.me_title }}{% endblock %}
{% block body %}
<h1>{{ t.me_title }}{% if profile.name %}, {{ profile.name }}{% endif %}</h1>
<div class="card">
  <p>{{ t.points }}: <strong id="points">{{ profile.points }}</strong> · {{ t.tier }}: {{ tier_name }}</p>
  <p>{% if next_tier_name %}{{ t.to_next.format(tier=next_tier_name, points=profile.points_to_next) }}
     {% else %}{{ t.top_tier }}{% endif %}</p>
</div>
{% if profile.offers %}
<h2>{{ t.offers }}</h2>
{% for offer in profile.offers %}
<div class="card"><strong>{{ offer.title }}</strong><br>{{ t.until }} {{ offer.valid_until[:10] }}</div>
{% endfor %}
{% endif %}
{% if stylist %}
<h2>{{ t.stylist }}</h2>
{% for request in stylist %}
<div class="card stylist" id="stylist-{{ request.request_id }}"><strong>{{ request.said }}</strong>
  <br>{{ request.requested_at[:10] }} {{ request.requested_at[11:16] }} UTC</div>
{% endfor %}
{% endif %}
<h2>{{ t.codes }}</h2>
{% for reward in codes %}
<div class="card"><strong>{{ reward.label }}</strong><br><code class="code">{{ reward.code }}</code>
  <br>{{ t.until }} {{ reward.code_expires_at[:10] }}</div>
{% else %}
<p id="no-codes">{{ t.no_codes }}</p>
{% endfor %}
{% endblock %}
"""

GONE = """{% extends "base.html" %}
{% block title %}{{ t[heading or "gone"] }}{% endblock %}
{% block body %}<h1 id="gone">{{ t[heading or "gone"] }}</h1>{% endblock %}
"""

TEMPLATES = {"base.html": BASE, "forms.html": FORMS, "join.html": JOIN, "login.html": LOGIN, "welcome.html": WELCOME,
             "me.html": ME, "gone.html": GONE}
