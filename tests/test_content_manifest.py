"""Signed manifests: what makes the kiosk refuse a bundle, checked on real folders with real keys."""

import json
import os
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import keys
from kiosk.content import authoring
from kiosk.content import manifest as mf
from kiosk.content.bundle import DEFAULT_DIR
from kiosk.content.schemas import JSON_CAP, REGISTRY, FileSchema, register
from kiosk.exc import ContentError, KioskError

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture
def signed(tmp_path, key):
    """A copy of the default bundle, packed as version 5 and signed with ``key``."""
    folder = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, folder)
    authoring.pack(folder, 5, NOW + timedelta(days=30))
    authoring.sign(folder, key)
    return folder


def test_a_signed_bundle_verifies(signed, key):
    manifest = mf.load_verified(signed, key.public_key())
    assert manifest.version == 5
    assert set(manifest.files) == {str(p.relative_to(signed)) for p in signed.rglob("*")
                                   if p.is_file() and p.name not in ("manifest.json", "manifest.sig")}
    assert {"strings.json", "theme.json", "catalogue/top-01.png"} <= set(manifest.files)
    mf.check_update(manifest, 4, NOW)
    mf.check_update(manifest, None, NOW)


def test_another_key_or_an_edited_manifest_is_refused(signed, key):
    with pytest.raises(mf.BundleRefused, match="not a valid signature") as caught:
        mf.load_verified(signed, Ed25519PrivateKey.generate().public_key())
    assert caught.value.reason == "bad_signature"
    raw = (signed / "manifest.json").read_bytes()
    (signed / "manifest.json").write_bytes(raw.replace(b'"version": 5', b'"version": 6'))
    with pytest.raises(mf.BundleRefused) as caught:
        mf.load_verified(signed, key.public_key())
    assert caught.value.reason == "bad_signature"
    (signed / "manifest.sig").write_text("not base64!")
    with pytest.raises(mf.BundleRefused, match="not a valid signature"):
        mf.load_verified(signed, key.public_key())


@pytest.mark.parametrize(("current", "now", "reason"), [
    (5, NOW, "not_newer"),
    (6, NOW, "not_newer"),
    (4, NOW + timedelta(days=31), "expired"),
])
def test_rollback_and_freeze_are_refused(signed, key, current, now, reason):
    manifest = mf.load_verified(signed, key.public_key())
    with pytest.raises(mf.BundleRefused) as caught:
        mf.check_update(manifest, current, now)
    assert caught.value.reason == reason


def test_a_changed_file_is_refused_by_hash_and_by_length(signed, key):
    strings = signed / "strings.json"
    data = strings.read_bytes()
    strings.write_bytes(data.replace(b"Done", b"Dune"))  # same length, other hash
    with pytest.raises(mf.BundleRefused, match=r"strings\.json: its sha256 differs"):
        mf.load_verified(signed, key.public_key())
    strings.write_bytes(data + b" ")
    with pytest.raises(mf.BundleRefused, match=r"strings.json: \d+ bytes, the manifest says") as caught:
        mf.load_verified(signed, key.public_key())
    assert caught.value.reason == "file_mismatch"


def test_extra_files_and_symbolic_links_are_refused(signed, key, tmp_path):
    (signed / "extra.png").write_bytes(b"x")
    with pytest.raises(mf.BundleRefused, match=r"extra\.png: not listed"):
        mf.load_verified(signed, key.public_key())
    (signed / "extra.png").unlink()
    outside = tmp_path / "theme.json"
    shutil.copy(signed / "theme.json", outside)
    (signed / "theme.json").unlink()
    os.symlink(outside, signed / "theme.json")
    with pytest.raises(mf.BundleRefused, match=r"theme\.json: a symbolic link") as caught:
        mf.load_verified(signed, key.public_key())
    assert caught.value.reason == "bad_path"


@pytest.mark.parametrize("name", ["../evil.json", "/etc/passwd", "a/../../b", "a//b", "./x", "a\\b", "",
                                  "manifest.sig"])
