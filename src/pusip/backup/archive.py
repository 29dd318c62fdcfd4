"""The container a backup is written to and read from: a streamed ``.tar`` or a plain folder.

Both hold the same tree under one top folder named after the backup::

    pusip-backup-embedded-20261121T213000Z/
      manifest.json          what is inside (see :mod:`pusip.backup.manifest`), written last
      SHA256SUMS             ``sha256sum -c`` format: every file, manifest.json included
      databases/…            one SQLite copy or pg_dump archive per database
      objects/<component>/<bucket>/<key>
      keys/…                 the embedded issuer's signing keys
      state/…                small state files of the data directory

A tar is written strictly sequentially (``tarfile`` stream mode ``w|``): each file is streamed in
once, hashed on the way, and never held in memory; it is written as ``<name>.tar.partial`` and
renamed when complete, so a half-written backup never looks like a finished one. A folder backup is
built as ``<name>.partial/`` and renamed the same way.

Reading never extracts a tar wholesale: members are looked up by name and streamed, and a member
that is not a regular file or folder, or whose name is absolute or climbs out with ``..``, makes
the archive unreadable (:class:`ArchiveFormatError`).
"""

from __future__ import annotations

import abc
import contextlib
import hashlib
import os
import shutil
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Final, Protocol

CHUNK: Final = 1024 * 1024
MANIFEST: Final = "manifest.json"
CHECKSUMS: Final = "SHA256SUMS"
RESERVED: Final = frozenset({MANIFEST, CHECKSUMS})


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


Observer = Callable[[bytes, int], None]
"""Called with every chunk streamed into the archive and the chunk's offset in the file."""


class ArchiveFormatError(Exception):
    """The archive cannot be read as a Pusip backup (damaged, or not one of ours)."""


