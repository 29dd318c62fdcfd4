"""Stage one of an import: read the file and turn each record into what the writer stores.

Everything CPU-bound that does not need the database happens here — parsing, deriving fields,
serialising MARC-in-JSON and the JSON columns, match keys, holdings, the record's id, its
``catalog.record.created`` payload and its search document as the index's encoder wants it
(analysis included) — so a big file can be prepared in a second process while the first one
only writes (:class:`ParallelBatches`). Every record read becomes either a
:class:`PreparedRecord` or a :class:`RecordProblem`: nothing is dropped, so the job's books
balance.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from catalog.imports.holdings import Holding, holdings_of
from catalog.marc import MarcFormat, ReadOutcome, RecordProblem, detect_format, read_records
from catalog.records.marcdata import BIBLIOGRAPHIC_TYPES, derive_all, marc_text
from catalog.search.documents import build_document
from pusip_kit.db import RawJSON

JSON_COLUMNS = ("authors", "isbns", "derived")
"""Record columns of JSON type: serialised here (:class:`RawJSON`), stored as they are."""

DocumentEncoder = Callable[[dict[str, Any]], Any]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PreparedRecord:
    position: int
    control_number: str | None
    marc: str
    columns: dict[str, Any]
    """The record's derived columns; the JSON ones (:data:`JSON_COLUMNS`) as :class:`RawJSON`."""
    keys: list[tuple[str, str]]
    holdings: list[Holding]
    regional: bool
    warnings: tuple[str, ...] = ()
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    """The id the record gets if it is stored as a new record."""
    created_event: RawJSON | None = None
    """The ``catalog.record.created`` payload for a new record with :attr:`id`."""
    document: Any = None
    """The search document of the new record (encoded), when it has no holdings: one with items
    is indexed with the copies the writer actually created."""

    @property
    def derived(self) -> dict[str, Any]:
        return json_value(self.columns["derived"])

    def column_value(self, name: str) -> Any:
        return json_value(self.columns[name]) if name in JSON_COLUMNS else self.columns[name]


def json_value(value: Any) -> Any:
    return orjson.loads(str.__str__(value)) if isinstance(value, RawJSON) else value


def record_event(record_id: uuid.UUID, entry: PreparedRecord, version: int | None) -> dict[str, Any]:
    """The payload of ``catalog.record.created|updated`` for an imported record."""
    c = entry.columns
    return {
        "id": str(record_id),
        "control_number": c["control_number"],
        "title": c["title"],
        "authors": list(entry.column_value("authors"))[:5],
        "isbns": list(entry.column_value("isbns")),
        "year": c["year"],
        "material_type": c["material_type"],
        "language": c["language"],
        "deleted": False,
        "version": version,
    }


Entry = PreparedRecord | RecordProblem


@dataclass(slots=True)
class Batch:
    entries: list[Entry]
    bytes_read: int
    last_position: int


@dataclass(slots=True)
class FileFormat:
    format: MarcFormat | None
    code: str | None = None
    message: str | None = None
    message_en: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _problem(position: int, control: str | None, code: str, message: str, message_en: str) -> RecordProblem:
    return RecordProblem(position, None, control, code, message, message_en)


