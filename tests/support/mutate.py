"""Seeded mutations of workbooks at cell level and at zip/XML level: what an attacker or an
unlucky caseworker could do to a submission. Used by the fuzz test (`tests/test_fuzz.py`)
and the long run (`benchmarks/fuzz.py`); the helpers also build `tests/hostile.py`.

`mutate(data, rng)` applies one to three mutations and returns a `Mutant`: the bytes, what
was done, and, for a mutation that put a value into a cell, where and what (so a fuzz
oracle can check that the value is either read or reported: nothing lost without a word).
"""

from __future__ import annotations

import io
import random
import re
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from bilag4xl.xlsx.parts import sheet_members

# --------------------------------------------------------------------------- zip/XML surgery


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist()}


def rezip(
    data: bytes, changes: dict[str, Callable[[bytes], bytes]], add: dict[str, bytes] | None = None
) -> bytes:
    """The workbook with some parts rewritten (`changes`: part name -> new bytes from old)
    and some added."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts(data).items():
            archive.writestr(name, changes[name](part) if name in changes else part)
        for name, part in (add or {}).items():
            archive.writestr(name, part)
    return out.getvalue()


def edit_sheet(data: bytes, sheet: str, change: Callable[[bytes], bytes]) -> bytes:
    return rezip(data, {sheet_members(data)[sheet]: change})


def set_cell(ref: str, cell: str) -> Callable[[bytes], bytes]:
    """A change putting `cell` (the XML of a <c> element) at `ref`, in its row."""

    def change(xml: bytes) -> bytes:
        new = cell.encode()
        old = re.compile(rb'<c r="%s"(?:[^>]*/>|[^>]*>.*?</c>)' % ref.encode(), re.S)
        if old.search(xml):
            return old.sub(lambda _: new, xml, count=1)
        row = re.sub(r"[A-Z]+", "", ref).encode()
        opening = re.search(rb'<row r="%s"[^>]*>' % row, xml)
        if opening:
            return xml[: opening.end()] + new + xml[opening.end() :]
        return xml.replace(b"</sheetData>", b'<row r="%s">%s</row></sheetData>' % (row, new))

    return change


def text_cell(ref: str, escaped: str) -> str:
    """An inline-string cell; `escaped` is XML text and may hold OOXML escapes (_x000B_)."""
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'


def patch_member(data: bytes, member: str, change: Callable[[bytearray, int, int], None]) -> bytes:
    """Raw bytes of the zip changed for one member: `change(data, local, central)` gets the
    offsets of its local header and of its central directory entry."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(member).header_offset
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        length = int.from_bytes(out[central + 28 : central + 30], "little")
        if out[central + 46 : central + 46 + length] == member.encode():
            break
        central = out.find(b"PK\x01\x02", central + 4)
    change(out, local, central)
    return bytes(out)


# --------------------------------------------------------------------------- mutations


@dataclass(frozen=True)
class Mutant:
    data: bytes
    kinds: tuple[str, ...]  # what was done, e.g. ("cell:error", "zip:flip")
    sheet: str | None = None  # the cell the last cell mutation wrote a value into
    cell: str | None = None
    blank: bool = False  # what it wrote there is no value (an empty or blank cell)


ERRORS = ("#REF!", "#DIV/0!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#BOGUS")
NUMBERS = ("0", "-5", "1e22", "123456789012345678901234567890", "1e308", "1e999", "0.1")
NUMBERS += ("-0", "nan", "3.14159265358979323846264338327950288", "4294967296", "12,5")
NUMBERS += ("-123456789012345678901234567890", "12345678901234567", "-1e12")
TEXTS = (
    "Unge_x000B_og forældre",
    "rød_x001B_[31m tekst_x001B_[0m",
    "navn | med &#124; rør",
    "linje 1&#10;linje 2&#13;linje 3",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "=HYPERLINK(&quot;http://x&quot;)",
    "_x0000_nul_x0007_klokke",
    "æøå ÆØÅ € 𝄞",
    " ",
    "",
)


def _random_text(rng: random.Random) -> str:
    text = rng.choice(TEXTS)
    if rng.random() < 0.1:
        text = (text or "x") * rng.choice((100, 4000, 40_000))
    return text


