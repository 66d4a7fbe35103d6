"""Open a returned workbook safely and return its raw cells: the only place that parses xlsx.

Design (issue 5): python-calamine reads every cell value (the fast floor); this module adds
only what calamine cannot see, from the raw parts: sheet order and state (`xl/workbook.xml`,
parsed with defusedxml), sheet protection and the text of formula cells (a byte scan of each
worksheet, shared formulas expanded). openpyxl is never imported here (~170 ms).

Safety before parsing: the magic bytes say what the file really is (an encrypted or old .xls
OLE container, a renamed CSV, an .ods); a zip's declared sizes and ratios are checked before
anything is inflated, and every part is inflated by zipfile (which stops at the declared size
and checks the CRC) before calamine sees it, so calamine only ever inflates verified parts.
Parts with a DTD are refused: spreadsheets never use one, and it is how XML bombs and
external entities arrive.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bilag4xl.errors import UnreadableFileError
from bilag4xl.xlsx import limits as excel

CellValue = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument"

# Limits far above any real submission (a 50-initiative workbook inflates to a few MB).
MAX_FILE_BYTES = 100 * 2**20
MAX_MEMBERS = 5_000
MAX_TOTAL_INFLATED = 256 * 2**20
MAX_MEMBER_INFLATED = 128 * 2**20
MAX_RATIO = 200  # inflated / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 2**20

_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_FORMULA = re.compile(rb"<f\b([^>]*?)(?:/>|>([^<]*)</f>)")
_ATTR = re.compile(rb"\b(t|si|ref)=\"([^\"]*)\"")
_PROTECTION = re.compile(rb"<sheetProtection\b([^>]*)>")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")  # one pass over a part, not one per keyword
_PROTECTED = re.compile(rb"\bsheet=\"(?:1|true)\"")
_REF = re.compile(
    r"(\"[^\"]*\"|'(?:[^']|'')*')"  # string literals and quoted sheet names: left alone
    r"|(?<![A-Za-z0-9_.])(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![A-Za-z0-9_(])"
)


class UnreadableWorkbook(UnreadableFileError):
    """A file that cannot be read as a workbook; `code` is a messages.CATALOGUE slug."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(f"{code}: {params}" if params else code)
        self.code = code
        self.params = params


@dataclass
class RawSheet:
    """One worksheet's cells by absolute 0-based position, its formulas and protection."""

    name: str
    state: str  # visible, hidden or veryHidden
    rows: list[list[CellValue]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # without "="
    protected: bool = False

    def value(self, row: int, col: int) -> CellValue:
        """The cell's value; '' when empty or outside the used range."""
        if row < len(self.rows):
            cells = self.rows[row]
            if col < len(cells):
                return cells[col]
        return ""

    def filled(self) -> Iterator[tuple[int, int, CellValue]]:
        """Every non-empty cell (whitespace-only text counts as empty)."""
        for r, cells in enumerate(self.rows):
            for c, v in enumerate(cells):
                if v != "" and not (isinstance(v, str) and not v.strip()):
                    yield r, c, v


@dataclass
class RawWorkbook:
    sheets: list[RawSheet]
    sha256: str
    macros: bool = False

    def sheet(self, name: str) -> RawSheet | None:
        return next((s for s in self.sheets if s.name == name), None)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sheets]


