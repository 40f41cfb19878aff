"""What the reference server's pages say, in Russian, English and Norwegian Bokmål: the shopper's phone pages
(:data:`TEXTS`, :data:`STYLIST_STATUS`) and the associates' page on the shop floor's phones and tablets
(:data:`ASSOCIATE_TEXTS`). The phone's language comes first.

    >>> pick_language("nb-NO,nb;q=0.9,en;q=0.8")
    'nb'
    >>> pick_language("de-DE")
    'en'
"""

from __future__ import annotations

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGES = ("ru", "en", "nb")
CONSENT_VERSION = "2026-11"
"""The version of the consent texts below: recorded with every consent; change it with the texts."""

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "me_title": "Your club page",
        "tier": "Tier",
        "to_next": "Points to {tier}: {points}",
        "top_tier": "You are in the top tier.",
        "offers": "Your offers",
        "until": "until",
        "codes": "Your reward codes",
        "no_codes": "No reward codes yet: spin the wheel at the kiosk.",
        "see_page": "Your points, offers and reward codes",
        "stylist": "Your stylist requests",
        "signed_out": "Open the link from the kiosk again to see your page.",
        "join_title": "Join the club",
        "join_lead": "Points on every purchase, member offers and the prize wheel. It takes a phone number.",
        "phone": "Mobile number",
        "consent_personal": "I agree that my phone number is stored and used for the loyalty club.",
        "consent_marketing": "Send me offers by text message (optional).",
        "join": "Join",
        "have_account": "Already a member? Log in",
        "login_title": "Log in",
        "login_lead": "We send a one-time code to your phone.",
        "send_code": "Send code",
        "code": "Code",
        "code_sent": "If the number is a member's, a code is on its way.",
        "confirm": "Log in",
        "welcome": "Welcome! Look at the kiosk's screen.",
        "points": "Points",
        "bad_phone": "That is not a mobile number we can use: start with + and the country code.",
        "need_consent": "Joining needs your agreement to store the phone number.",
        "already_member": "This number is already a member: log in instead.",
        "gone": "This link has expired or was used. Tap the kiosk again for a new one.",
        "bad_form": "The form was too old. Please try again.",
        "wrong_code": "That code is not right.",
        "too_many": "Too many tries. Tap the kiosk again for a new link.",
        "slow_down": "Too many tries from this network. Please wait a minute and try again.",
        "language": "Language",
    },
    "ru": {
        "me_title": "Ваша страница в клубе",
        "tier": "Уровень",
        "to_next": "До уровня {tier}: {points}",
        "top_tier": "У вас высший уровень.",
        "offers": "Ваши предложения",
        "until": "до",
        "codes": "Ваши коды на призы",
        "no_codes": "Кодов пока нет: крутите колесо у киоска.",
        "see_page": "Ваши баллы, предложения и коды на призы",
        "stylist": "Ваши запросы стилисту",
        "signed_out": "Откройте ссылку с киоска ещё раз, чтобы увидеть свою страницу.",
        "join_title": "Вступить в клуб",
        "join_lead": "Баллы за каждую покупку, предложения для участников и колесо призов. Нужен только "
                     "номер телефона.",
        "phone": "Номер мобильного",
        "consent_personal": "Я согласен(на) на хранение и обработку моего номера телефона для клуба лояльности.",
        "consent_marketing": "Присылать мне предложения по SMS (необязательно).",
        "join": "Вступить",
        "have_account": "Уже участник? Войти",
        "login_title": "Вход",
        "login_lead": "Мы отправим одноразовый код на ваш телефон.",
        "send_code": "Получить код",
        "code": "Код",
        "code_sent": "Если номер принадлежит участнику, код уже в пути.",
        "confirm": "Войти",
        "welcome": "Добро пожаловать! Посмотрите на экран киоска.",
        "points": "Баллы",
        "bad_phone": "Этот номер не подходит: начните с + и кода страны.",
        "need_consent": "Для вступления нужно согласие на хранение номера телефона.",
        "already_member": "Этот номер уже в клубе: войдите.",
        "gone": "Ссылка устарела или уже использована. Приложите телефон к киоску ещё раз.",
        "bad_form": "Форма устарела. Попробуйте ещё раз.",
        "wrong_code": "Код неверный.",
        "too_many": "Слишком много попыток. Приложите телефон к киоску ещё раз.",
        "slow_down": "Слишком много попыток из этой сети. Подождите минуту и попробуйте снова.",
        "language": "Язык",
    },
    "nb": {
        "me_title": "Din klubbside",
        "tier": "Nivå",
        "to_next": "{points} poeng til {tier}",
        "top_tier": "Du er på høyeste nivå.",
        "offers": "Dine tilbud",
        "until": "til",
        "codes": "Dine premiekoder",
        "no_codes": "Ingen premiekoder ennå: snurr hjulet ved kiosken.",
        "see_page": "Poengene, tilbudene og premiekodene dine",
        "stylist": "Dine stylistforespørsler",
        "signed_out": "Åpne lenken fra kiosken igjen for å se siden din.",
        "join_title": "Bli medlem i klubben",
        "join_lead": "Poeng på hvert kjøp, medlemstilbud og premiehjulet. Alt som trengs er et mobilnummer.",
        "phone": "Mobilnummer",
        "consent_personal": "Jeg samtykker i at mobilnummeret mitt lagres og brukes til kundeklubben.",
        "consent_marketing": "Send meg tilbud på SMS (valgfritt).",
        "join": "Bli med",
        "have_account": "Allerede medlem? Logg inn",
        "login_title": "Logg inn",
        "login_lead": "Vi sender en engangskode til telefonen din.",
        "send_code": "Send kode",
        "code": "Kode",
        "code_sent": "Hvis nummeret tilhører et medlem, er koden på vei.",
        "confirm": "Logg inn",
        "welcome": "Velkommen! Se på skjermen ved kiosken.",
        "points": "Poeng",
        "bad_phone": "Det er ikke et mobilnummer vi kan bruke: begynn med + og landskoden.",
        "need_consent": "For å bli med trenger vi samtykke til å lagre mobilnummeret.",
        "already_member": "Dette nummeret er allerede medlem: logg inn i stedet.",
        "gone": "Lenken er utløpt eller brukt. Hold telefonen mot kiosken igjen.",
        "bad_form": "Skjemaet var for gammelt. Prøv igjen.",
        "wrong_code": "Koden er feil.",
        "too_many": "For mange forsøk. Hold telefonen mot kiosken igjen.",
        "slow_down": "For mange forsøk fra dette nettverket. Vent et minutt og prøv igjen.",
        "language": "Språk",
    },
}

