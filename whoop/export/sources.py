"""Gather the CSV files of an export from what a person hands over: a ZIP as WHOOP e-mails it, a
gzip-wrapped ZIP, an unzipped folder, loose CSVs, or a mix (docs/WHOOP.md#files-and-containers).

Containers are recognised by magic bytes, never by file name: ``PK\\x03\\x04`` (ZIP), ``1f 8b``
(gzip). Inside a ZIP or folder every ``*.csv`` is a candidate, in any subfolder, whatever its
case; macOS ``__MACOSX/`` and ``._`` resource forks are skipped.

Nothing is unpacked whole into memory: a candidate is opened as a byte stream (a ZIP member is
inflated as it is read, a gzip wrapper is inflated once into a temporary file), so a big member
costs only the reader's chunk (see :mod:`whoop.export.table`).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

from whoop.errors import ExportFormatError
from whoop.export.headers import REEXPORT

#: Largest uncompressed member / gunzipped file accepted (zip-bomb guard). A 10-year export is
#: about 10 MB; 512 MB leaves a wide margin.
MAX_MEMBER_BYTES = 512 * 1024 * 1024
#: Largest total of all uncompressed members of one container (as the ZIP declares them).
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: Inflated bytes of a gzip wrapper kept in memory before the temporary file spills to disk.
_SPOOL_BYTES = 16 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
GZIP_MAGIC = b"\x1f\x8b"

_ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


@dataclass(frozen=True)
class Candidate:
    """One CSV to parse. ``name`` is its display name (``export.zip:sleeps.csv``), ``base`` its
    base name, ``loose`` True when the person named it directly (so an unknown header is an
    error rather than a skipped stray file). ``opener`` returns a fresh binary stream of the
    file's bytes each call (use :meth:`open`)."""

    name: str
    base: str
    opener: Callable[[], IO[bytes]]
    loose: bool

    def open(self) -> IO[bytes]:
        """A new buffered binary stream over the file, from its first byte. Reading raises
        ExportFormatError for a damaged ZIP member or one that unpacks past MAX_MEMBER_BYTES."""
        return self.opener()


