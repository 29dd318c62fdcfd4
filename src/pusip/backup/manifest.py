"""The backup manifest (``manifest.json``) and the verification of a backup against it.

Format ``pusip-backup`` version 1::

    {
      "format": "pusip-backup", "format_version": 1,
      "name": "pusip-backup-embedded-20261121T213000Z",
      "created_at": "2026-11-21T21:30:00Z", "completed_at": "2026-11-21T21:30:04Z",
      "mode": "embedded", "host": "…", "data_dir": "/srv/pusip/var",
      "versions": {"pusip": "0.1.0", "pusip-kit": "0.1.0", "python": "3.11.2", "sqlite": "3.40.1",
                   "sqlalchemy": "…", "alembic": "…", "minio": "…", "pg_dump": "15.18"},
      "databases": [
        {"component": "catalog", "role": "service", "engine": "sqlite",
         "file": "databases/catalog.sqlite", "journal_mode": "wal",
         "alembic": {"alembic_version": ["0002"], "kit_alembic_version": ["0001"]},
         "tables": {"bib_records": 12, …}, "rows": 345, "size": 1234, "sha256": "…"},
        {"component": "catalog", "role": "service", "engine": "postgresql",
         "file": "databases/catalog.pgdump", "format": "pg_dump custom", "database": "pusip_catalog",
         "server_version": "15.10", "pg_dump_version": "15.18", …},
        {"component": "gateway", "role": "identity", …}, {"component": "broker", "role": "broker", …}
      ],
      "objects": [{"component": "deposit", "bucket": "deposit-files", "backend": "local",
                   "count": 3, "bytes": 4567}],
      "keys": {"component": "gateway", "count": 1},
      "notes": ["…"],
      "totals": {"files": 9, "bytes": 123456, "databases": 7, "rows": 999, "objects": 3,
                 "object_bytes": 4567},
      "files": [
        {"path": "databases/catalog.sqlite", "kind": "database", "size": 1234, "sha256": "…"},
        {"path": "objects/deposit/deposit-files/files/…", "kind": "object", "size": 5000,
         "sha256": "…", "object_size": 904, "object_sha256": "…"},
        {"path": "keys/signing-key.pem", "kind": "key", "size": 1704, "sha256": "…", "mtime": 1.7e9},
        {"path": "state/demo-data.json", "kind": "state", "size": 300, "sha256": "…"}
      ]
    }

``files`` lists every file of the backup except ``manifest.json`` and ``SHA256SUMS``; the latter
holds the SHA-256 of every file *and* of ``manifest.json``, in ``sha256sum -c`` format, so a folder
backup can also be checked without Pusip.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import platform
import re
import sqlite3
from collections.abc import Callable
from importlib import metadata
from typing import Any

from .archive import (
    CHECKSUMS,
    CHUNK,
    MANIFEST,
    RESERVED,
    ArchiveFormatError,
    ArchiveReader,
    clean_member_path,
)

FORMAT = "pusip-backup"
FORMAT_VERSION = 1
_SHA_RE = re.compile(r"[0-9a-f]{64}")
_PACKAGES = ("pusip", "pusip-kit", "sqlalchemy", "alembic", "minio", "psycopg")


def versions() -> dict[str, str]:
    found: dict[str, str] = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def encode(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=False) + "\n").encode()


def parse_checksums(data: bytes) -> dict[str, str]:
    sums: dict[str, str] = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, path = line.partition("  ")
        if not sep or not _SHA_RE.fullmatch(digest) or not path:
            raise ArchiveFormatError(f"{CHECKSUMS} line {number} is malformed")
        if path in sums:
            raise ArchiveFormatError(f"{CHECKSUMS} lists {path} twice")
        sums[path] = digest
    return sums


def hash_stream(reader: ArchiveReader, path: str) -> str:
    digest = hashlib.sha256()
    with reader.open(path) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(
    reader: ArchiveReader, *, progress: Callable[[int, int], None] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Read the manifest and check every file of the backup against it.

    Returns the manifest and the list of problems (empty: the backup is intact). Problems: a
    missing or extra file, a size or SHA-256 that differs, a manifest that differs from its
    checksum, an unknown format. Reads every byte once; changes nothing.
    """
    problems: list[str] = []
    sizes = reader.sizes()
    for required in (MANIFEST, CHECKSUMS):
        if required not in sizes:
            raise ArchiveFormatError(f"{required} is missing: not a Pusip backup, or an unfinished one")
    raw_manifest = reader.read_bytes(MANIFEST)
    sums = parse_checksums(reader.read_bytes(CHECKSUMS))
    manifest_sha = hashlib.sha256(raw_manifest).hexdigest()
    if not hmac.compare_digest(sums.get(MANIFEST, ""), manifest_sha):
        raise ArchiveFormatError(
            f"{MANIFEST} does not match its SHA-256 in {CHECKSUMS}: the manifest is damaged"
        )
    try:
        manifest = json.loads(raw_manifest)
    except ValueError as exc:
        raise ArchiveFormatError(f"{MANIFEST} is not JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveFormatError(f"{MANIFEST} is not a Pusip backup manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ArchiveFormatError(
            f"backup format version {version!r} is newer than this Pusip reads ({FORMAT_VERSION}): upgrade Pusip"
        )
    entries: dict[str, dict[str, Any]] = {}
    for entry in manifest.get("files") or []:
        path = str(entry.get("path", ""))
        try:
            clean_member_path(path)
        except ValueError as exc:
            raise ArchiveFormatError(f"{MANIFEST}: {exc}") from None
        if path in entries or path in RESERVED:
            raise ArchiveFormatError(f"{MANIFEST} lists {path} twice")
        entries[path] = entry

    listed = set(entries)
    present = set(sizes) - RESERVED
    for path in sorted(listed - present):
        problems.append(f"{path}: missing from the backup")
    for path in sorted(present - listed):
        problems.append(f"{path}: in the backup but not in the manifest")
    if set(sums) - {MANIFEST} != listed:
        problems.append(f"{CHECKSUMS} and {MANIFEST} list different files")
    total = sum(int(entries[p].get("size", 0)) for p in listed & present)
    done = 0
    for path in sorted(listed & present):
        entry = entries[path]
        if sizes[path] != entry.get("size"):
            problems.append(f"{path}: {sizes[path]} bytes, the manifest says {entry.get('size')}")
            continue
        actual = hash_stream(reader, path)
        if not hmac.compare_digest(actual, str(entry.get("sha256", ""))):
            problems.append(f"{path}: SHA-256 {actual} differs from the manifest's {entry.get('sha256')}")
        elif sums.get(path) != actual:
            problems.append(f"{path}: SHA-256 differs from {CHECKSUMS}")
        done += sizes[path]
        if progress is not None:
            progress(done, total)
    return manifest, problems
