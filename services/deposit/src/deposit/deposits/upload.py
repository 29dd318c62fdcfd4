"""The digital intake pipeline: request body → object store, with nothing left behind on failure.

1. **Metadata first.** ``multipart/form-data`` must start with a ``metadata`` part (JSON); a raw
   body carries it in the ``metadata`` query parameter and the name in ``filename``. It is
   validated, and the caller's right to submit for the depositor checked (a short read-only
   session), before a single byte of file is read.
2. **Files stream.** Each file part flows chunk by chunk: multipart reader → :class:`CheckedFile`
   (type by content, size limit for that type, not empty) → ``store.put`` (SHA-256 and writes on a
   worker thread, atomic: nothing visible until complete). The body is never held in memory: at
   most a network chunk, a delimiter's length and the store's 1 MiB write batch. (An optional
   :func:`read_ahead` stage, ``upload_read_ahead``, is off by default: it measured slower.)
3. **Packages.** A zip must be a BagIt bag: it is stored as uploaded, copied to a temporary folder,
   unpacked under zip-slip and zip-bomb guards, validated with bagit-python, and each payload file
   is stored as an object of its own (type-checked by content too).
4. **One transaction** then writes the deposit, its files and its numbered receipt.

If anything fails — a 4xx check, a client disconnect mid-stream, a cancelled request, the
database — every object this request stored is deleted (shielded from cancellation) and no row
exists, because rows are only written in step 4's transaction, which either commits or leaves
nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import ClientDisconnect, Request

from deposit.config import DepositSettings
from deposit.deposits.bags import BagLimits, check_bag, remove_tree
from deposit.deposits.schemas import DepositRead, DigitalMetadata
from deposit.deposits.service import StoredFile, copy_object_to_file, deposit_service
from deposit.deposits.streaming import (
    SNIFF_BYTES,
    CheckedFile,
    MultipartReader,
    boundary_of,
    clean_filename,
    interrupted,
    parse_json_field,
    read_ahead,
    too_large,
)
from deposit.models import FileRole
from deposit.rules import FileKind, WorkKind, sniff
from deposit.runtime import Stores
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import Unprocessable, UnsupportedMediaType
from pusip_kit.uow import unit_of_work

ACCEPTED_TYPES: dict[WorkKind, tuple[FileKind, ...]] = {
    # e-books, e-journals, e-newspapers, e-magazines, electronic maps and atlases
    WorkKind.DIGITAL: (FileKind.PDF, FileKind.EPUB, FileKind.TEXT, FileKind.JPEG, FileKind.PNG, FileKind.TIFF),
    # digital music and film, with their booklets and covers
    WorkKind.RECORDED: (
        FileKind.MP3, FileKind.WAV, FileKind.FLAC, FileKind.OGG, FileKind.MP4, FileKind.WEBM,
        FileKind.PDF, FileKind.JPEG, FileKind.PNG,
    ),
}  # fmt: skip
FILE_CHUNK = 1024 * 1024


def type_limits(settings: DepositSettings, kind: WorkKind, *, packages: bool) -> dict[FileKind, int]:
    """Acceptable content types for a kind of work, each with its size limit (settings)."""
    if kind not in ACCEPTED_TYPES:
        raise Unprocessable(
            "Karya cetak diserahkan sebagai eksemplar di loket (POST /deposits/printed)",
            "Printed works are deposited as copies at the counter (POST /deposits/printed)",
            code="wrong_channel",
        )
    limit = settings.max_size_recorded if kind is WorkKind.RECORDED else settings.max_size_digital
    limits = dict.fromkeys(ACCEPTED_TYPES[kind], limit)
    if packages:
        limits[FileKind.ZIP] = settings.max_size_package
    return limits


def metadata_from(raw: Any) -> DigitalMetadata:
    try:
        return DigitalMetadata.model_validate(raw)
    except ValidationError as exc:
        details = [{"loc": ["metadata", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        raise Unprocessable(
            "Metadata penyerahan tidak valid",
            "Invalid deposit metadata",
            code="validation_error",
            details=details,
        ) from exc


async def request_chunks(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except ClientDisconnect as exc:
        raise interrupted() from exc


class DigitalIntake:
    """One digital upload (see the module docs); :meth:`run` returns the created deposit."""

    def __init__(
        self,
        request: Request,
        settings: DepositSettings,
        stores: Stores,
        sessionmaker: async_sessionmaker[AsyncSession],
        auth_subject: AuthSubject,
    ) -> None:
        self.request = request
        self.settings = settings
        self.stores = stores
        self.sessionmaker = sessionmaker
        self.auth_subject = auth_subject
        self.deposit_id = uuid.uuid4()
        self.stored: list[StoredFile] = []

    async def run(self) -> DepositRead:
        try:
            return await self._run()
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self.discard()
            raise

    async def discard(self) -> None:
        for item in reversed(self.stored):
            try:
                await self.stores.files.delete(item.key)
            except Exception:  # noqa: S112 - best effort; the rest still goes
                continue
        self.stored.clear()

    async def _precheck(self, metadata: DigitalMetadata) -> None:
        async with self.sessionmaker() as session:
            await deposit_service.check_submitter(
                session,
                self.auth_subject,
                depositor_id=metadata.depositor_id,
                obligation_id=metadata.obligation_id,
            )

    def _check_declared_length(self, limit: int) -> None:
        declared = self.request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large(limit, "unggahan")

    async def _run(self) -> DepositRead:
        content_type = self.request.headers.get("content-type", "")
        if content_type.lower().startswith("multipart/"):
            metadata = await self._multipart(content_type)
        else:
            metadata = await self._raw()
        if not self.stored:
            raise Unprocessable(
                "Tidak ada berkas dalam unggahan", "No file in the upload", code="file_missing"
            )
        async with unit_of_work(self.sessionmaker) as session:
            deposit = await deposit_service.create_digital(
                session,
                self.settings,
                self.auth_subject,
                deposit_id=self.deposit_id,
                metadata=metadata,
                files=self.stored,
            )
            result = DepositRead.of(deposit)
        return result

    async def _raw(self) -> DigitalMetadata:
        params = self.request.query_params
        if "metadata" not in params:
            raise Unprocessable(
                "Parameter 'metadata' (JSON) wajib untuk unggahan langsung",
                "The 'metadata' query parameter (JSON) is required for a raw upload",
                code="metadata_missing",
            )
        metadata = metadata_from(parse_json_field(params["metadata"]))
        filename = clean_filename(params.get("filename"))
        limits = type_limits(self.settings, metadata.kind, packages=True)
        self._check_declared_length(max(limits.values()))
        await self._precheck(metadata)
        await self._store(filename, request_chunks(self.request), limits, metadata.kind)
        return metadata

    async def _multipart(self, content_type: str) -> DigitalMetadata:
        reader = MultipartReader(request_chunks(self.request), boundary_of(content_type))
        part = await reader.next_part()
        if part is None or part.name != "metadata" or part.filename is not None:
            raise Unprocessable(
                "Bagian pertama unggahan harus 'metadata' (JSON), sebelum berkas",
                "The first part of the upload must be 'metadata' (JSON), before the files",
                code="metadata_first",
            )
        metadata = metadata_from(parse_json_field(await reader.read_field()))
        limits = type_limits(self.settings, metadata.kind, packages=True)
        self._check_declared_length(max(limits.values()) * self.settings.max_files_per_deposit)
        await self._precheck(metadata)
        while (part := await reader.next_part()) is not None:
            if part.filename is None:
                raise Unprocessable(
                    f"Isian '{part.name}' tidak dikenal; setelah metadata hanya berkas ('file')",
                    f"Unexpected field '{part.name}'; only files ('file') may follow the metadata",
                    code="unexpected_field",
                )
            filename = clean_filename(part.filename)
            await self._store(filename, reader.body(), limits, metadata.kind)
        return metadata

    def _count_file(self) -> None:
        if len(self.stored) >= self.settings.max_files_per_deposit:
            raise Unprocessable(
                f"Paling banyak {self.settings.max_files_per_deposit} berkas per penyerahan",
                f"At most {self.settings.max_files_per_deposit} files per deposit",
                code="too_many_files",
            )

    async def _store(
        self, filename: str, chunks: AsyncIterator[bytes], limits: dict[FileKind, int], kind: WorkKind
    ) -> None:
        self._count_file()
        file_id = uuid.uuid4()
        key = f"files/{self.deposit_id}/{file_id}"
        checked = CheckedFile(limits)
        source = checked.stream(chunks)
        if self.settings.upload_read_ahead:
            source = read_ahead(source, max_bytes=self.settings.upload_read_ahead)
        stored = await self.stores.files.put(
            key,
            source,
            content_type="application/octet-stream",
            max_size=max(limits.values()),
        )
        assert checked.kind is not None
        is_package = checked.kind is FileKind.ZIP
        self.stored.append(
            StoredFile(
                file_id=file_id,
                role=FileRole.PACKAGE if is_package else FileRole.FILE,
                filename=filename,
                path_in_package=None,
                content_type=checked.kind.value,
                size=stored.size,
                sha256=stored.sha256,
                key=stored.key,
            )
        )
        if is_package:
            await self._unpack(key, kind)

    async def _unpack(self, key: str, kind: WorkKind) -> None:
        """Validate the stored package as a bag and store each payload file on its own."""
        settings = self.settings
        limits = BagLimits(settings.bag_max_entries, settings.bag_max_unpacked, settings.bag_max_ratio)
        payload_limits = type_limits(settings, kind, packages=False)
        workdir = settings.service_dir / "tmp" / f"bag-{uuid.uuid4().hex}"
        await anyio.to_thread.run_sync(lambda: (workdir / "unpacked").mkdir(parents=True))
        try:
            archive = workdir / "package.zip"
            await copy_object_to_file(self.stores, key, archive)
            bag = await anyio.to_thread.run_sync(lambda: check_bag(archive, workdir / "unpacked", limits))
            for item in bag.payload:
                self._count_file()
                head = await anyio.to_thread.run_sync(_head, item.path)
                found = sniff(head)
                if found not in payload_limits:
                    raise UnsupportedMediaType(
                        f"Berkas paket {item.relative} berjenis {found.value}, tidak diterima untuk karya ini",
                        f"Package file {item.relative} is {found.value}, not accepted for this work",
                        code="unsupported_file_type",
                        details={"file": item.relative, "detected": found.value},
                    )
                if item.size > payload_limits[found]:
                    raise too_large(payload_limits[found])
                if item.size == 0:
                    raise Unprocessable(
                        f"Berkas paket {item.relative} kosong",
                        f"Package file {item.relative} is empty",
                        code="empty_file",
                    )
                file_id = uuid.uuid4()
                stored = await self.stores.files.put(
                    f"files/{self.deposit_id}/{file_id}",
                    _file_chunks(item.path),
                    content_type="application/octet-stream",
                )
                self.stored.append(
                    StoredFile(
                        file_id=file_id,
                        role=FileRole.PAYLOAD,
                        filename=Path(item.relative).name,
                        path_in_package=item.relative,
                        content_type=found.value,
                        size=stored.size,
                        sha256=stored.sha256,
                        key=stored.key,
                    )
                )
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(remove_tree, workdir)


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(SNIFF_BYTES)


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    handle = await anyio.to_thread.run_sync(lambda: open(path, "rb"))  # noqa: SIM115 - closed below
    try:
        while chunk := await anyio.to_thread.run_sync(handle.read, FILE_CHUNK):
            yield chunk
    finally:
        await anyio.to_thread.run_sync(handle.close)