def clean_member_path(path: str) -> str:
    """``path`` if it is a safe relative POSIX path inside the archive, else :class:`ValueError`."""
    pure = PurePosixPath(path)
    if (
        not path
        or pure.is_absolute()
        or "\\" in path
        or "\x00" in path
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise ValueError(f"unsafe path in archive: {path!r}")
    return path


class HashingReader:
    """A file-like view of ``size`` bytes of ``raw`` that hashes what is read and reports each chunk."""

    def __init__(self, raw: Readable, size: int, observer: Observer | None = None) -> None:
        self._raw = raw
        self._left = size
        self._offset = 0
        self._observer = observer
        self.hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        want = self._left if size is None or size < 0 else min(size, self._left)
        # tarfile's copy loop treats a short read as the end of the data: fill each request.
        parts: list[bytes] = []
        got = 0
        while got < want:
            part = self._raw.read(want - got)
            if not part:
                break
            parts.append(part)
            got += len(part)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        if data:
            self.hash.update(data)
            if self._observer is not None:
                self._observer(data, self._offset)
            self._offset += len(data)
            self._left -= len(data)
        return data

    @property
    def complete(self) -> bool:
        return self._left == 0


# ------------------------------------------------------------------------------------------ writers


class ArchiveWriter(abc.ABC):
    """Receives the backup's files one by one; :meth:`commit` makes the backup visible."""

    def __init__(self, out_dir: Path, name: str) -> None:
        self.out_dir = out_dir
        self.name = name
        self.files: dict[str, tuple[int, str]] = {}

    @property
    @abc.abstractmethod
    def final_path(self) -> Path: ...

    def add_stream(
        self,
        path: str,
        stream: Readable,
        size: int,
        *,
        mtime: float,
        mode: int = 0o600,
        observer: Observer | None = None,
    ) -> tuple[int, str]:
        """Stream exactly ``size`` bytes of ``stream`` in as ``path``; returns (size, sha256)."""
        path = clean_member_path(path)
        if path in self.files or path in RESERVED:
            raise ValueError(f"duplicate path in backup: {path}")
        reader = HashingReader(stream, size, observer)
        self._write(path, reader, size, mtime=mtime, mode=mode)
        if not reader.complete:
            raise OSError(f"{path}: the source ended before its {size} bytes")
        digest = reader.hash.hexdigest()
        self.files[path] = (size, digest)
        return size, digest

    def add_file(self, path: str, source: Path, *, mode: int = 0o600) -> tuple[int, str]:
        with source.open("rb") as fh:
            st = os.fstat(fh.fileno())
            return self.add_stream(path, fh, st.st_size, mtime=st.st_mtime, mode=mode)

    def add_bytes(self, path: str, data: bytes, *, mtime: float, mode: int = 0o644) -> tuple[int, str]:
        import io

        return self.add_stream(path, io.BytesIO(data), len(data), mtime=mtime, mode=mode)

    def finish(self, manifest: bytes, *, mtime: float) -> None:
        """Write the manifest and ``SHA256SUMS`` (the last entries), then make the backup visible."""
        import io

        manifest_sha = hashlib.sha256(manifest).hexdigest()
        lines = [f"{sha}  {path}\n" for path, (_, sha) in sorted(self.files.items())]
        lines.append(f"{manifest_sha}  {MANIFEST}\n")
        sums = "".join(lines).encode()
        self._write(MANIFEST, HashingReader(io.BytesIO(manifest), len(manifest)), len(manifest), mtime=mtime)
        self._write(CHECKSUMS, HashingReader(io.BytesIO(sums), len(sums)), len(sums), mtime=mtime)
        self._commit()

    @abc.abstractmethod
    def _write(
        self, path: str, reader: HashingReader, size: int, *, mtime: float, mode: int = 0o600
    ) -> None: ...

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def abort(self) -> None:
        """Remove everything written so far."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class TarArchiveWriter(ArchiveWriter):
    """A POSIX (pax) tar streamed to ``<out>/<name>.tar.partial``, renamed to ``<name>.tar`` at the end."""

    def __init__(self, out_dir: Path, name: str) -> None:
        super().__init__(out_dir, name)
        self.partial = out_dir / f"{name}.tar.partial"
        # A backup holds password hashes and signing keys: readable by its owner only.
        self._fh = os.fdopen(
            os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), "wb"
        )
        self._tar = tarfile.open(fileobj=self._fh, mode="w|", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self._tar.copybufsize = CHUNK  # type: ignore[attr-defined]  # exists since 3.8, untyped
        self._dirs: set[str] = set()
        self._add_dir(name, mtime=None)

    @property
    def final_path(self) -> Path:
        return self.out_dir / f"{self.name}.tar"

    def _add_dir(self, name: str, mtime: float | None) -> None:
        if name in self._dirs:
            return
        info = tarfile.TarInfo(name)
        info.type = tarfile.DIRTYPE
        info.mode = 0o700
        info.mtime = int(mtime if mtime is not None else os.path.getmtime(self.partial))
        self._tar.addfile(info)
        self._dirs.add(name)

    def _write(self, path: str, reader: HashingReader, size: int, *, mtime: float, mode: int = 0o600) -> None:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            self._add_dir("/".join([self.name, *parts[:depth]]), mtime)
        info = tarfile.TarInfo(f"{self.name}/{path}")
        info.size = size
        info.mtime = int(mtime)
        info.mode = mode
        self._tar.addfile(info, reader)

    def _commit(self) -> None:
        self._tar.close()
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        if self.final_path.exists():
            raise FileExistsError(self.final_path)
        os.rename(self.partial, self.final_path)
        _fsync_dir(self.out_dir)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._tar.close()
        with contextlib.suppress(Exception):
            self._fh.close()
        self.partial.unlink(missing_ok=True)


class DirectoryArchiveWriter(ArchiveWriter):
    """A folder ``<out>/<name>.partial/``, renamed to ``<out>/<name>/`` at the end."""

    def __init__(self, out_dir: Path, name: str) -> None:
        super().__init__(out_dir, name)
        self.partial = out_dir / f"{name}.partial"
        self.partial.mkdir(mode=0o700)

    @property
    def final_path(self) -> Path:
        return self.out_dir / self.name

    def _write(self, path: str, reader: HashingReader, size: int, *, mtime: float, mode: int = 0o600) -> None:
        target = self.partial.joinpath(*path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        with os.fdopen(fd, "wb") as out:
            while chunk := reader.read(CHUNK):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.utime(target, (mtime, mtime))

    def _commit(self) -> None:
        if self.final_path.exists():
            raise FileExistsError(self.final_path)
        os.rename(self.partial, self.final_path)
        _fsync_dir(self.out_dir)

    def abort(self) -> None:
        shutil.rmtree(self.partial, ignore_errors=True)


def open_writer(out_dir: Path, name: str, fmt: str) -> ArchiveWriter:
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "tar":
        return TarArchiveWriter(out_dir, name)
    if fmt == "dir":
        return DirectoryArchiveWriter(out_dir, name)
    raise ValueError(f"unknown backup format {fmt!r} (tar or dir)")


# ------------------------------------------------------------------------------------------ readers


class ArchiveReader(abc.ABC):
    """Read access to a finished backup: its files by relative path."""

    path: Path
    name: str

    @abc.abstractmethod
    def sizes(self) -> dict[str, int]:
        """Every regular file in the backup (relative path → size), manifest and checksums included."""

    @abc.abstractmethod
    def open(self, path: str) -> IO[bytes]: ...

    def local_file(self, path: str) -> Path | None:
        """The file itself when the backup is a folder (read in place), else ``None``."""
        return None

    def read_bytes(self, path: str, limit: int = 64 * 1024 * 1024) -> bytes:
        size = self.sizes().get(path)
        if size is None:
            raise ArchiveFormatError(f"{path} is missing from the backup")
        if size > limit:
            raise ArchiveFormatError(f"{path} is implausibly large ({size} bytes)")
        with self.open(path) as fh:
            return fh.read()

    def close(self) -> None:  # noqa: B027 - optional hook
        pass

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TarArchiveReader(ArchiveReader):
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._tar = tarfile.open(path, mode="r:")  # noqa: SIM115 - closed by close()
        except (tarfile.TarError, OSError) as exc:
            raise ArchiveFormatError(f"not a readable tar archive: {exc}") from exc
        try:
            self._members = self._index()
        except BaseException:
            self._tar.close()
            raise

    def _index(self) -> dict[str, tarfile.TarInfo]:
        try:
            infos = self._tar.getmembers()
        except (tarfile.TarError, OSError) as exc:
            raise ArchiveFormatError(f"damaged tar archive: {exc}") from exc
        roots = {info.name.split("/", 1)[0] for info in infos}
        if len(roots) != 1:
            raise ArchiveFormatError("a Pusip backup has exactly one top folder")
        self.name = roots.pop()
        members: dict[str, tarfile.TarInfo] = {}
        for info in infos:
            try:
                clean_member_path(info.name)
            except ValueError as exc:
                raise ArchiveFormatError(str(exc)) from None
            if info.isdir():
                continue
            if not info.isfile():
                raise ArchiveFormatError(f"unexpected member type in archive: {info.name}")
            relative = info.name.split("/", 1)[1] if "/" in info.name else ""
            if not relative:
                raise ArchiveFormatError(f"file outside the top folder: {info.name}")
            if relative in members:
                raise ArchiveFormatError(f"duplicate member in archive: {relative}")
            members[relative] = info
        return members

    def sizes(self) -> dict[str, int]:
        return {path: info.size for path, info in self._members.items()}

    def open(self, path: str) -> IO[bytes]:
        info = self._members.get(path)
        if info is None:
            raise ArchiveFormatError(f"{path} is missing from the backup")
        fh = self._tar.extractfile(info)
        if fh is None:
            raise ArchiveFormatError(f"{path} cannot be read")
        return fh

    def close(self) -> None:
        self._tar.close()


class DirectoryArchiveReader(ArchiveReader):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self._sizes: dict[str, int] = {}
        for file in self._walk(path):
            relative = file.relative_to(path).as_posix()
            self._sizes[relative] = file.stat().st_size

    @staticmethod
    def _walk(root: Path) -> Iterator[Path]:
        for folder, dirs, files in os.walk(root, followlinks=False):
            base = Path(folder)
            for name in dirs:
                if (base / name).is_symlink():
                    raise ArchiveFormatError(f"symbolic link in backup folder: {base / name}")
            for name in files:
                file = base / name
                if file.is_symlink() or not file.is_file():
                    raise ArchiveFormatError(f"not a regular file in backup folder: {file}")
                yield file

    def sizes(self) -> dict[str, int]:
        return dict(self._sizes)

    def _path(self, path: str) -> Path:
        if path not in self._sizes:
            raise ArchiveFormatError(f"{path} is missing from the backup")
        return self.path.joinpath(*clean_member_path(path).split("/"))

    def open(self, path: str) -> IO[bytes]:
        return self._path(path).open("rb")

    def local_file(self, path: str) -> Path | None:
        return self._path(path)


def open_archive(path: Path) -> ArchiveReader:
    if path.is_dir():
        return DirectoryArchiveReader(path)
    if path.is_file():
        return TarArchiveReader(path)
    raise ArchiveFormatError(f"no backup at {path}")