DEFAULT_REGION = {"ru": "RU", "en": "GB", "nb": "NO"}
"""Where a number typed without its country code is taken to be from, by the page's language."""


STYLIST_STATUS: dict[str, dict[str, str]] = {
    "en": {"open": "An associate has been called", "escalated": "Taking longer than usual: the whole team knows",
           "acknowledged": "{name} is bringing your look (about {eta} min)", "done": "Brought to you",
           "cancelled": "Could not be served: please ask any associate"},
    "ru": {"open": "Консультант вызван", "escalated": "Дольше обычного: вся команда в курсе",
           "acknowledged": "{name} несёт ваш образ (примерно {eta} мин)", "done": "Образ принесли",
           "cancelled": "Не получилось: обратитесь к любому консультанту"},
    "nb": {"open": "En medarbeider er tilkalt", "escalated": "Tar lengre tid enn vanlig: hele teamet vet det",
           "acknowledged": "{name} kommer med antrekket (om ca. {eta} min)", "done": "Levert til deg",
           "cancelled": "Kunne ikke ordnes: spør en medarbeider"},
}


ASSOCIATE_TEXTS: dict[str, dict] = {
    "en": {"title": "Stylist requests", "empty": "No open requests. This page updates by itself.",
           "waiting": "waiting {minutes} min", "to_kiosk": "to the kiosk", "to_fitting_room": "to a fitting room",
           "name": "Your first name", "eta": "Minutes", "take": "I'm on it", "done": "Brought",
           "cancel": "Cannot serve", "escalated": "Waiting too long", "taken": "{name} is on it, ETA {eta} min",
           "sent": "Sent to the kiosk.", "token": "Staff token", "enter": "Open",
           "reasons": {"out_of_stock": "out of stock", "shopper_left": "shopper left", "store_busy": "store busy",
                       "other": "other"}},
    "ru": {"title": "Запросы стилиста", "empty": "Открытых запросов нет. Страница обновляется сама.",
           "waiting": "ждёт {minutes} мин", "to_kiosk": "к экрану", "to_fitting_room": "в примерочную",
           "name": "Ваше имя", "eta": "Минут", "take": "Беру", "done": "Принёс(ла)",
           "cancel": "Не получится", "escalated": "Ждёт слишком долго", "taken": "Взял(а) {name}, через {eta} мин",
           "sent": "Отправлено на киоск.", "token": "Код сотрудника", "enter": "Открыть",
           "reasons": {"out_of_stock": "нет в наличии", "shopper_left": "покупатель ушёл",
                       "store_busy": "много работы", "other": "другое"}},
    "nb": {"title": "Stylistforespørsler", "empty": "Ingen åpne forespørsler. Siden oppdaterer seg selv.",
           "waiting": "venter {minutes} min", "to_kiosk": "til skjermen", "to_fitting_room": "til prøverommet",
           "name": "Fornavnet ditt", "eta": "Minutter", "take": "Jeg tar den", "done": "Levert",
           "cancel": "Går ikke", "escalated": "Venter for lenge", "taken": "{name} tar den, om {eta} min",
           "sent": "Sendt til kiosken.", "token": "Ansattkode", "enter": "Åpne",
           "reasons": {"out_of_stock": "utsolgt", "shopper_left": "kunden gikk", "store_busy": "travelt",
                       "other": "annet"}},
}
"""The associates' page (kiosk/server/associates.py): its labels, and the cancel reasons by key."""


def stylist_status(language: str, request: dict) -> str:
    """A stylist request's state as the member's page says it.

    >>> stylist_status("nb", {"status": "acknowledged", "associate": "Olga", "eta_min": 3})
    'Olga kommer med antrekket (om ca. 3 min)'
    """
    return STYLIST_STATUS[language][request["status"]].format(name=request.get("associate"),
                                                               eta=request.get("eta_min"))


def pick_language(accept_language: str | None, chosen: str | None = None) -> str:
    """The language a chip chose, else the phone's best match, else English."""
    if chosen in LANGUAGES:
        return chosen
    accepted = parse_accept_header(accept_language or "", LanguageAccept)
    return accepted.best_match(LANGUAGES) or "en"
