"""What one delivery to `receive` holds: the workbooks among the files, folders, .zip files and
uploads it was given, each by the name it was sent under, read once and hashed once.

A .zip is read where it lies, one member at a time when it is checked: nothing of it is
unpacked to disk, so a killed receive leaves no copy of anyone's submission behind, and no
more than one chunk of a delivery is held in memory. What a delivery unpacks to is bounded
(`limit`: the web page's upload limit, or MAX_DELIVERY), so a small .zip can not fill the
round: what lies beyond the limit is refused, and said so. A .zip that can not be read is
refused alone; the files beside it are received.
"""

from __future__ import annotations

import contextlib
import hashlib
import lzma
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from bilag4xl.form.limits import SUBMISSION
from bilag4xl.intake.discover import XLSX_SUFFIXES, Blob, collect_paths, skip_reason

MAX_FILE = SUBMISSION.file_bytes  # a submission is a few MB; anything larger is not one
MAX_ZIP_MEMBERS = 10_000  # a whole round is a few hundred files
MAX_ZIP_DIRECTORY = 4 * 2**20  # the table of contents: 10,000 members with long names
MAX_DELIVERY = 2**30  # a delivery on the command line, unpacked: a whole round is far less

# What opening or reading a damaged .zip raises: zipfile's own errors, the decompressors',
# refused versions, methods and encryption, and a file that went away.
_CANNOT_READ = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
    KeyError,
)


@dataclass(frozen=True)
class Upload:
    """A file handed over open, under the name it was sent (the web page's upload): read
    from where it is, never copied."""

    name: str
    file: IO[bytes]


@dataclass(frozen=True)
class Passed:
    """A file not taken in, and why: by its name alone (`skipped`: an owner, lock or hidden
    file), or refused (a .zip that can not be read, what lies beyond the delivery's limit)."""

    source: str
    reason: str
    skipped: bool = False


@dataclass(frozen=True)
class Part:
    """One workbook of a delivery, not read yet: `read` gives its bytes (or raises)."""

    source: str
    size: int
    read: Callable[[], bytes]


Given = str | Path | Upload


@contextlib.contextmanager
def open_delivery(
    given: Iterable[Given], names: Mapping[Path, str], limit: int | None = None
) -> Iterator[list[Part | Passed]]:
    """The workbooks of a delivery in the order given (a .zip's in its own order), and what
    was passed over; the .zip files stay open until the delivery is closed. `limit`: what
    the delivery may unpack to (default MAX_DELIVERY)."""
    with contextlib.ExitStack() as opened:
        budget = _Budget(limit or MAX_DELIVERY)
        found: list[Part | Passed] = []
        for item in given:
            if isinstance(item, Upload):
                found += _upload(item, budget, opened)
                continue
            path = Path(item)
            label = names.get(path, str(path))
            if path.suffix.lower() == ".zip" and path.is_file():
                found += _zip(path, label, budget, opened)
            else:
                found += _files(path, names, budget)
        yield found


def read_part(part: Part) -> Blob | Passed:
    """A part's bytes and their SHA-256, the only time they are read and hashed."""
    try:
        data = part.read()
    except _CANNOT_READ as exc:
        return Passed(part.source, f"Filen kan ikke læses ({_why(exc)}).")
    if len(data) > max(part.size, MAX_FILE):  # it grew after it was counted
        return Passed(part.source, _too_big(len(data)))
    return Blob(part.source, data, hashlib.sha256(data).hexdigest())


class _Budget:
    """What a delivery may still unpack to."""

    def __init__(self, limit: int) -> None:
        self.limit, self.left = limit, limit

    def take(self, size: int) -> bool:
        if size > self.left:
            return False
        self.left -= size
        return True

    def refusal(self, what: str) -> str:
        mb = f"{self.limit / 2**20:.0f} MB"
        return (
            f"Indsendelsen fylder over {mb}, når den er pakket ud: {what} ikke modtaget. "
            "Send resten i flere omgange."
        )


def _upload(upload: Upload, budget: _Budget, opened: contextlib.ExitStack) -> list[Part | Passed]:
    file = upload.file
    if _suffix(upload.name) == ".zip":
        file.seek(0)
        return _zip(file, upload.name, budget, opened)
    why = skip_reason(Path(base_name(upload.name)))
    if why:
        return [Passed(upload.name, why, skipped=True)]
    size = file.seek(0, 2)

    def read() -> bytes:
        file.seek(0)
        return file.read(MAX_FILE + 1)

    return [_counted(Part(upload.name, size, read), budget, "filen er")]


