"""Real parts for the tests: a private mosquitto broker, the kiosk as a subprocess, an MQTT listener."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Broker:
    """A private mosquitto on a free port, which a test may stop and start again (same port); with ``acl``, that
    text is its acl_file (reloaded by :meth:`reload`) and it logs at debug level (its "Denied PUBLISH" lines)."""

    def __init__(self, workdir: Path, acl: str | None = None) -> None:
        self.binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not os.path.exists(self.binary):
            raise RuntimeError("mosquitto is not installed: run `bash .ci/run` or `apt-get install mosquitto`")
        self.port = free_port()
        self.conf = workdir / "mosquitto.conf"
        self.acl = workdir / "mosquitto.acl"
        # No practical cap on a subscriber's queue: mosquitto drops QoS 1 messages past 1,000 queued for a slow
        # client, and a test's listener on a busy machine is slower than the kiosk publishing to it. Not 0 ("no
        # maximum"): mosquitto before 2.0.22 reads it as a limit when it refuses a publish, and drops the client.
        conf = f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 1000000\n"
        if acl is not None:
            self.acl.write_text(acl)
            # Started as root, mosquitto becomes user mosquitto, which cannot read the test's private folder.
            conf += f"acl_file {self.acl}\nlog_type all\nuser {getpass.getuser()}\n"
        self.conf.write_text(conf)
        self.log = workdir / "mosquitto.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([self.binary, "-c", str(self.conf)], stdout=self.log.open("ab"),
                                        stderr=subprocess.STDOUT)
        wait_for(self._accepts, 10, f"mosquitto on port {self.port}")

    def _accepts(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def reload(self) -> None:
        """Make mosquitto read its configuration and acl_file again (SIGHUP), its clients staying connected."""
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)

    def connections(self, client_id: str) -> int:
        """How many times ``client_id`` connected, from the broker's log."""
        return self.log.read_text(errors="replace").count(f" as {client_id} (")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.process = None


class Listener:
    """Subscribes to a topic filter on a broker and keeps every message (topic, payload, retain)."""

    def __init__(self, port: int, topic: str) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self.subscriptions = 0  # SUBACKs seen: one per (re)connect
        self._lock = threading.Lock()
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self._client.on_message = self._on_message
        self._client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
        self._client.on_subscribe = self._on_subscribe
        self._client.reconnect_delay_set(min_delay=1, max_delay=1)
        self._client.connect("127.0.0.1", port)
        self._client.loop_start()

    def _on_message(self, client, userdata, message) -> None:
        from tests import contract  # here: its jsonschema and yaml stay out of the benchmarks' kiosk processes

        contract.check(message.topic, message.payload)
        with self._lock:
            self.messages.append((message.topic, message.payload, bool(message.retain)))

    def _on_subscribe(self, *_) -> None:
        self.subscriptions += 1

    def on(self, suffix: str) -> list[bytes]:
        with self._lock:
            return [payload for topic, payload, _ in self.messages if topic.endswith(suffix)]

    def events(self) -> list[dict]:
        with self._lock:
            return [json.loads(p) for t, p, _ in self.messages if "/events/" in t]

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


def write_config(workdir: Path, *, mqtt_port: int | None = None, **sections: dict) -> Path:
    """A kiosk config for tests: headless, mock GPIO, keyboard taps, automation socket in ``workdir``."""
    base: dict[str, dict] = {
        "kiosk": {"state_dir": str(workdir / "state"), "idle_timeout_s": 60},
        "display": {"mode": "headless", "width": 960, "height": 540, "fps": 30},
        "gpio": {"pin_factory": "mock"},
        "nfc": {"device": "keyboard", "same_tap_delay_s": 0},
        "mqtt": {"enabled": mqtt_port is not None, "port": mqtt_port or 1883},
        "debug": {"input_socket": str(workdir / "in.sock")},
    }
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    lines = []
    for name, values in base.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    path = workdir / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