CELL_KINDS = ("number", "text", "bool", "error", "formula", "formula-cached", "string-ref")
CELL_KINDS += ("date", "empty", "type", "second-ref", "formula-blank")
FAR = ("XFD1048576", "AZ1048576", "IV65536", "IW1", "A65537", "ZZ999")


def _random_cell(ref: str, rng: random.Random) -> tuple[str, str, str]:
    """(kind, XML, the cell it is read as) of a random cell at `ref`."""
    kind, cell = _random_kind(ref, rng)
    if kind == "second-ref":  # a second reference in the tag: readers take the last one
        other = rng.choice((*FAR, "C60", ref))
        return kind, cell.replace(f'r="{ref}"', f'r="{ref}" r="{other}"', 1), other
    return kind, cell, ref


def _random_kind(ref: str, rng: random.Random) -> tuple[str, str]:
    """(kind, XML) of a random cell at `ref`."""
    kind = rng.choice(CELL_KINDS)
    if kind in ("number", "second-ref"):
        return kind, f'<c r="{ref}"><v>{rng.choice(NUMBERS)}</v></c>'
    if kind == "text":
        return kind, text_cell(ref, _random_text(rng))
    if kind == "bool":
        return kind, f'<c r="{ref}" t="b"><v>{rng.choice(("0", "1", "2", "x"))}</v></c>'
    if kind == "error":
        return kind, f'<c r="{ref}" t="e"><v>{rng.choice(ERRORS)}</v></c>'
    if kind == "formula-blank":  # a saved result of only whitespace
        return kind, f'<c r="{ref}" t="str"><f>REPT(" ",2)</f><v>  </v></c>'
    if kind.startswith("formula"):
        cached = "<v>7</v>" if kind == "formula-cached" else ""
        formula = rng.choice(("SUM(B8:F8)", "1/0", "A1+B1", '"a"&amp;"b"', "XLOOKUP(1,A:A,B:B)"))
        return kind, f'<c r="{ref}"><f>{formula}</f>{cached}</c>'
    if kind == "string-ref":
        return (
            kind,
            f'<c r="{ref}" t="s"><v>{rng.choice(("-1", "0", "abc", "99999", "1.5"))}</v></c>',
        )
    if kind == "date":
        return (
            kind,
            f'<c r="{ref}" t="d"><v>{rng.choice(("2009-03-25", "9999-99-99", "x"))}</v></c>',
        )
    if kind == "empty":
        return kind, f'<c r="{ref}" s="1"/>'
    odd = rng.choice(("n", "s", "str", "inlineStr", "e", "zz"))
    return kind, f'<c r="{ref}" t="{odd}"><v>12</v></c>'


def _refs(xml: bytes) -> list[str]:
    return [r.decode() for r in re.findall(rb'<c r="([A-Z]+[0-9]+)"', xml)]


def _target(xml: bytes, rng: random.Random) -> str:
    """An existing cell (mostly), one near the form, or one far away."""
    refs, roll = _refs(xml), rng.random()
    if refs and roll < 0.7:
        return rng.choice(refs)
    if roll < 0.93:
        return f"{rng.choice('ABCDEFGHIJKLMNOP')}{rng.randint(1, 60)}"
    return rng.choice(FAR)


def cell_value(data: bytes, rng: random.Random) -> Mutant:
    """A random value of a random type in a random cell of a random sheet."""
    sheets = sheet_members(data)
    sheet = rng.choice(sorted(sheets))
    xml = parts(data)[sheets[sheet]]
    ref = _target(xml, rng)
    kind, cell, read_as = _random_cell(ref, rng)
    blank = kind == "empty" or (kind == "text" and not re.search(r"<t[^>]*>\s*[^\s<]", cell))
    changed = edit_sheet(data, sheet, set_cell(ref, cell))
    return Mutant(changed, (f"cell:{kind}",), sheet, read_as, blank)