def read_workbook(path: str | Path) -> RawWorkbook:
    """Read a file (see module docstring); raises UnreadableWorkbook with a catalogue code."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableWorkbook("zip-bomb", reason=f"filen fylder {size // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableWorkbook("file-error", reason=exc.strerror or str(exc)) from exc
    try:
        return read_bytes(data)
    except UnreadableWorkbook as exc:
        if exc.code == "text-file" and path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise UnreadableWorkbook("csv-file") from None  # not renamed: named as what it is
        raise


def read_bytes(data: bytes) -> RawWorkbook:
    """Read a workbook from its bytes."""
    _sniff(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise UnreadableWorkbook("corrupt", reason=f"zip: {exc}") from exc
    with archive:
        parts = _inflate_checked(archive, data)
        macros = "xl/vbaProject.bin" in archive.NameToInfo
    workbook = _sheet_parts(parts)
    values = _calamine_values(data, [name for name, _, _ in workbook])
    sheets = []
    for name, state, part in workbook:
        xml = parts.get(part, b"")
        sheets.append(RawSheet(name, state, values[name], _formulas(xml), _is_protected(xml)))
    macros = macros or b"macroEnabled" in parts.get("[Content_Types].xml", b"")
    return RawWorkbook(sheets, hashlib.sha256(data).hexdigest(), macros)


def _sniff(data: bytes) -> None:
    """Name what the file really is when it is not an xlsx zip."""
    if data.startswith(OLE_MAGIC):
        code = "encrypted" if ENCRYPTION_STREAM in data else "xls"
        raise UnreadableWorkbook(code)
    if data.startswith(ZIP_MAGIC):
        return
    if not data.strip():
        raise UnreadableWorkbook("not-a-spreadsheet")
    head = data[:4096]
    printable = sum(b >= 32 or b in b"\t\r\n" for b in head)
    text = b"\x00" not in head and printable >= 0.95 * len(head)
    raise UnreadableWorkbook("text-file" if text else "not-a-spreadsheet")


def _inflate_checked(archive: zipfile.ZipFile, data: bytes) -> dict[str, bytes]:
    """Check declared sizes, then inflate the XML parts a reader uses (bounded, CRC-checked)."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UnreadableWorkbook("zip-bomb", reason=f"{len(infos)} dele")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_INFLATED:
        raise UnreadableWorkbook("zip-bomb", reason=f"{total // 2**20} MB udpakket")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_INFLATED or (
            info.file_size > RATIO_FLOOR and ratio > MAX_RATIO
        ):
            raise UnreadableWorkbook(
                "zip-bomb", reason=f"{info.filename}: {info.file_size // 2**20} MB, {ratio:.0f}:1"
            )
    names = archive.NameToInfo
    if "mimetype" in names and archive.read("mimetype").startswith(ODS_MIMETYPE):
        raise UnreadableWorkbook("ods")
    if "xl/workbook.bin" in names:
        raise UnreadableWorkbook("xlsb")
    if "xl/workbook.xml" not in names:
        raise UnreadableWorkbook("not-a-spreadsheet")
    parts: dict[str, bytes] = {}
    for info in infos:
        if info.filename.startswith(_UNREAD_PARTS) or not info.filename.endswith(_XML_PARTS):
            continue
        part = _inflate(data, info)
        if _DTD.search(part):
            raise UnreadableWorkbook("unsafe-xml", part=info.filename)
        parts[info.filename] = part
    return parts


_XML_PARTS = (".xml", ".rels")
_UNREAD_PARTS = ("docProps/", "xl/theme/", "customXml/", "xl/printerSettings/")  # nobody reads


def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """One member's bytes: never more than its declared size, CRC checked.

    zlib directly rather than ZipFile.read: the same checks at a fraction of the overhead.
    """
    name = info.filename
    header = data[info.header_offset : info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04" or info.flag_bits & 1:
        raise UnreadableWorkbook("corrupt", reason=f"{name}: ugyldigt lokalt hoved")
    start = info.header_offset + 30 + int.from_bytes(header[26:28], "little")
    start += int.from_bytes(header[28:30], "little")
    raw = data[start : start + info.compress_size]
    try:
        if info.compress_type == zipfile.ZIP_STORED:
            part = raw[: info.file_size]
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-15)
            part = inflater.decompress(raw, info.file_size + 1)
        else:
            raise UnreadableWorkbook("corrupt", reason=f"{name}: ukendt komprimering")
    except zlib.error as exc:
        raise UnreadableWorkbook("corrupt", reason=f"{name}: {exc}") from exc
    if len(part) != info.file_size or zlib.crc32(part) != info.CRC:
        raise UnreadableWorkbook("corrupt", reason=f"{name}: størrelse eller CRC passer ikke")
    return part