def test_paths_that_escape_the_bundle_are_refused(name):
    raw = json.dumps({"version": 1, "expires": "2030-01-01T00:00:00Z",
                      "files": {name: {"sha256": "0" * 64, "length": 1}}}).encode()
    with pytest.raises(mf.BundleRefused) as caught:
        mf.parse(raw)
    assert caught.value.reason == "bad_path"


@pytest.mark.parametrize(("files", "reason"), [
    ({"strings.json": {"sha256": "0" * 64, "length": JSON_CAP + 1}}, "too_large"),
    ({"video.mp4": {"sha256": "0" * 64, "length": mf.FILE_CAP + 1}}, "too_large"),
    ({f"v{i}.mp4": {"sha256": "0" * 64, "length": mf.FILE_CAP} for i in range(9)}, "too_large"),
    ({"a.json": {"sha256": "ABC", "length": 1}}, "bad_manifest"),
    ({"a.json": {"sha256": "0" * 64, "length": -1}}, "bad_manifest"),
])
def test_sizes_are_capped_before_anything_is_downloaded(files, reason):
    raw = json.dumps({"version": 1, "expires": "2030-01-01T00:00:00Z", "files": files}).encode()
    with pytest.raises(mf.BundleRefused) as caught:
        mf.parse(raw)
    assert caught.value.reason == reason


@pytest.mark.parametrize("body", [
    b"[]", b"{", b'{"version": 1, "expires": "2030-01-01T00:00:00Z"}',
    b'{"version": 0, "expires": "2030-01-01T00:00:00Z", "files": {}}',
    b'{"version": 1, "expires": "2030-01-01T00:00:00", "files": {}}',
    b'{"version": true, "expires": "2030-01-01T00:00:00Z", "files": {}}',
])
def test_malformed_manifests_are_refused(body):
    with pytest.raises(mf.BundleRefused) as caught:
        mf.parse(body)
    assert caught.value.reason == "bad_manifest"


def test_validate_checks_schemas_files_and_signature(signed, key):
    public = keys.public_text(key)
    bundle, manifest = authoring.validate(signed, public)
    assert manifest.version == 5 and bundle.tiers
    (signed / "theme.json").write_text(json.dumps({"accent": "pink"}))
    with pytest.raises(ContentError, match=r"theme\.json"):
        authoring.validate(signed, public)


def test_keygen_writes_a_private_key_once(tmp_path):
    path = tmp_path / "signing.key"
    public = keys.generate(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert keys.public_text(keys.load_private(path)) == public
    with pytest.raises(KioskError, match="not overwriting"):
        keys.generate(path)


def test_a_feature_registers_its_schema_and_its_references_resolve(tmp_path, monkeypatch):
    monkeypatch.setattr("kiosk.content.schemas.REGISTRY", dict(REGISTRY))

    def prizes(data, file, parsed):
        missing = [p for p in data if f"prize.{p}" not in parsed["strings.json"]["en"]]
        if missing:
            raise ContentError(f"{file}: prizes: expected texts for {missing}")
        return data

    register(FileSchema("prizes_probe.json", prizes, max_bytes=100, requires=("strings.json",)))
    with pytest.raises(ValueError, match="registered twice"):
        register(FileSchema("prizes_probe.json", prizes))
    folder = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, folder)
    (folder / "prizes_probe.json").write_text('["car"]')
    from kiosk.content.bundle import load_bundle

    with pytest.raises(ContentError, match=r"prizes_probe.json: prizes: expected texts for \['car'\]"):
        load_bundle(folder)
    raw = json.dumps({"version": 1, "expires": "2030-01-01T00:00:00Z",
                      "files": {"prizes_probe.json": {"sha256": "0" * 64, "length": 101}}}).encode()
    with pytest.raises(mf.BundleRefused, match="over its cap of 100"):
        mf.parse(raw)