def cell_twice(data: bytes, rng: random.Random) -> Mutant:
    """An existing cell written a second time, with another value, at the end of the data."""
    sheets = sheet_members(data)
    sheet = rng.choice(sorted(sheets))
    refs = _refs(parts(data)[sheets[sheet]])
    if not refs:
        return cell_value(data, rng)
    ref = rng.choice(refs)
    row = re.sub(r"[A-Z]+", "", ref)
    extra = f'<row r="{row}"><c r="{ref}"><v>{rng.randint(1, 999)}</v></c></row></sheetData>'
    changed = edit_sheet(data, sheet, lambda x: x.replace(b"</sheetData>", extra.encode()))
    return Mutant(changed, ("cell:twice",), sheet, ref)


def metadata(data: bytes, rng: random.Random) -> Mutant:
    """A metadata key or value changed, or something typed on the metadata sheet."""
    sheets = sheet_members(data)
    name = next((s for s in sheets if s.startswith("_bilag4xl")), None)
    if name is None:
        return cell_value(data, rng)
    row = rng.randint(2, 12)
    col, value = rng.choice(
        (
            ("A", "spec_nam"),
            ("B", "[" * 5000 + "]" * 5000),
            ("B", "[" + ",".join(["null"] * 3000) + "]"),
            ("B", '["x", 1]'),
            ("B", "7"),
            ("D", "en note"),
        )
    )
    ref = f"{col}{row}"
    changed = edit_sheet(data, name, set_cell(ref, text_cell(ref, value)))
    return Mutant(changed, ("cell:metadata",), name, ref)


def flip_bytes(data: bytes, rng: random.Random) -> Mutant:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return Mutant(bytes(out), ("zip:flip",))


def truncate(data: bytes, rng: random.Random) -> Mutant:
    return Mutant(data[: rng.randrange(len(data))], ("zip:truncate",))


ZIP_FIELDS = (("version", 202), ("version", 63), ("method", 99), ("method", 12))
ZIP_FIELDS += (("flags", 1), ("flags", 8), ("flags", 0x40))


def zip_field(data: bytes, rng: random.Random) -> Mutant:
    """A member's version needed, compression method or flags changed in both headers."""
    member = rng.choice(sorted(parts(data)))
    field, value = rng.choice(ZIP_FIELDS)

    def change(out: bytearray, local: int, central: int) -> None:
        at_local, at_central = {"version": (4, 6), "method": (8, 10), "flags": (6, 8)}[field]
        for at in (local + at_local, central + at_central):
            old = int.from_bytes(out[at : at + 2], "little")
            new = old | value if field == "flags" else value
            out[at : at + 2] = struct.pack("<H", new)

    return Mutant(patch_member(data, member, change), (f"zip:{field}",))


def duplicate_member(data: bytes, rng: random.Random) -> Mutant:
    """A second member of the same name (an empty sheet) appended to the zip."""
    member = rng.choice(sorted(parts(data)))
    extra = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    extra += b'spreadsheetml/2006/main"><sheetData/></worksheet>'
    out = io.BytesIO(data)
    with warnings.catch_warnings():  # zipfile warns of the duplicate name: that is the point
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(member, extra)
    return Mutant(out.getvalue(), ("zip:duplicate",))


def remove_member(data: bytes, rng: random.Random) -> Mutant:
    member = rng.choice(sorted(parts(data)))
    kept = {n: p for n, p in parts(data).items() if n != member}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in kept.items():
            archive.writestr(name, part)
    return Mutant(out.getvalue(), ("zip:remove",))


def encoding(data: bytes, rng: random.Random) -> Mutant:
    """An XML part re-encoded (UTF-16, or declared Shift_JIS / ISO-8859-1), or declared in an
    encoding that does not exist (UTF-0)."""
    member = rng.choice([n for n in parts(data) if n.endswith((".xml", ".rels"))])
    chosen = rng.choice(("utf-16", "shift_jis", "iso-8859-1", "utf-0"))

    def change(xml: bytes) -> bytes:
        text = re.sub(r"^<\?xml[^>]*\?>", "", xml.decode("utf-8", "replace"))
        head = f'<?xml version="1.0" encoding="{chosen.upper()}"?>'
        return (head + text).encode("utf-8" if chosen == "utf-0" else chosen, "xmlcharrefreplace")

    return Mutant(rezip(data, {member: change}), (f"xml:{chosen}",))