def _files(path: Path, names: Mapping[Path, str], budget: _Budget) -> list[Part | Passed]:
    """A file as it is, or a folder's workbooks (owner, lock and hidden files passed over,
    also by the name a file was sent under)."""
    files, skipped = collect_paths([path])
    found: list[Part | Passed] = [Passed(str(p), why, skipped=True) for p, why in skipped]
    for file in files:
        source = names.get(file, str(file))
        why = skip_reason(Path(base_name(source)))
        if why:
            found.append(Passed(source, why, skipped=True))
            continue
        try:
            size = file.stat().st_size
        except OSError as exc:
            found.append(Passed(source, f"Filen kan ikke læses ({_why(exc)})."))
            continue
        found.append(_counted(Part(source, size, _reader(file)), budget, "filen er"))
    return found


def _reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        with path.open("rb") as file:
            return file.read(MAX_FILE + 1)

    return read


def _zip(
    source: Path | IO[bytes], label: str, budget: _Budget, opened: contextlib.ExitStack
) -> list[Part | Passed]:
    """A .zip's workbooks (never unpacked to their own member paths, which may point
    anywhere); the members beyond the delivery's limit are refused together."""
    try:
        file = opened.enter_context(source.open("rb")) if isinstance(source, Path) else source
        crowded = _crowded(file)
        if crowded:
            return [Passed(label, f"{crowded} Intet i den er modtaget. Send filerne enkeltvis.")]
        archive = opened.enter_context(zipfile.ZipFile(file))
        members = [i for i in archive.infolist() if _wanted(i)]
    except _CANNOT_READ as exc:
        return [Passed(label, f"Zip-filen kan ikke læses ({_why(exc)}). Intet i den er modtaget.")]
    found: list[Part | Passed] = []
    for n, info in enumerate(members):
        name = f"{label}/{info.filename}"
        if info.file_size > MAX_FILE:
            found.append(Passed(name, _too_big(info.file_size)))
        elif not budget.take(info.file_size):
            rest = len(members) - n
            found.append(Passed(label, budget.refusal(f"{rest} af {len(members)} filer er")))
            break
        else:  # zipfile reads no more than a member's stated size
            found.append(Part(name, info.file_size, _member(archive, info)))
    return found


def _crowded(file: IO[bytes]) -> str:
    """Why a .zip's table of contents is too large to read, else "": zipfile reads all of it
    at once (a 46 MB .zip of 550,000 empty members cost 300 MB and 3 s before this check)."""
    end = zipfile._EndRecData(file)  # the same end record zipfile reads (stable for decades)
    if end is None:
        return ""  # not a .zip: zipfile says so
    count, size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if count > MAX_ZIP_MEMBERS or size > MAX_ZIP_DIRECTORY:
        return f"Zip-filen har for mange filer (højst {MAX_ZIP_MEMBERS:,}).".replace(",", ".")
    return ""


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    return lambda: archive.read(info)


def _counted(part: Part, budget: _Budget, what: str) -> Part | Passed:
    if part.size > MAX_FILE:
        return Passed(part.source, _too_big(part.size))
    if not budget.take(part.size):
        return Passed(part.source, budget.refusal(what))
    return part


def _wanted(info: zipfile.ZipInfo) -> bool:
    """A workbook member of a .zip (not a folder, owner or hidden file)."""
    name = info.filename
    if info.is_dir() or not name.lower().endswith(XLSX_SUFFIXES):
        return False
    return not base_name(name).startswith(("~$", "."))


def _too_big(size: int) -> str:
    return (
        f"Filen fylder {size / 2**20:.0f} MB; en indberetning fylder få MB, så den er ikke "
        "modtaget."
    )


def _why(exc: BaseException) -> str:
    """Why a .zip or a file could not be read, in Danish where zipfile's words are known, and
    never with a path (a message names the file as it was sent)."""
    text = str(exc)
    if isinstance(exc, zipfile.BadZipFile):
        if "CRC" in text:
            return "indholdet er beskadiget: kontrolsummen passer ikke"
        if "not a zip file" in text:
            return "det er ikke en zip-fil"
        return f"den er beskadiget: {text}"
    if isinstance(exc, RuntimeError) and "encrypted" in text:
        return "den er krypteret med en adgangskode"
    if isinstance(exc, NotImplementedError):
        return "den er pakket på en måde, der ikke kan læses"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return text or type(exc).__name__


def _suffix(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def base_name(source: str) -> str:
    """The file name at the end of a source ("arkiv.zip/tmf/tmf.xlsx" -> "tmf.xlsx")."""
    return source.replace("\\", "/").rsplit("/", 1)[-1]