class _ByteSource(Protocol):
    """What :class:`_Guarded` reads from: an open binary file or a raw byte stream."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class _Guarded(io.RawIOBase):
    """A raw byte stream over ``inner`` that stops past ``MAX_MEMBER_BYTES`` (zip bomb) and turns
    read errors of a damaged ZIP member into ExportFormatError."""

    def __init__(self, inner: _ByteSource, name: str, *, owned: tuple = ()) -> None:
        super().__init__()
        self._inner, self._name, self._owned, self._read = inner, name, owned, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf: WriteableBuffer) -> int:
        view = memoryview(buf).cast("B")
        try:
            data = self._inner.read(len(view))
        except _ZIP_READ_ERRORS as err:
            raise ExportFormatError(f"this ZIP member is damaged ({err}): download the export "
                                    "again from the WHOOP e-mail", file=self._name) from None
        self._read += len(data)
        if self._read > MAX_MEMBER_BYTES:
            raise ExportFormatError(f"this member unpacks to more than {MAX_MEMBER_BYTES >> 20} MB; "
                                    "it is not a WHOOP export", file=self._name)
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            for f in (self._inner, *self._owned):
                f.close()
        super().close()


def _buffered(inner: _ByteSource, name: str, owned: tuple = ()) -> IO[bytes]:
    return io.BufferedReader(_Guarded(inner, name, owned=owned), buffer_size=1 << 16)


def _rewound(shared: IO[bytes], name: str) -> Callable[[], IO[bytes]]:
    """Opener over a seekable stream kept by the candidate (bytes or a spooled file): each open
    reads it from the start and leaves it open."""

    class _Keep(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buf: WriteableBuffer) -> int:
            view = memoryview(buf).cast("B")
            data = shared.read(len(view))
            view[: len(data)] = data
            return len(data)

    def opener() -> IO[bytes]:
        shared.seek(0)
        return _buffered(_Keep(), name)

    return opener


def _junk(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return any(p == "__MACOSX" or p.startswith("._") for p in parts)


def _gunzip(src: IO[bytes], name: str) -> IO[bytes]:
    """Inflate a gzip stream into a temporary file (in memory up to 16 MB); returned at 0.

    Raises:
        ExportFormatError: damaged or truncated gzip data, or more than MAX_MEMBER_BYTES.
    """
    out = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
    inflater = zlib.decompressobj(wbits=31)
    total = 0
    try:
        while not inflater.eof and (data := src.read(1 << 20)):
            while data and not inflater.eof:
                part = inflater.decompress(data, 1 << 22)
                total += len(part)
                if total > MAX_MEMBER_BYTES:
                    out.close()
                    raise ExportFormatError(f"this gzip file unpacks to more than "
                                            f"{MAX_MEMBER_BYTES >> 20} MB, far more than any WHOOP "
                                            "export; refusing to unpack it", file=name)
                out.write(part)
                data = inflater.unconsumed_tail
    except zlib.error as err:
        out.close()
        raise ExportFormatError(f"this gzip file is damaged ({err}): download the export again",
                                file=name) from None
    if not inflater.eof:
        out.close()
        raise ExportFormatError("this gzip file is damaged (it ends too early): download the "
                                "export again", file=name)
    out.seek(0)
    return out


def _zip_members(open_archive: Callable[[], IO[bytes]], name: str) -> list[Candidate]:
    """The CSV members of a ZIP; ``open_archive`` gives a fresh seekable stream of the ZIP."""
    try:
        with zipfile.ZipFile(open_archive()) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as err:
        raise ExportFormatError(f"this ZIP file is damaged or incomplete ({err}): download the "
                                "export again from the WHOOP e-mail", file=name) from None
    out: list[Candidate] = []
    total = 0
    for info in infos:
        if info.is_dir() or _junk(info.filename):
            continue
        base = PurePosixPath(info.filename).name
        if not base.lower().endswith(".csv"):
            continue
        member = f"{name}:{info.filename}"
        if info.file_size > MAX_MEMBER_BYTES:
            raise ExportFormatError(f"this member unpacks to {info.file_size >> 20} MB, over the "
                                    f"{MAX_MEMBER_BYTES >> 20} MB limit; it is not a WHOOP export",
                                    file=member)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ExportFormatError(f"the ZIP unpacks to more than {MAX_TOTAL_BYTES >> 20} MB; "
                                    "it is not a WHOOP export", file=name)
        out.append(Candidate(member, base, _member_opener(open_archive, info, member), loose=False))
    if not out:
        hint = ""
        if any(i.filename == "[Content_Types].xml" for i in infos):
            hint = " (it looks like an Excel workbook; save each sheet as CSV, or " + REEXPORT + ")"
        raise ExportFormatError("this ZIP holds no WHOOP CSV (physiological_cycles.csv, "
                                f"sleeps.csv, workouts.csv, journal_entries.csv){hint}; "
                                "pass the ZIP WHOOP e-mailed you", file=name)
    return out


def _member_opener(open_archive: Callable[[], IO[bytes]], info: zipfile.ZipInfo,
                   member: str) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        archive = zipfile.ZipFile(open_archive())
        try:
            fh = archive.open(info)
        except _ZIP_READ_ERRORS as err:
            archive.close()
            raise ExportFormatError(f"this ZIP member is damaged ({err}): download the export "
                                    "again from the WHOOP e-mail", file=member) from None
        except (RuntimeError, NotImplementedError) as err:  # encrypted / unknown compression
            archive.close()
            raise ExportFormatError(f"this ZIP member cannot be read ({err}); unpack it yourself "
                                    "and pass the folder", file=member) from None
        return _buffered(fh, member, owned=(archive,))

    return opener


def _sniffed(name: str, head: bytes, open_raw: Callable[[], IO[bytes]], zip_source: Callable,
             size: int) -> list[Candidate]:
    """The candidates of one file given its first bytes ``head``: ``open_raw`` opens its bytes,
    ``zip_source`` gives what :class:`zipfile.ZipFile` reads (a path or a seekable stream)."""
    if head.startswith(GZIP_MAGIC):
        with open_raw() as src:
            inner = _gunzip(src, name)
        magic = inner.read(4)
        inner.seek(0)
        if magic.startswith(ZIP_MAGIC) or magic.startswith(EMPTY_ZIP_MAGIC):
            return _zip_members(lambda: inner, name)
        return [Candidate(name, Path(name).name, _rewound(inner, name), loose=True)]
    if head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC):
        return _zip_members(zip_source, name)
    if size > MAX_MEMBER_BYTES:
        raise ExportFormatError(f"this file is larger than {MAX_MEMBER_BYTES >> 20} MB; it is not "
                                "a WHOOP export", file=name)
    return [Candidate(name, Path(name).name, lambda: _buffered(open_raw(), name), loose=True)]


def from_bytes(name: str, data: bytes) -> list[Candidate]:
    """The candidates inside one uploaded file, sniffed by content (ZIP, gzip, else CSV).

    Raises:
        ExportFormatError: a damaged or oversized container, or a ZIP without CSVs.
    """
    return _sniffed(name, data[:4], lambda: io.BytesIO(data), lambda: io.BytesIO(data), len(data))


def from_path(path: Path) -> list[Candidate]:
    """The candidates of a ZIP / gzip / CSV file or of a folder (every ``*.csv`` inside).
    Files are opened when read, not loaded here.

    Raises:
        ExportFormatError: the path does not exist, a folder without CSVs, a bad container.
    """
    if path.is_dir():
        out = []
        for file in sorted(path.rglob("*")):
            rel = file.relative_to(path).as_posix()
            if file.is_file() and file.suffix.lower() == ".csv" and not _junk(rel):
                if file.stat().st_size > MAX_MEMBER_BYTES:
                    raise ExportFormatError(f"this CSV is larger than {MAX_MEMBER_BYTES >> 20} MB, "
                                            "far more than any WHOOP export; pass the export "
                                            "folder itself", file=f"{path.name}/{rel}")
                shown = f"{path.name}/{rel}"
                out.append(Candidate(shown, file.name, _path_opener(file, shown), False))
        if not out:
            raise ExportFormatError("this folder holds no CSV file; pass the unzipped WHOOP "
                                    "export folder or the ZIP itself", file=str(path))
        return out
    if not path.is_file():
        raise ExportFormatError("no such file or folder", file=str(path))
    size = path.stat().st_size
    if size > MAX_TOTAL_BYTES:
        raise ExportFormatError("this file is larger than any WHOOP export could be",
                                file=path.name)
    with path.open("rb") as fh:
        head = fh.read(4)
    return _sniffed(path.name, head, lambda: path.open("rb"), lambda: str(path), size)


def _path_opener(file: Path, shown: str) -> Callable[[], IO[bytes]]:
    return lambda: _buffered(file.open("rb"), shown)