def prepare(outcome: ReadOutcome, record_source: str, encoder: DocumentEncoder | None = None) -> Entry:
    """One read outcome as a stored-to-be record, or the reason it is refused.

    With an ``encoder`` (the search index's :meth:`~pusip_kit.search.SearchIndex.document_encoder`)
    a record without holdings also gets its encoded search document.
    """
    if outcome.problem is not None:
        return outcome.problem
    record = outcome.record
    assert record is not None
    f001 = record.get("001")
    control = (f001.data or "").strip() or None if f001 is not None and f001.is_control_field() else None
    leader = str(record.leader)
    if leader[6:7] not in BIBLIOGRAPHIC_TYPES:
        return _problem(
            outcome.position,
            control,
            "not_bibliographic",
            f"Bukan rekaman bibliografis (leader/06 = {leader[6:7]!r}: kepemilikan, kewenangan atau lainnya)",
            f"Not a bibliographic record (leader/06 = {leader[6:7]!r}: holdings, authority or other)",
        )
    title = record.get("245")
    if (title is None or title.is_control_field()) and record.get("200") is not None:
        return _problem(
            outcome.position,
            control,
            "not_marc21",
            "Rekaman tampaknya UNIMARC (judul di ruas 200), bukan MARC21",
            "The record looks like UNIMARC (title in field 200), not MARC21",
        )
    if title is None or title.is_control_field():
        return _problem(
            outcome.position,
            control,
            "title_missing",
            "Rekaman tidak memiliki ruas judul 245",
            "The record has no title field 245",
        )
    try:
        _fields, columns, keys, regional = derive_all(record, record_source)
        text = marc_text(record)
        holdings = holdings_of(record)
    except Exception as exc:  # a record pymarc accepted but that breaks on use: refuse it, keep going
        log.debug("record %s unusable: %s", outcome.position, traceback.format_exc())
        return _problem(
            outcome.position,
            control,
            "record_unusable",
            f"Rekaman tidak dapat diolah: {type(exc).__name__}",
            f"The record cannot be processed: {type(exc).__name__}: {exc}"[:500],
        )
    derived = columns["derived"]
    entry = PreparedRecord(
        position=outcome.position,
        control_number=control,
        marc=text,
        columns=columns,
        keys=keys,
        holdings=holdings,
        regional=regional,
        warnings=outcome.warnings,
    )
    entry.created_event = RawJSON(orjson.dumps(record_event(entry.id, entry, 1)).decode())
    for name in JSON_COLUMNS:
        columns[name] = RawJSON(orjson.dumps(columns[name]).decode())
    if encoder is not None and not holdings:
        try:
            entry.document = encoder(build_document(record_id=str(entry.id), derived=derived))
        except Exception:  # the writer builds it again and reports what is wrong
            log.debug("record %s: search document not encoded", outcome.position, exc_info=True)
    return entry


