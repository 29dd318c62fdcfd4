"""Key, prefix, metadata and header validation shared by both backends."""

from __future__ import annotations

import pytest

from pusip_kit.storage import InvalidObjectKey, validate_object_key, validate_prefix
from pusip_kit.storage.base import (
    InvalidObjectMetadata,
    content_disposition,
    validate_content_type,
    validate_metadata,
)


@pytest.mark.parametrize(
    "key",
    [
        "a",
        "deposit/2024/08/9786020000000/isi.pdf",
        "arsip/ANRI_001/foto-01.tif",
        "x/y=1,z+2@3~4",
        "_internal/v1.0.json",
        "k" * 255,
        "/".join(["s" * 200] * 5),  # 1004 characters
    ],
)
def test_valid_keys(key: str) -> None:
    assert validate_object_key(key) == key


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("../x", "'.' atau '..'"),
        ("/abs", "path absolut"),
        ("a//b", "segmen kosong"),
        ("a\\b", "garis miring terbalik"),
        ("a\x00b", "NUL"),
        ("k" * 1025, "1024 bita"),
        ("a/" + "s" * 256, "255 karakter"),
        ("dokumen baru.pdf", "harus diawali"),
        ("-opsi", "harus diawali"),
        ("é.txt", "harus diawali"),
    ],
)
def test_invalid_keys_say_why(key: str, fragment: str) -> None:
    with pytest.raises(InvalidObjectKey) as caught:
        validate_object_key(key)
    assert fragment in caught.value.message
    assert caught.value.message_en.startswith("Invalid object key: ")
    assert caught.value.code == "invalid_object_key"
    assert caught.value.status_code == 400


def test_non_string_key() -> None:
    with pytest.raises(InvalidObjectKey):
        validate_object_key(b"bytes")
    with pytest.raises(InvalidObjectKey):
        validate_object_key(None)


@pytest.mark.parametrize("prefix", ["", "a", "a/", "a/b", "a/b/", "a/b/c-", "_"])
def test_valid_prefixes(prefix: str) -> None:
    assert validate_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["/", "../", "a//", "a\\", ".", "a/.", "a/..", "x\x00"])
def test_invalid_prefixes(prefix: str) -> None:
    with pytest.raises(InvalidObjectKey):
        validate_prefix(prefix)


def test_metadata_rules() -> None:
    assert validate_metadata(None) == {}
    assert validate_metadata({"judul": "Ketoprak — Café", "no-inventaris": ""}) == {
        "judul": "Ketoprak — Café",
        "no-inventaris": "",
    }
    for bad in (
        {"Besar": "x"},
        {"sha256": "x"},
        {"-a": "x"},
        {"a": 1},
        {"a": "x\ty"},
        {f"k{i}": "v" for i in range(33)},
        {"a": "é" * 400},  # 2400 bytes once percent-encoded
    ):
        with pytest.raises(InvalidObjectMetadata):
            validate_metadata(bad)  # type: ignore[arg-type]


def test_content_types() -> None:
    assert validate_content_type(None) == "application/octet-stream"
    assert validate_content_type("application/pdf") == "application/pdf"
    assert validate_content_type('text/plain; charset="utf-8"') == 'text/plain; charset="utf-8"'
    for bad in ("pdf", "text/plain\r\nSet-Cookie: a=b", "a/b; c", "x" * 300):
        with pytest.raises(InvalidObjectMetadata):
            validate_content_type(bad)


def test_content_disposition() -> None:
    assert content_disposition("laporan.pdf") == (
        "attachment; filename=\"laporan.pdf\"; filename*=UTF-8''laporan.pdf"
    )
    value = content_disposition('Buku "Café"/Ü.pdf')
    assert value.startswith('attachment; filename="Buku _Cafe__U.pdf";')
    assert value.endswith("filename*=UTF-8''Buku%20%22Caf%C3%A9%22_%C3%9C.pdf")