def dtd(data: bytes, rng: random.Random) -> Mutant:
    member = rng.choice([n for n in parts(data) if n.endswith(".xml")])

    def change(xml: bytes) -> bytes:
        text = re.sub(rb"^<\?xml[^>]*\?>", b"", xml)
        return b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]>' + text

    return Mutant(rezip(data, {member: change}), ("xml:dtd",))


def deep_nesting(data: bytes, rng: random.Random) -> Mutant:
    member = rng.choice([n for n in parts(data) if n.endswith(".xml")])
    depth = rng.choice((1_000, 100_000))

    def change(xml: bytes) -> bytes:
        at = xml.rfind(b"</")
        return xml[:at] + b"<x>" * depth + b"</x>" * depth + xml[at:] if at > 0 else xml

    return Mutant(rezip(data, {member: change}), ("xml:deep",))


def prefixed(data: bytes, rng: random.Random) -> Mutant:
    """A sheet written with a namespace prefix (<x:c>), as some tools do."""
    sheets = sheet_members(data)
    member = sheets[rng.choice(sorted(sheets))]

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(sheetData|row|c|f|v|is|t)([\s>/])", rb"<\1x:\2\3", xml)
        return xml.replace(
            b"<worksheet ",
            b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
            1,
        )

    return Mutant(rezip(data, {member: change}), ("xml:prefix",))


def many_sheets(data: bytes, rng: random.Random) -> Mutant:
    """workbook.xml naming thousands of sheets (all the same part)."""
    count = rng.choice((300, 3000))

    def change(xml: bytes) -> bytes:
        rid = re.search(rb'r:id="([^"]+)"', xml)
        if rid is None:
            return xml
        ns = b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
        extra = b"".join(
            b'<sheet name="S%d" sheetId="%d"%s r:id="%s"/>' % (n, 1000 + n, ns, rid.group(1))
            for n in range(count)
        )
        return xml.replace(b"</sheets>", extra + b"</sheets>", 1)

    return Mutant(rezip(data, {"xl/workbook.xml": change}), ("xml:sheets",))


def second_sheet_data(data: bytes, rng: random.Random) -> Mutant:
    """A sheet's cells split over two <sheetData> elements (a reader may read only the first)."""
    sheets = sheet_members(data)
    sheet = rng.choice(sorted(sheets))

    def change(xml: bytes) -> bytes:
        rows = list(re.finditer(rb"<row\b", xml))
        if len(rows) < 2:
            return xml
        at = rows[rng.randrange(1, len(rows))].start()
        return xml[:at] + b"</sheetData><sheetData>" + xml[at:]

    return Mutant(edit_sheet(data, sheet, change), ("xml:sheetdata",))


def unique_count(data: bytes, rng: random.Random) -> Mutant:
    """The shared-string table claiming far more strings than it holds (a reader may
    allocate for them all)."""
    count = rng.choice((b"100000000", b"4000000000", b"99999999999999999999", b"x"))
    change = {
        "xl/sharedStrings.xml": lambda x: re.sub(
            rb'uniqueCount="[^"]*"', b'uniqueCount="%s"' % count, x
        )
    }
    return Mutant(rezip(data, change), ("xml:uniquecount",))


CELL_MUTATIONS = (cell_value, cell_value, cell_value, cell_twice, metadata)
ZIP_MUTATIONS = (flip_bytes, truncate, zip_field, duplicate_member, remove_member)
ZIP_MUTATIONS += (encoding, dtd, deep_nesting, prefixed, many_sheets, second_sheet_data)
ZIP_MUTATIONS += (unique_count,)


def mutate(data: bytes, rng: random.Random) -> Mutant:
    """One to three mutations: cell-level ones first, then at most one at zip/XML level
    (after which the file may no longer open for another)."""
    kinds: list[str] = []
    mutant = Mutant(data, ())
    for _ in range(rng.choice((1, 1, 2, 3))):
        step = rng.choice(CELL_MUTATIONS)(mutant.data, rng)
        mutant = Mutant(step.data, (*kinds, *step.kinds), step.sheet, step.cell, step.blank)
        kinds = list(mutant.kinds)
    if rng.random() < 0.4:
        step = rng.choice(ZIP_MUTATIONS)(mutant.data, rng)
        mutant = Mutant(step.data, (*kinds, *step.kinds), mutant.sheet, mutant.cell, mutant.blank)
    return mutant
