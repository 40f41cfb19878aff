"""The automation socket never deletes what is not its own: only a stale socket is replaced."""

import socket

import pytest

from kiosk.automation import AutomationServer
from kiosk.exc import DeviceError


def serve(path):
    """An automation server on ``path`` whose messages go nowhere."""
    return AutomationServer(path, lambda message: None, lambda event: None, (640, 360))


def test_an_existing_file_is_refused_and_kept(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("the operator's notes")
    with pytest.raises(DeviceError, match="exists and is not a socket"):
        serve(path)
    assert path.read_text() == "the operator's notes"


def test_a_folder_is_refused_and_kept(tmp_path):
    path = tmp_path / "folder"
    path.mkdir()
    (path / "inside").write_text("x")
    with pytest.raises(DeviceError, match="exists and is not a socket"):
        serve(path)
    assert (path / "inside").read_text() == "x"


def test_a_live_socket_is_refused(tmp_path):
    path = tmp_path / "in.sock"
    other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    other.bind(str(path))
    other.listen(1)
    try:
        with pytest.raises(DeviceError, match="in use by a running process"):
            serve(path)
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.connect(str(path))  # still the other process's socket
        probe.close()
    finally:
        other.close()


def test_a_stale_socket_is_replaced(tmp_path):
    path = tmp_path / "in.sock"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # what a killed kiosk leaves: the socket file, nobody listening
    server = serve(path)
    server.start()
    try:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(str(path))
        client.sendall(b'{"query": "time"}\n')
        assert b'"ok": false' in client.recv(4096)
        client.close()
    finally:
        server.close()
    assert not path.exists()
