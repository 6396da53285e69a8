"""Gather the CSV files of an export from what a person hands over: a ZIP as WHOOP e-mails it, a
gzip-wrapped ZIP, an unzipped folder, loose CSVs, or a mix (EXPORT.md 1.1, 5.1).

Containers are recognised by magic bytes, never by file name: ``PK\\x03\\x04`` (ZIP), ``1f 8b``
(gzip). Inside a ZIP or folder every ``*.csv`` is a candidate, in any subfolder, whatever its
case; macOS ``__MACOSX/`` and ``._`` resource forks are skipped.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from whoop.errors import ExportFormatError
from whoop.export.headers import REEXPORT

#: Largest uncompressed member / gunzipped file accepted (zip-bomb guard). A 10-year export is
#: about 10 MB; 512 MB leaves a wide margin.
MAX_MEMBER_BYTES = 512 * 1024 * 1024
#: Largest total of all uncompressed members of one container.
MAX_TOTAL_BYTES = 1024 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Candidate:
    """One CSV to parse. ``name`` is its display name (``export.zip:sleeps.csv``), ``base`` its
    base name, ``loose`` True when the person named it directly (so an unknown header is an
    error rather than a skipped stray file)."""

    name: str
    base: str
    data: bytes
    loose: bool


def _junk(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return any(p == "__MACOSX" or p.startswith("._") for p in parts)


def _gunzip(data: bytes, name: str) -> bytes:
    try:
        inflater = zlib.decompressobj(wbits=31)
        out = inflater.decompress(data, MAX_MEMBER_BYTES + 1)
    except zlib.error as err:
        raise ExportFormatError(f"this gzip file is damaged ({err}): download the export again",
                                file=name) from None
    if len(out) > MAX_MEMBER_BYTES:
        raise ExportFormatError(f"this gzip file unpacks to more than {MAX_MEMBER_BYTES >> 20} MB, "
                                "far more than any WHOOP export; refusing to unpack it", file=name)
    return out


def _zip_members(data: bytes, name: str) -> list[Candidate]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
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
        try:
            with archive.open(info) as fh:
                content = fh.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as err:
            raise ExportFormatError(f"this ZIP member is damaged ({err}): download the export "
                                    "again from the WHOOP e-mail", file=member) from None
        except (RuntimeError, NotImplementedError) as err:  # encrypted / unknown compression
            raise ExportFormatError(f"this ZIP member cannot be read ({err}); unpack it yourself "
                                    "and pass the folder", file=member) from None
        if len(content) > MAX_MEMBER_BYTES:
            raise ExportFormatError(f"this member unpacks to more than {MAX_MEMBER_BYTES >> 20} MB; "
                                    "it is not a WHOOP export", file=member)
        total += len(content)
        if total > MAX_TOTAL_BYTES:
            raise ExportFormatError(f"the ZIP unpacks to more than {MAX_TOTAL_BYTES >> 20} MB; "
                                    "it is not a WHOOP export", file=name)
        out.append(Candidate(member, base, content, loose=False))
    if not out:
        hint = ""
        if any(i.filename == "[Content_Types].xml" for i in infos):
            hint = " (it looks like an Excel workbook; save each sheet as CSV, or " + REEXPORT + ")"
        raise ExportFormatError("this ZIP holds no WHOOP CSV (physiological_cycles.csv, "
                                f"sleeps.csv, workouts.csv, journal_entries.csv){hint}; "
                                "pass the ZIP WHOOP e-mailed you", file=name)
    return out


def from_bytes(name: str, data: bytes) -> list[Candidate]:
    """The candidates inside one uploaded file, sniffed by content (ZIP, gzip, else CSV).

    Raises:
        ExportFormatError: a damaged or oversized container, or a ZIP without CSVs.
    """
    if data.startswith(GZIP_MAGIC):
        inner = _gunzip(data, name)
        if inner.startswith(ZIP_MAGIC) or inner.startswith(EMPTY_ZIP_MAGIC):
            return _zip_members(inner, name)
        return [Candidate(name, Path(name).name, inner, loose=True)]
    if data.startswith(ZIP_MAGIC) or data.startswith(EMPTY_ZIP_MAGIC):
        return _zip_members(data, name)
    if len(data) > MAX_MEMBER_BYTES:
        raise ExportFormatError(f"this file is larger than {MAX_MEMBER_BYTES >> 20} MB; it is not "
                                "a WHOOP export", file=name)
    return [Candidate(name, Path(name).name, data, loose=True)]


def from_path(path: Path) -> list[Candidate]:
    """The candidates of a ZIP / gzip / CSV file or of a folder (every ``*.csv`` inside).

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
                out.append(Candidate(f"{path.name}/{rel}", file.name, file.read_bytes(), False))
        if not out:
            raise ExportFormatError("this folder holds no CSV file; pass the unzipped WHOOP "
                                    "export folder or the ZIP itself", file=str(path))
        return out
    if not path.is_file():
        raise ExportFormatError("no such file or folder", file=str(path))
    if path.stat().st_size > MAX_TOTAL_BYTES:
        raise ExportFormatError("this file is larger than any WHOOP export could be",
                                file=path.name)
    return from_bytes(path.name, path.read_bytes())