def check_format(path: Path, requested: MarcFormat | None) -> FileFormat:
    """What the file looks like; a file that is plainly not MARC is refused as a whole."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip(b" \t\r\n\x00"):
        return FileFormat(None, "file_empty", "Berkas kosong", "The file is empty")
    detected = detect_format(head)
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    looks_iso = body[:5].isdigit()
    if (
        requested is not None
        and requested is not detected
        and not (requested is MarcFormat.ISO2709 and looks_iso)
    ):
        return FileFormat(
            None,
            "format_mismatch",
            f"Isi berkas tidak sesuai format yang diminta ({requested.value}); terdeteksi {detected.value}",
            f"The file's content does not match the requested format ({requested.value}); detected {detected.value}",
        )
    fmt = requested or detected
    if fmt is MarcFormat.ISO2709 and not looks_iso:
        return FileFormat(
            None,
            "format_unrecognised",
            "Berkas bukan MARC21 (ISO 2709), MARCXML atau MARC-in-JSON",
            "The file is not MARC21 (ISO 2709), MARCXML or MARC-in-JSON",
        )
    return FileFormat(fmt)


def iter_batches(
    path: Path,
    fmt: MarcFormat,
    record_source: str,
    *,
    batch_size: int,
    skip_through: int = 0,
    encoder: DocumentEncoder | None = None,
    shard: tuple[int, int] = (0, 1),
) -> Iterator[Batch]:
    """Prepared entries in batches, after the first ``skip_through`` records (a resumed job).

    ``shard=(k, n)`` (ISO 2709 only): just the batches ``k``, ``k + n``, ``k + 2n`` … of the
    file; ``n`` processes with one shard each prepare the whole file between them.
    """
    k, n = shard
    if n > 1 and fmt is not MarcFormat.ISO2709:
        raise ValueError("only ISO 2709 files are split between processes")

    def mine(position: int) -> bool:
        return position > skip_through and (position - skip_through - 1) // batch_size % n == k

    with path.open("rb") as handle:
        raw = handle.raw if isinstance(handle, io.BufferedReader) else handle
        entries: list[Entry] = []
        last = skip_through
        for outcome in read_records(handle, fmt, only=mine):
            position = outcome.position
            if position <= skip_through:
                continue
            ours = mine(position)
            if ours:
                entries.append(prepare(outcome, record_source, encoder))
            last = position
            if (position - skip_through) % batch_size == 0:
                if ours:
                    yield Batch(entries, raw.tell(), last)
                entries = []
        if n == 1 or entries:  # the tail batch (one shard owns it; a lone reader always sends it)
            yield Batch(entries, os.path.getsize(path), last)


def parse_workers() -> int:
    """Parse processes of a parallel ISO 2709 import: one per core (up to four); with the writing
    process they keep every core busy."""
    return max(1, min(4, os.cpu_count() or 1))


class _Child:
    """One parse process (``python -m catalog.imports.reader_process``) and its batch stream."""

    def __init__(self, command: list[str]) -> None:
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, stdout=subprocess.PIPE, stderr=self.errors, stdin=subprocess.DEVNULL
        )

    def _read(self, size: int) -> bytes:
        assert self.process.stdout is not None
        chunks = bytearray()
        while len(chunks) < size:
            chunk = self.process.stdout.read(size - len(chunks))
            if not chunk:
                break
            chunks += chunk
        return bytes(chunks)

    def _failure(self, what: str) -> RuntimeError:
        self.process.wait(timeout=10)
        self.errors.seek(0)
        tail = self.errors.read()[-2000:].decode("utf-8", "replace")
        return RuntimeError(f"import reader process {what} (exit code {self.process.returncode}): {tail}")

    def receive(self) -> tuple[str, Any]:
        head = self._read(8)
        if len(head) < 8:
            raise self._failure("ended early")
        (size,) = struct.unpack(">Q", head)
        body = self._read(size)
        if len(body) < size:
            raise self._failure("ended mid-batch")
        message: tuple[str, Any] = pickle.loads(body)  # noqa: S301 - written by our own child process
        return message

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.errors.close()


class ParallelBatches:
    """:func:`iter_batches` in child processes (``python -m catalog.imports.reader_process``).

    An ISO 2709 file is split batch by batch between ``workers`` children (shards, see
    :func:`iter_batches`); other formats are read by one. Each child writes length-prefixed
    pickled batches to a pipe whose small buffer holds it back while this process is busy
    writing, so memory stays flat; ``get`` takes the batches in file order, from each child in
    turn. ``get`` blocks: call it from a thread. The children are our own code on our own file,
    so unpickling their output is safe.
    """

    def __init__(
        self,
        path: Path,
        fmt: MarcFormat,
        record_source: str,
        *,
        batch_size: int,
        skip_through: int = 0,
        encoder: DocumentEncoder | None = None,
        workers: int = 1,
    ) -> None:
        shards = max(1, workers) if fmt is MarcFormat.ISO2709 else 1
        self.encoder_file = tempfile.NamedTemporaryFile(suffix=".pickle")  # noqa: SIM115 - closed in close()
        pickle.dump(encoder, self.encoder_file)
        self.encoder_file.flush()
        command = [
            sys.executable,
            "-m",
            "catalog.imports.reader_process",
            str(path),
            fmt.value,
            record_source,
            str(batch_size),
            str(skip_through),
            self.encoder_file.name,
        ]
        self.children: list[_Child] = []
        try:
            for k in range(shards):
                self.children.append(_Child([*command, str(k), str(shards)]))
        except BaseException:
            self.close()
            raise
        self.turn = 0
        self.finished = False

    def get(self) -> Batch | None:
        """The next batch, or None at the end of the file."""
        if self.finished:
            return None
        kind, value = self.children[self.turn % len(self.children)].receive()
        if kind == "batch":
            self.turn += 1
            batch: Batch = value
            return batch
        self.finished = True
        if kind == "error":
            raise RuntimeError(f"import reader process failed: {value}")
        return None

    def close(self) -> None:
        for child in self.children:
            child.close()
        self.encoder_file.close()


def write_batches(
    out: IO[bytes],
    path: Path,
    fmt: MarcFormat,
    record_source: str,
    batch_size: int,
    skip_through: int,
    encoder: DocumentEncoder | None = None,
    shard: tuple[int, int] = (0, 1),
) -> None:
    """The child's side: every batch of its shard, then ``done`` (or ``error`` with the reason)."""

    def send(message: tuple[str, Any]) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack(">Q", len(data)))
        out.write(data)
        out.flush()

    try:
        batches = iter_batches(
            path,
            fmt,
            record_source,
            batch_size=batch_size,
            skip_through=skip_through,
            encoder=encoder,
            shard=shard,
        )
        for batch in batches:
            send(("batch", batch))
        send(("done", None))
    except Exception as exc:
        send(("error", f"{type(exc).__name__}: {exc}"))
