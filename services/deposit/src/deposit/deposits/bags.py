"""BagIt packages (RFC 8493) uploaded as zip: unpacked safely, then validated with bagit-python.

Unpacking refuses, before writing anything outside the target folder:

* entry names that are absolute, contain ``..`` segments, backslashes, drive letters or NUL
  (zip-slip / path traversal), symbolic links and encrypted entries;
* more than ``max_entries`` entries, more than ``max_unpacked`` bytes in all (counted while
  writing, not trusted from the zip's headers), entries that inflate beyond what their header
  declares, and entries whose compression ratio exceeds ``max_ratio`` (zip bombs).

The bag is then validated (``bagit.txt``, manifests, every payload checksum) by ``bagit.Bag``.
All of it is blocking work: call it in a worker thread.
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import bagit

from pusip_kit.errors import BadRequest, PayloadTooLarge, Unprocessable

COPY_CHUNK = 1024 * 1024


class UnsafeArchive(BadRequest):
    code = "unsafe_archive_entry"
    message = "Paket memuat entri yang tidak aman"
    message_en = "The package contains an unsafe entry"


class InvalidBag(Unprocessable):
    code = "bag_invalid"
    message = "Paket BagIt tidak sah"
    message_en = "Invalid BagIt package"


@dataclass(frozen=True)
class BagLimits:
    max_entries: int
    max_unpacked: int
    max_ratio: int


@dataclass(frozen=True)
class PayloadFile:
    path: Path  # on disk, inside the unpacked bag
    relative: str  # "data/…" as in the manifest
    size: int


@dataclass(frozen=True)
class CheckedBag:
    root: Path
    info: dict[str, str]
    payload: list[PayloadFile]


def _safe_parts(name: str) -> list[str]:
    shown = name[:200]
    if "\x00" in name or "\\" in name:
        raise UnsafeArchive(
            f"Nama entri paket tidak sah: {shown!r}",
            f"Invalid package entry name: {shown!r}",
            details={"entry": shown},
        )
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith("/"):
        raise UnsafeArchive(
            f"Entri paket berjalur absolut: {shown!r}",
            f"Absolute path in the package: {shown!r}",
            details={"entry": shown},
        )
    parts = [p for p in path.parts if p not in ("", ".")]
    if any(p == ".." for p in parts) or (parts and len(parts[0]) == 2 and parts[0][1] == ":"):
        raise UnsafeArchive(
            f"Entri paket keluar dari folder paket (path traversal): {shown!r}",
            f"Package entry escapes the package folder (path traversal): {shown!r}",
            details={"entry": shown},
        )
    return parts


def unpack_zip(archive: Path, target: Path, limits: BagLimits) -> None:
    """Unpack ``archive`` into the empty folder ``target`` under the guards of the module docs."""
    target = target.resolve()
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidBag(
            "Berkas zip rusak", "The zip file is damaged", details={"error": str(exc)[:200]}
        ) from exc
    with bundle:
        entries = bundle.infolist()
        if len(entries) > limits.max_entries:
            raise PayloadTooLarge(
                f"Paket memuat lebih dari {limits.max_entries} entri",
                f"The package has more than {limits.max_entries} entries",
                code="package_too_many_entries",
            )
        declared = 0
        plan: list[tuple[zipfile.ZipInfo, list[str]]] = []
        for info in entries:
            parts = _safe_parts(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeArchive(
                    f"Paket memuat tautan simbolik: {info.filename[:200]!r}",
                    f"The package contains a symbolic link: {info.filename[:200]!r}",
                    details={"entry": info.filename[:200]},
                )
            if info.flag_bits & 0x1:
                raise UnsafeArchive(
                    "Entri paket terenkripsi",
                    "Encrypted package entry",
                    details={"entry": info.filename[:200]},
                )
            declared += info.file_size
            if info.file_size > COPY_CHUNK and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise PayloadTooLarge(
                    "Rasio kompresi entri paket tidak wajar (zip bomb)",
                    "A package entry's compression ratio is implausible (zip bomb)",
                    code="package_compression_ratio",
                    details={"entry": info.filename[:200], "max_ratio": limits.max_ratio},
                )
            plan.append((info, parts))
        if declared > limits.max_unpacked:
            raise PayloadTooLarge(
                f"Isi paket melebihi {limits.max_unpacked} bita setelah dibuka",
                f"The package unpacks to more than {limits.max_unpacked} bytes",
                code="package_too_large_unpacked",
            )
        written = 0
        for info, parts in plan:
            if not parts:
                continue
            destination = target.joinpath(*parts)
            if os.path.commonpath([target, destination.resolve()]) != str(target):
                raise UnsafeArchive(details={"entry": info.filename[:200]})
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            count = 0
            with bundle.open(info) as source, open(destination, "xb") as sink:
                while chunk := source.read(COPY_CHUNK):
                    count += len(chunk)
                    written += len(chunk)
                    if count > info.file_size or written > limits.max_unpacked:
                        raise PayloadTooLarge(
                            "Entri paket lebih besar dari yang dinyatakan (zip bomb)",
                            "A package entry inflates beyond its declared size (zip bomb)",
                            code="package_too_large_unpacked",
                            details={"entry": info.filename[:200]},
                        )
                    sink.write(chunk)


def _bag_root(folder: Path) -> Path:
    if (folder / "bagit.txt").is_file():
        return folder
    children = [p for p in folder.iterdir() if not p.name.startswith("__MACOSX")]
    if len(children) == 1 and children[0].is_dir() and (children[0] / "bagit.txt").is_file():
        return children[0]
    raise InvalidBag(
        "Paket zip bukan BagIt: bagit.txt tidak ditemukan di akar paket",
        "The zip is not a BagIt package: no bagit.txt at its root",
        code="not_a_bag",
    )


def check_bag(archive: Path, workdir: Path, limits: BagLimits) -> CheckedBag:
    """Unpack ``archive`` into ``workdir`` and validate it as a bag; raises a 4xx error if anything is wrong."""
    unpack_zip(archive, workdir, limits)
    root = _bag_root(workdir.resolve())
    try:
        bag = bagit.Bag(str(root))
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        problems = [str(d) for d in (exc.details or [])][:10] or [str(exc.message)[:300]]
        raise InvalidBag(
            "Paket BagIt tidak lolos validasi (manifest atau checksum)",
            "The BagIt package failed validation (manifest or checksums)",
            details={"problems": problems},
        ) from exc
    except bagit.BagError as exc:
        raise InvalidBag(details={"problems": [str(exc)[:300]]}) from exc
    payload: list[PayloadFile] = []
    for relative in sorted(bag.payload_files()):
        path = root / relative
        if path.is_symlink() or not path.is_file():
            raise UnsafeArchive(details={"entry": relative[:200]})
        payload.append(PayloadFile(path=path, relative=relative, size=path.stat().st_size))
    if not payload:
        raise InvalidBag(
            "Paket BagIt tidak memuat berkas", "The BagIt package holds no payload file", code="bag_empty"
        )
    info = {
        str(k): str(v) if not isinstance(v, list) else "; ".join(map(str, v)) for k, v in bag.info.items()
    }
    return CheckedBag(root=root, info=info, payload=payload)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