def _sheet_parts(parts: dict[str, bytes]) -> list[tuple[str, str, str]]:
    """(name, state, part path) of each worksheet, in workbook order (parsed with defusedxml)."""
    targets = {
        attrs.get("Id", ""): attrs.get("Target", "")
        for attrs in _elements(parts.get("xl/_rels/workbook.xml.rels", b"<r/>"), "Relationship")
    }
    out = []
    for attrs in _elements(parts["xl/workbook.xml"], "sheet"):
        target = targets.get(attrs.get(f"{{{_NS_R}}}id", ""), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out.append((attrs.get("name", ""), attrs.get("state", "visible"), posixpath.normpath(part)))
    return out


class _Collect:
    """An XMLParser target that keeps only the attributes of one element (no tree is built)."""

    def __init__(self, local: str) -> None:
        self.local, self.found = local, []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag.rpartition("}")[2] == self.local:
            self.found.append(attrs)

    def close(self) -> list[dict[str, str]]:
        return self.found


def _elements(xml: bytes, local: str) -> list[dict[str, str]]:
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    parser = DefusedXMLParser(target=_Collect(local))
    try:
        parser.feed(xml)
        return parser.close()
    except ParseError as exc:
        raise UnreadableWorkbook("corrupt", reason=f"workbook.xml: {exc}") from exc


def _calamine_values(data: bytes, names: list[str]) -> dict[str, list[list[CellValue]]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in names
        }
    except Exception as exc:  # calamine raises its own error types for damaged parts
        raise UnreadableWorkbook("corrupt", reason=str(exc).splitlines()[0][:120]) from exc


def _is_protected(xml: bytes) -> bool:
    match = _PROTECTION.search(xml)
    return bool(match and _PROTECTED.search(match.group(1)))


def _formulas(xml: bytes) -> dict[tuple[int, int], str]:
    """Formula text by (row, col); shared formulas expanded relative to their master."""
    out: dict[tuple[int, int], str] = {}
    masters: dict[bytes, tuple[int, int, str]] = {}
    for match in _FORMULA.finditer(xml):
        # <f> is the first child of its <c>, so the nearest "<c " before it is the cell's tag.
        end = match.start()
        start = xml.rfind(b"<c ", 0, end)
        ref_at = xml.find(b' r="', start, end) + 4
        if start < 0 or ref_at < 4 or xml.find(b">", start, end) != xml.rfind(b">", start, end):
            continue  # a formula outside a cell (e.g. in a validation)
        row, col = _cell(xml[ref_at : xml.find(b'"', ref_at, end)])
        attributes, body = match.groups()
        text = _unescape(body.decode("utf-8")) if body else ""
        if b"shared" in attributes:
            attrs = dict(_ATTR.findall(attributes))
            si = attrs.get(b"si", b"")
            if text:
                masters[si] = (row, col, text)
            elif si in masters:
                mrow, mcol, master = masters[si]
                text = shift_formula(master, row - mrow, col - mcol)
        out[(row, col)] = text
    return out


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    if "&#" in text:
        return html.unescape(text)
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


_ENTITIES = (("&quot;", '"'), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@functools.lru_cache(maxsize=4096)
def _cell(ref: bytes) -> tuple[int, int]:
    try:
        return excel.parse_ref(ref.decode())
    except (ValueError, UnicodeDecodeError):
        return (-1, -1)  # not a reference: kept apart from every real cell


def shift_formula(formula: str, rows: int, cols: int) -> str:
    """Move a formula's relative references (as Excel does when it shares one formula)."""

    def move(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1)
        dcol, letters, drow, digits = match.group(2, 3, 4, 5)
        row, col = excel.parse_ref(letters + digits)
        row += 0 if drow else rows
        col += 0 if dcol else cols
        return f"{dcol}{excel.col_letter(col)}{drow}{row + 1}"

    return _REF.sub(move, formula)