class KioskProcess:
    """``kiosk demo`` (or ``run``) in a subprocess, driven through its automation socket."""

    def __init__(self, config: Path, command: str = "demo", trace: Path | None = None, *, options: tuple = (),
                 wrapper: tuple = ()) -> None:
        """``options`` follow the command; ``wrapper`` runs it (``("unshare", "-rn")``: in a network of its own)."""
        self.config = config
        self.socket_path = config.parent / "in.sock"
        self.output = config.parent / f"kiosk-{command}.log"
        args = [*wrapper, sys.executable, "-m", "kiosk", "--config", str(config)]
        if trace:
            args += ["--trace", str(trace)]
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
        env.pop("DISPLAY", None)
        self.process = subprocess.Popen([*args, command, *options], cwd=REPO, env=env,
                                        stdout=self.output.open("wb"), stderr=subprocess.STDOUT)
        self._conn = wait_for(self._connect, 20, "the kiosk's automation socket")
        self._reader = self._conn.makefile("rb")

    def _connect(self) -> socket.socket | None:
        if self.process.poll() is not None:
            raise AssertionError(f"kiosk exited with {self.process.returncode}:\n{self.log()}")
        conn = socket.socket(socket.AF_UNIX)
        try:
            conn.connect(str(self.socket_path))
            return conn
        except OSError:
            conn.close()
            return None

    def send(self, command: dict) -> dict:
        self._conn.sendall(json.dumps(command).encode() + b"\n")
        return json.loads(self._reader.readline())

    def scene(self) -> str:
        return self.send({"query": "scene"})["scene"]

    def wait_scene(self, name: str, timeout: float = 10) -> None:
        wait_for(lambda: self.scene() == name, timeout, f"scene {name!r}")

    def tap(self, kind: str, value: str) -> None:
        assert self.send({"tap": {"kind": kind, "value": value}}) == {"ok": True}

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def terminate(self, timeout: float = 10) -> int:
        self._conn.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill(self) -> None:
        self._conn.close()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


def command_body(cmd_id: str, args: dict | None = None, ttl_s: float = 60) -> dict:
    from kiosk.core.events import utc_ms

    now = time.time()
    return {"cmd_id": cmd_id, "issued_at": utc_ms(now), "expires_at": utc_ms(now + ttl_s), "args": args or {}}


class Commander:
    """Sends commands to a kiosk over a broker and waits for their results, as store operations would."""

    def __init__(self, port: int, root: str = "loyalty/v1/kiosk-1") -> None:
        self.root = root
        self.results = Listener(port, f"{root}/cmd/+/result")
        # A refusal comes back within milliseconds: listen before the first command goes out.
        wait_for(lambda: self.results.subscriptions, 10, "the subscription to command results")
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self._client.connect("127.0.0.1", port)
        self._client.loop_start()

    def publish(self, topic: str, payload: bytes) -> None:
        self._client.publish(topic, payload, qos=1).wait_for_publish(5)

    def send_raw(self, name: str, payload: bytes) -> None:
        self.publish(f"{self.root}/cmd/{name}", payload)

    def result(self, cmd_id: str, timeout: float = 10, skip: int = 0) -> dict:
        """The first result for ``cmd_id`` among the results after the first ``skip``."""
        def found():
            for payload in self.results.on("/result")[skip:]:
                answer = json.loads(payload)
                if answer.get("cmd_id") == cmd_id:
                    return answer
            return None
        return wait_for(found, timeout, f"the result of command {cmd_id}")

    def send(self, name: str, body: dict, timeout: float = 10) -> dict:
        skip = len(self.results.on("/result"))
        self.send_raw(name, json.dumps(body).encode())
        return self.result(body["cmd_id"], timeout, skip)

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()
        self.results.close()


class Gate:
    """A TCP relay in front of a broker that a test opens and closes: it orders reconnects after a broker
    restart (the test's listener first, then the kiosk), so no event can pass while nobody listens."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.is_open = True
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self.is_open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=2)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Refuse new connections and cut the open ones."""
        self.is_open = False
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def open(self) -> None:
        self.is_open = True

    def stop(self) -> None:
        self.close()
        self._server.close()
