"""The NFC reader thread: nfcpy's blocking connect loop, credential extraction, the join tag and a watchdog.

The thread only ever calls ``post`` (docs/architecture.md): ``TapDetected``, ``TapRejected`` and
``ReaderStatus`` messages. It alternates reader mode (phones and cards) with card mode (the kiosk's join tag,
on readers that can emulate one). On any reader error it closes nfcpy (``clf.close()``) and reopens the
device with a growing backoff; a watchdog thread closes a reader that stops making progress (a driver call
that hangs, a card that keeps asking for more time), which turns the hang into such an error.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

import nfc
import nfc.clf
import nfc.clf.device
import nfc.tag
import nfc.tag.tt2
import nfc.tag.tt3
import nfc.tag.tt4

from kiosk.core.credential import Credential
from kiosk.core.heartbeat import Heartbeat
from kiosk.core.messages import ReaderStatus, TapDetected, TapRejected
from kiosk.tap.device import ReaderError, open_frontend
from kiosk.tap.extract import Rejected, Rules, TagRead, app_answered, extract
from kiosk.tap.join_tag import JoinTag, local_target
from kiosk.tap.ndef import MAX_MESSAGE
from kiosk.tap.type2 import read_type2_ndef
from kiosk.tap.type3 import read_type3_ndef
from kiosk.tap.type4 import NdefReadError, read_type4_ndef

log = logging.getLogger(__name__)

SOURCE = "nfc"
BACKOFF_S = (0.5, 8.0)  # first and longest wait before reopening a failed reader
STABLE_S = 10.0  # a reader that worked this long starts its next backoff from the first wait again
STALL_S = 3.0  # no progress for this long: the watchdog closes the reader (udp's longest wait is ~1 s)
TARGETS = ["106A", "106B", "212F"]  # what a reader polls for: Type 1, 2 and 4A; Type 4B; Type 3 (FeliCa)
# Card mode: how long each turn presents the join tag, a random length in this range. A card that arrives
# meanwhile waits for the turn to end, so the turn is short (README, "Tap latency"); a phone polls once every
# few hundred ms and must find the kiosk listening within a try or two, so the kiosk listens most of the
# time; and the length varies so that no phone's polling period can fall in step with the kiosk's cycle and
# miss it every time.
LISTEN_S = (0.075, 0.095)
JOIN_EXCHANGE_S = 1.0  # card mode: a phone silent this long has gone
MIFARE_CLASSIC = 0x08  # the SAK bit of MIFARE Classic cards (1K 08, 4K 18, Mini 09); NFC Forum Type 2 tags have 00
REMOVAL_GRACE_S = 1.0  # the same credential back within this time never left the reader (a flaky presence check)


class TapReader:
    """Reads taps on ``device`` in a thread of its own; construct, :meth:`start`, :meth:`stop`.

    ``set_join_url`` (any thread) changes the URL the join tag presents; None stops presenting it.
    """

    def __init__(self, device: str, rules: Rules, post: Callable[[object], None], *, app_aid: bytes,
                 join_tag: bool = True, stall_s: float = STALL_S) -> None:
        self.device = device
        self.rules = rules
        self.app_aid = app_aid
        self.join_tag = join_tag
        self.stall_s = stall_s
        self._post = post
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._join: tuple[str, str] | None = None  # (token, url)
        self._clf: nfc.ContactlessFrontend | None = None
        self.heartbeat = Heartbeat("nfc-reader")
        self._ok: bool | None = None
        self._last_error: str | None = None
        self._on_reader: Credential | None = None
        self._released: tuple[Credential, float] | None = None
        self._discovered = 0.0
        self._holding = False
        self._sense_passes = 0
        self._thread = threading.Thread(target=self._run, name="nfc-reader", daemon=True)
        self._watchdog = threading.Thread(target=self._watch, name="nfc-watchdog", daemon=True)

    # The app's side.

    def start(self) -> None:
        self._thread.start()
        self._watchdog.start()

    def stop(self, timeout: float = 3.0) -> bool:
        """Stop reading and close nfcpy; True when the thread ended within ``timeout``."""
        self._stop.set()
        self._thread.join(timeout)
        self._watchdog.join(timeout)
        return not self._thread.is_alive()

    def set_join_url(self, token: str | None, url: str | None) -> None:
        with self._lock:
            self._join = (token, url) if token and url else None

    # The reader thread.

    def _run(self) -> None:
        backoff = BACKOFF_S[0]
        while not self._stop.is_set():
            opened_at = time.monotonic()
            try:
                self.heartbeat.beat(opened_at)
                clf = open_frontend(self.device)
            except ReaderError as exc:
                error = exc.strerror or str(exc)
            else:
                error = self._serve(clf)
                if time.monotonic() - opened_at >= STABLE_S:
                    backoff = BACKOFF_S[0]
            if self._stop.is_set():
                break
            self._status(False, error)
            log.warning("nfc: %s; reopening in %.1f s", error, backoff)
            self.heartbeat.beat(time.monotonic() + backoff)  # waiting on purpose is progress too
            self._stop.wait(backoff)
            backoff = min(backoff * 2, BACKOFF_S[1])
        log.info("nfc: reader stopped")

    def _serve(self, clf: nfc.ContactlessFrontend) -> str:
        """Read until stopped or the reader fails; the error, or "" when stopped. Always closes ``clf``."""
        self._clf = clf
        can_emulate = self.join_tag and _can_emulate_type3(clf)
        self._status(True, None, can_emulate)
        log.info("nfc: reading on %s%s", clf, " (presents the join tag)" if can_emulate else "")
        try:
            while not self._stop.is_set():
                self._sense_passes = 0
                result = clf.connect(rdwr=self._rdwr_options(),
                                     terminate=self._reader_turn_over if can_emulate else self._terminate)
                if result is False:  # nfcpy logged and swallowed an IOError: the device failed
                    return "the reader stopped answering"
                if can_emulate and not self._stop.is_set():
                    can_emulate = self._present_join_tag(clf)
            return ""
        except Exception as exc:  # whatever a failing driver raises: report it, close, reopen
            return _describe(exc)
        finally:
            self._clf = None
            clf.close()

    def _terminate(self) -> bool:
        self.heartbeat.beat()
        return self._stop.is_set()

    def _reader_turn_over(self) -> bool:
        """connect()'s terminate while the join tag takes turns: after one sense pass, unless a tag is held."""
        if self._terminate():
            return True
        self._sense_passes += 1  # nfcpy asks once before every pass, and every 0.1 s while it holds a tag
        with self._lock:
            join_due = self._join is not None
        return join_due and self._sense_passes > 1 and not self._holding

    def _rdwr_options(self) -> dict:
        return {
            "targets": TARGETS,
            "iterations": 1,  # one sense pass per connect: the loop alternates with the join tag
            "interval": 0.1,
            "beep-on-connect": False,  # the kiosk's own LED and buzzer give the feedback
            "on-discover": self._on_discover,
            "on-connect": self._on_connect,
            "on-release": self._on_release,
        }

    def _on_discover(self, target: nfc.clf.RemoteTarget) -> bool:
        self._discovered = time.monotonic()
        self.heartbeat.beat(self._discovered)
        # nfcpy's default check: not an NFC-DEP (peer-to-peer) device, which has no credential for us.
        if target.sel_res and target.sel_res[0] & 0x40:
            return bool(target.sel_res[0] & 0x20)  # a phone offering both DEP and ISO-DEP: read it as a card
        return not (target.sensf_res and target.sensf_res[1:3] == b"\x01\xfe")

    def _on_connect(self, tag: nfc.tag.Tag) -> bool:
        """On the reader thread with the tag activated: read, extract, post; True holds it until removed."""
        detected = self._discovered
        self._holding = True
        try:
            read = self._read(tag)
        except NdefReadError as exc:
            read = exc.reason
        except (nfc.clf.CommunicationError, nfc.tag.TagCommandError) as exc:
            log.info("nfc: tag went away during the read (%s)", type(exc).__name__)
            read = "read_interrupted"
        outcome = Rejected(read) if isinstance(read, str) else extract(read, self.rules)
        if isinstance(outcome, Rejected):
            log.info("nfc: tap rejected: %s", outcome.reason)
            self._post(TapRejected(outcome.reason, SOURCE, detected))
            return True
        if self._still_on_reader(outcome, time.monotonic()):
            log.debug("nfc: the same %s credential never left the reader", outcome.kind)
        else:
            self._post(TapDetected(outcome, SOURCE, detected))
        self._on_reader = outcome
        return True  # nfcpy now checks the tag's presence until it is removed: a card left here fires once

    def _on_release(self, tag: nfc.tag.Tag) -> bool:
        self._holding = False
        if self._on_reader is not None:
            self._released, self._on_reader = (self._on_reader, time.monotonic()), None
        return True

    def _still_on_reader(self, credential: Credential, now: float) -> bool:
        released = self._released
        return released is not None and released[0] == credential and now - released[1] < REMOVAL_GRACE_S

    def _read(self, tag: nfc.tag.Tag) -> TagRead:
        uid = bytes(tag.identifier)
        if isinstance(tag, nfc.tag.tt4.Type4Tag):
            try:
                answer = bytes(tag.send_apdu(0x00, 0xA4, 0x04, 0x00, self.app_aid, mrl=256, check_status=False))
            except nfc.tag.tt4.Type4TagCommandError as exc:
                if exc.errno != nfc.tag.PROTOCOL_ERROR:
                    raise
                answer = b""  # shorter than a status word: extract() rejects it as a bad answer
            read = TagRead(uid, app_response=answer)
            if app_answered(read):
                return read
            self.heartbeat.beat()
            return TagRead(uid, app_response=answer, ndef=read_type4_ndef(tag, MAX_MESSAGE + 1))
        if isinstance(tag, nfc.tag.tt2.Type2Tag):
            if tag.target.sel_res and tag.target.sel_res[0] & MIFARE_CLASSIC:
                return TagRead(uid)  # nfcpy takes it for Type 2, but its memory needs keys: only its UID counts
            return TagRead(uid, ndef=read_type2_ndef(tag, MAX_MESSAGE + 1))
        if isinstance(tag, nfc.tag.tt3.Type3Tag):
            return TagRead(uid, ndef=read_type3_ndef(tag, MAX_MESSAGE + 1))
        ndef = tag.ndef  # Type 1: nfcpy's reader, which says "no NDEF" for a read that failed too
        if not tag.is_present:  # so only a tag still here has no NDEF
            raise nfc.clf.CommunicationError("gone after the read")
        return TagRead(uid, ndef=ndef.octets if ndef is not None and ndef.is_readable else None)

    def _present_join_tag(self, clf: nfc.ContactlessFrontend) -> bool:
        """One turn in card mode; False when this reader turned out unable to emulate a tag."""
        with self._lock:
            join = self._join
        if join is None:
            return True
        token, url = join
        try:
            target = clf.listen(local_target(), random.uniform(*LISTEN_S))
        except nfc.clf.UnsupportedTargetError as exc:
            log.info("nfc: %s: the join tag is off, phones join by the QR code", exc)
            self._status(True, None, can_emulate=False)
            return False
        except nfc.clf.CommunicationError as exc:
            log.debug("nfc: join tag: %s", exc)
            return True
        self.heartbeat.beat()
        if target is None:
            return True
        detected = time.monotonic()
        emulation = nfc.tag.emulate(clf, target)
        if not isinstance(emulation, nfc.tag.TagEmulation):
            return True
        tag = JoinTag(url)
        tag.attach(emulation)
        self._serve_phone(emulation, tag)
        if tag.read_complete:
            log.info("nfc: a phone read the join tag")
            self._post(TapDetected(Credential("phone_join", token), "nfc-join", detected))
        return True

    def _serve_phone(self, emulation: nfc.tag.tt3.Type3TagEmulation, tag: JoinTag) -> None:
        command = emulation.cmd
        while not self._stop.is_set():
            self.heartbeat.beat()
            try:
                response = emulation.process_command(command)
            except (IndexError, ValueError, TypeError):  # a garbled command from the phone: a tag keeps silent
                response = None
            try:
                command = emulation.send_response(response, JOIN_EXCHANGE_S)
            except nfc.clf.CommunicationError:  # the phone switched its field off or went away
                return
            if not command:
                return

    # The watchdog thread.

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            clf = self._clf
            if clf is not None and time.monotonic() - self.heartbeat.last_progress() > self.stall_s:
                log.warning("nfc: no progress for %.1f s; closing the reader", self.stall_s)
                self._status(False, "the reader stopped making progress")
                self.heartbeat.beat()
                threading.Thread(target=clf.close, name="nfc-close", daemon=True).start()

    def _status(self, ok: bool, error: str | None, can_emulate: bool = False) -> None:
        """Post a ReaderStatus when the state changes (not on every retry)."""
        if ok == self._ok and error == self._last_error:
            return
        self._ok, self._last_error = ok, error
        self._post(ReaderStatus(ok, error, can_emulate))


def _can_emulate_type3(clf: nfc.ContactlessFrontend) -> bool:
    """Whether the driver implements listening as a Type F target (acr122 overrides it only to refuse)."""
    device = clf.device
    implemented = type(device).listen_ttf is not nfc.clf.device.Device.listen_ttf
    return implemented and type(device).__module__ != "nfc.clf.acr122"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
