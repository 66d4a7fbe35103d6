"""Minimised hostile and broken files, one readable function per class of the fuzz findings.

Each starts from a valid filled submission (`valid`) and changes one thing, at cell level or
at zip/XML level, so a reviewer sees exactly what is malformed. Every function writes the
file into `folder` and returns its path; `REPRODUCERS` lists them with the issue code the
file must end with (None: the file is valid and must read, e.g. texts the annex must cope
with).
"""

from __future__ import annotations

import functools
import re
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path

from bilag4xl.form.layout import plan
from bilag4xl.form.spec import default_spec_text, load_spec
from bilag4xl.template.writer import build
from bilag4xl.xlsx.parts import sheet_members
from filled import SPEC, filled, layout_for, valid_values
from support.fill import fill_template
from support.mutate import edit_sheet, parts, patch_member, rezip, set_cell, text_cell

SHEET0 = "1. Aftaler om fleksibel udlejn…"  # the first initiative's sheet (TMF template)
AMOUNT, TEXT = "B8", "B13"  # its 2008 amount and its target group (a long text)
WORKBOOK, SHARED_STRINGS = "xl/workbook.xml", "xl/sharedStrings.xml"
COVER, DATE = "Forside", "B16"  # the cover sheet and its date (a cell formatted as a date)
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_KEEP = tempfile.TemporaryDirectory(prefix="bilag4xl-hostile-")


@functools.cache
def valid(spare: bool = False) -> bytes:
    """A valid filled TMF submission (3 initiatives; with `spare`, a 4th on a spare sheet
    named "Indsats 4 navn")."""
    values = valid_values()
    if spare:
        values |= valid_values(1, first=3) | {"initiatives.3.name": "Indsats 4 navn"}
    name = f"valid{int(spare)}.xlsx"
    return filled(Path(_KEEP.name), values, name=name, blank=1 if spare else None).read_bytes()


@functools.cache
def written() -> bytes:
    """The valid submission as bilag4xl itself writes it (shared strings, no inline ones)."""
    return build(layout_for(), valid_values())


# A round of many departments with the TMF initiatives, so that every reproducer of a merge
# can be a department of its own (one department's second file would only be a duplicate).
ROUND_DEPARTMENTS = 48


def department(n: int) -> str:
    return f"Afdeling {n:02d}"


@functools.cache
def round_spec_path() -> Path:
    text = default_spec_text()
    blocks = re.split(r"(?m)^(?=\[)", text)
    kept = [b for b in blocks if not b.startswith("[[round.departments]]")]
    names = ", ".join(f'"{n}"' for n in SPEC.round.departments[0].initiatives)
    extra = [
        f'[[round.departments]]\nname = "{department(n)}"\ninitiatives = [{names}]\n'
        for n in range(ROUND_DEPARTMENTS)
    ]
    path = Path(_KEEP.name, "round.toml")
    path.write_text("".join(kept) + "\n" + "\n".join(extra), "utf-8")
    return path


@functools.cache
def valid_for(n: int) -> bytes:
    """A valid submission of department n of the round spec, with a spare 4th initiative."""
    spec = load_spec(round_spec_path())
    layout = plan(spec, department(n), [*spec.round.departments[n].initiatives, None])
    values = valid_values() | valid_values(1, first=3) | {"initiatives.3.name": "Indsats 4 navn"}
    path = Path(_KEEP.name, f"round{n}.xlsx")
    return fill_template(build(layout), values, path, spec).read_bytes()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / f"{name}.xlsx"
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- the process dies


def far_cell(folder: Path, base: bytes | None = None) -> Path:
    """A value at XFD1048576, the last cell of a sheet: calamine would allocate ~550 GB."""
    data = edit_sheet(
        base or valid(), SHEET0, set_cell("XFD1048576", '<c r="XFD1048576"><v>1</v></c>')
    )
    return write(folder, "far_cell", data)


def far_cell_az(folder: Path, base: bytes | None = None) -> Path:
    """A value at AZ1048576: calamine would allocate ~2.2 GB."""
    data = edit_sheet(
        base or valid(), SHEET0, set_cell("AZ1048576", '<c r="AZ1048576"><v>1</v></c>')
    )
    return write(folder, "far_cell_az", data)


def second_reference(folder: Path, base: bytes | None = None) -> Path:
    """A cell tag with a second reference: calamine reads the last, AZ1048576 (and panics
    on XFD1048576), where a scan reading the first saw B8."""
    cell = f'<c r="{AMOUNT}" r="AZ1048576"><v>5</v></c>'
    data = edit_sheet(base or valid(), SHEET0, set_cell(AMOUNT, cell))
    return write(folder, "second_reference", data)


def junk_cells(folder: Path, base: bytes | None = None) -> Path:
    """260,000 cells of junk below the form (beyond the 250,000 a file may hold)."""
    rows = b"".join(
        b'<row r="%d"><c r="Z%d"><v>1</v></c></row>' % (r, r) for r in range(60, 260_060)
    )
    data = edit_sheet(
        base or valid(), SHEET0, lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>")
    )
    return write(folder, "junk_cells", data)


def unique_count_huge(folder: Path, base: bytes | None = None) -> Path:
    """A shared-string table claiming 10^9 strings (uniqueCount): calamine reserved room for
    them first, ~24 GB, and the process aborted; the file is otherwise valid."""
    data = base or written()
    if SHARED_STRINGS not in parts(data):
        data = _with_sst(data)
    count = re.compile(rb'uniqueCount="[0-9]+"')
    data = rezip(data, {SHARED_STRINGS: lambda x: count.sub(b'uniqueCount="1000000000"', x)})
    return write(folder, "unique_count_huge", data)


# --------------------------------------------------------------------------- it hangs


def shared_formula_left(folder: Path, base: bytes | None = None) -> Path:
    """A shared formula whose later cell lies left of its master cell (moving its
    references off the sheet looped for ever)."""
    row = (
        b'<row r="40"><c r="K40"><f t="shared" ref="H40:K40" si="7">A1+B1</f><v>2</v></c>'
        b'<c r="H40"><f t="shared" si="7"/><v>2</v></c></row></sheetData>'
    )
    data = edit_sheet(base or valid(), SHEET0, lambda x: x.replace(b"</sheetData>", row))
    return write(folder, "shared_formula_left", data)


def many_spare_sheets(folder: Path, base: bytes | None = None) -> Path:
    """The metadata sheet claims 5,000 spare initiative sheets (planning them took > 25 s)."""
    many = "[" + ",".join(["null"] * 5000) + "]"
    return write(folder, "many_spare_sheets", _meta_value(base or valid(), "initiatives", many))


def many_sheets(folder: Path, base: bytes | None = None) -> Path:
    """The workbook lists 300 sheets (the largest template has 205): refused before any is
    read, since each sheet is work for the reader."""
    extra = "".join(
        f'<sheet xmlns:r="{_NS_R}" name="Ark{n}" sheetId="{1000 + n}" r:id="rIdX{n}"/>'
        for n in range(300)
    ).encode()
    data = rezip(
        base or valid(), {WORKBOOK: lambda x: x.replace(b"</sheets>", extra + b"</sheets>")}
    )
    return write(folder, "many_sheets", data)


# --------------------------------------------------------------------------- tracebacks


def huge_amount(folder: Path, base: bytes | None = None) -> Path:
    """An amount of 1e22 (formatting it for the message raised decimal.InvalidOperation)."""
    data = edit_sheet(base or valid(), SHEET0, set_cell(AMOUNT, f'<c r="{AMOUNT}"><v>1e22</v></c>'))
    return write(folder, "huge_amount", data)


def metadata_key_renamed(folder: Path, base: bytes | None = None) -> Path:
    """The metadata key spec_name renamed (KeyError: 'spec_name')."""
    return write(
        folder, "metadata_key_renamed", _meta_key(base or valid(), "spec_name", "spec_nam")
    )


def metadata_deep_json(folder: Path, base: bytes | None = None) -> Path:
    """The initiatives JSON nested 100,000 deep (RecursionError)."""
    deep = "[" * 100_000 + "]" * 100_000
    return write(folder, "metadata_deep_json", _meta_value(base or valid(), "initiatives", deep))


def workbook_utf16(folder: Path, base: bytes | None = None) -> Path:
    """xl/workbook.xml in UTF-16 (ValueError: multi-byte encodings are not supported)."""
    data = rezip(base or valid(), {"xl/workbook.xml": _in_encoding("utf-16")})
    return write(folder, "workbook_utf16", data)


def workbook_shift_jis(folder: Path, base: bytes | None = None) -> Path:
    """xl/workbook.xml declared as Shift_JIS."""
    data = rezip(base or valid(), {"xl/workbook.xml": _in_encoding("shift_jis")})
    return write(folder, "workbook_shift_jis", data)


def workbook_unknown_encoding(folder: Path, base: bytes | None = None) -> Path:
    """xl/workbook.xml declared in an encoding no one knows, UTF-0 (LookupError where the
    consolidated workbook is told apart from a submission)."""

    def change(xml: bytes) -> bytes:
        return b'<?xml version="1.0" encoding="UTF-0"?>' + re.sub(rb"^<\?xml[^>]*\?>", b"", xml)

    return write(folder, "workbook_unknown_encoding", rezip(base or valid(), {WORKBOOK: change}))


def dtd_in_utf16(folder: Path, base: bytes | None = None) -> Path:
    """A DTD in a UTF-16 workbook.xml: the byte check for DTDs did not see it, defusedxml's
    EntitiesForbidden escaped as a traceback."""

    def change(xml: bytes) -> bytes:
        text = re.sub(r"^<\?xml[^>]*\?>", "", xml.decode())
        dtd = '<!DOCTYPE w [<!ENTITY x "x">]>'
        return ('<?xml version="1.0" encoding="UTF-16"?>' + dtd + text).encode("utf-16")

    return write(folder, "dtd_in_utf16", rezip(base or valid(), {"xl/workbook.xml": change}))


def zip_version_20_2(folder: Path, base: bytes | None = None) -> Path:
    """A member that needs zip version 20.2 to extract (zipfile: NotImplementedError)."""

    def change(out: bytearray, local: int, central: int) -> None:
        out[local + 4 : local + 6] = struct.pack("<H", 202)
        out[central + 6 : central + 8] = struct.pack("<H", 202)

    return write(
        folder, "zip_version_20_2", patch_member(base or valid(), "xl/workbook.xml", change)
    )


def unknown_compression(folder: Path, base: bytes | None = None) -> Path:
    """A member compressed with an unknown method (99)."""

    def change(out: bytearray, local: int, central: int) -> None:
        out[local + 8 : local + 10] = struct.pack("<H", 99)
        out[central + 10 : central + 12] = struct.pack("<H", 99)

    return write(
        folder, "unknown_compression", patch_member(base or valid(), "xl/workbook.xml", change)
    )


def encrypted_member(folder: Path, base: bytes | None = None) -> Path:
    """A member with the zip encryption flag set (zipfile: RuntimeError, password required)."""

    def change(out: bytearray, local: int, central: int) -> None:
        out[local + 6] |= 1
        out[central + 8] |= 1

    return write(
        folder, "encrypted_member", patch_member(base or valid(), "xl/workbook.xml", change)
    )


def broken_deflate(folder: Path, base: bytes | None = None) -> Path:
    """The deflate stream of workbook.xml cut short (zlib.error)."""

    def change(out: bytearray, local: int, central: int) -> None:
        start = local + 30 + int.from_bytes(out[local + 26 : local + 28], "little")
        start += int.from_bytes(out[local + 28 : local + 30], "little")
        out[start : start + 2] = b"\xff\xff"  # an invalid block type

    return write(folder, "broken_deflate", patch_member(base or valid(), "xl/workbook.xml", change))


# --------------------------------------------------------------------------- values lost


def error_in_input(folder: Path, base: bytes | None = None) -> Path:
    """#REF! in an amount input (read as an empty cell)."""
    cell = f'<c r="{AMOUNT}" t="e"><v>#REF!</v></c>'
    return write(
        folder, "error_in_input", edit_sheet(base or valid(), SHEET0, set_cell(AMOUNT, cell))
    )


def error_outside(folder: Path, base: bytes | None = None) -> Path:
    """#DIV/0! outside the inputs (read as an empty cell)."""
    cell = '<c r="J5" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    return write(folder, "error_outside", edit_sheet(base or valid(), SHEET0, set_cell("J5", cell)))


def formula_in_input(folder: Path, base: bytes | None = None) -> Path:
    """A formula typed into an input, saved with its result (the result is read)."""
    cell = f'<c r="{TEXT}" t="str"><f>"Borgere i "&amp;"Valby"</f><v>Borgere i Valby</v></c>'
    data = edit_sheet(base or valid(), SHEET0, set_cell(TEXT, cell))
    return write(folder, "formula_in_input", data)


def formula_in_input_uncached(folder: Path, base: bytes | None = None) -> Path:
    """A formula typed into an input, saved without its result (read as an empty cell)."""
    cell = f'<c r="{TEXT}"><f>"Borgere i "&amp;"Valby"</f></c>'
    data = edit_sheet(base or valid(), SHEET0, set_cell(TEXT, cell))
    return write(folder, "formula_in_input_uncached", data)


def formula_outside_uncached(folder: Path, base: bytes | None = None) -> Path:
    """A formula outside the inputs, saved without its result."""
    cell = '<c r="J6"><f>SUM(B8:E8)*2</f></c>'
    return write(
        folder,
        "formula_outside_uncached",
        edit_sheet(base or valid(), SHEET0, set_cell("J6", cell)),
    )


def duplicate_cell(folder: Path, base: bytes | None = None) -> Path:
    """The 2008 amount written twice in the sheet XML, 100 and 900 (which value counts?)."""

    def change(xml: bytes) -> bytes:
        xml = set_cell(AMOUNT, f'<c r="{AMOUNT}"><v>100</v></c>')(xml)
        return xml.replace(
            b"</sheetData>", b'<row r="8"><c r="B8"><v>900</v></c></row></sheetData>'
        )

    return write(folder, "duplicate_cell", edit_sheet(base or valid(), SHEET0, change))


def duplicate_formula_cell(folder: Path, base: bytes | None = None) -> Path:
    """A total (a formula, saved without its result) written again as a plain value: calamine
    reads the value, the formula check sees the formula."""
    extra = b'<row r="8"><c r="G8"><v>999</v></c></row></sheetData>'
    data = edit_sheet(base or valid(), SHEET0, lambda x: x.replace(b"</sheetData>", extra))
    return write(folder, "duplicate_formula_cell", data)


def metadata_error_value(folder: Path, base: bytes | None = None) -> Path:
    """An error value on the metadata sheet (read as an empty cell)."""
    cell = '<c r="E7" t="e"><v>#N/A</v></c>'
    data = edit_sheet(base or valid(), "_bilag4xl", set_cell("E7", cell))
    return write(folder, "metadata_error_value", data)


def metadata_extra_value(folder: Path, base: bytes | None = None) -> Path:
    """A note typed into the hidden metadata sheet."""
    cell = text_cell("D3", "Husk at sende kopi til borgmesteren")
    return write(
        folder,
        "metadata_extra_value",
        edit_sheet(base or valid(), "_bilag4xl", set_cell("D3", cell)),
    )


def metadata_spec_version_edited(folder: Path, base: bytes | None = None) -> Path:
    """spec_version edited in the metadata sheet (validated clean)."""
    return write(
        folder, "metadata_spec_version_edited", _meta_value(base or valid(), "spec_version", "7")
    )


# --------------------------------------------------------------------------- values changed


def rich_text_space(folder: Path, base: bytes | None = None) -> Path:
    """A shared string of three runs, "Unge", " ", "mødre": the middle run's whitespace
    without xml:space="preserve" was dropped ("Ungemødre")."""
    data = edit_sheet(
        _with_sst(base or valid()), SHEET0, set_cell(TEXT, f'<c r="{TEXT}" t="s"><v>0</v></c>')
    )
    return write(folder, "rich_text_space", data)


def string_index_negative(folder: Path, base: bytes | None = None) -> Path:
    """A shared-string reference of -1 (read as the first string)."""
    cell = f'<c r="{TEXT}" t="s"><v>-1</v></c>'
    data = edit_sheet(_with_sst(base or valid()), SHEET0, set_cell(TEXT, cell))
    return write(folder, "string_index_negative", data)


def _with_sst(data: bytes) -> bytes:
    """The workbook with a shared-string table of one rich-text string (openpyxl writes
    inline strings)."""
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><r><t>Unge</t></r><r><rPr><b/></rPr><t> </t></r><r><t>m\xc3\xb8dre'
        b"</t></r></si></sst>"
    )
    ctype = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    rel = (
        b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    )
    return rezip(
        data,
        {
            "[Content_Types].xml": lambda x: x.replace(b"</Types>", ctype),
            "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>", rel),
        },
        add={"xl/sharedStrings.xml": sst},
    )


def inline_string_without_text(folder: Path, base: bytes | None = None) -> Path:
    """An inline string whose value stands in <v> instead of <is> (read as nothing)."""
    cell = f'<c r="{TEXT}" t="inlineStr"><v>Unge</v></c>'
    data = edit_sheet(base or written(), SHEET0, set_cell(TEXT, cell))
    return write(folder, "inline_string_without_text", data)


def long_number(folder: Path, base: bytes | None = None) -> Path:
    """A 30-digit amount (rounded to a double's 17 digits without a word)."""
    cell = f'<c r="{AMOUNT}"><v>123456789012345678901234567890</v></c>'
    return write(folder, "long_number", edit_sheet(base or valid(), SHEET0, set_cell(AMOUNT, cell)))


def long_number_negative(folder: Path, base: bytes | None = None) -> Path:
    """The 30-digit amount negative in the cover's date, a cell formatted as a date: calamine
    made a duration of it, beyond what one holds, and panicked (the file was refused as
    damaged; the same number positive is read and reported)."""
    cell = f'<c r="{DATE}" s="{_date_style(base or valid())}"><v>-{"1234567890" * 3}</v></c>'
    data = edit_sheet(base or valid(), COVER, set_cell(DATE, cell))
    return write(folder, "long_number_negative", data)


def seventeen_digits(folder: Path, base: bytes | None = None) -> Path:
    """A 17-digit integer in a text field: a double holds it as ...568, read without a word
    (the check started at 18 digits)."""
    cell = f'<c r="{TEXT}"><v>12345678901234567</v></c>'
    data = edit_sheet(base or valid(), SHEET0, set_cell(TEXT, cell))
    return write(folder, "seventeen_digits", data)


def formula_blank_in_input(folder: Path, base: bytes | None = None) -> Path:
    """A formula in a text input whose saved result is a space (read as an empty field)."""
    cell = f'<c r="{TEXT}" t="str"><f>" "</f><v> </v></c>'
    data = edit_sheet(base or valid(), SHEET0, set_cell(TEXT, cell))
    return write(folder, "formula_blank_in_input", data)


def formula_blank_outside(folder: Path, base: bytes | None = None) -> Path:
    """A formula outside the inputs whose saved result is three spaces (not reported)."""
    cell = '<c r="J6" t="str"><f>REPT(" ",3)</f><v>   </v></c>'
    data = edit_sheet(base or valid(), SHEET0, set_cell("J6", cell))
    return write(folder, "formula_blank_outside", data)


def metadata_formula_blank(folder: Path, base: bytes | None = None) -> Path:
    """A formula typed into the hidden metadata sheet, saved with a blank result."""
    cell = '<c r="F9" t="str"><f>REPT(" ",2)</f><v>  </v></c>'
    data = edit_sheet(base or valid(), "_bilag4xl", set_cell("F9", cell))
    return write(folder, "metadata_formula_blank", data)


def second_sheet_data(folder: Path, base: bytes | None = None) -> Path:
    """A second <sheetData> after the first, with the 2009 amount and a note outside the form:
    calamine reads only the first, so both were lost without a word."""
    extra = (
        b'</sheetData><sheetData><row r="8"><c r="C8"><v>200</v></c></row>'
        b'<row r="50"><c r="J50" t="inlineStr"><is><t>Husk bilag</t></is></c></row></sheetData>'
    )
    data = edit_sheet(base or valid(), SHEET0, lambda x: x.replace(b"</sheetData>", extra, 1))
    return write(folder, "second_sheet_data", data)


def _date_style(data: bytes) -> str:
    """The style of the cover's date cell (a date format) in this workbook."""
    xml = parts(data)[sheet_members(data)[COVER]]
    found = re.search(rb'<c r="%s" s="([0-9]+)"' % DATE.encode(), xml)
    assert found is not None
    return found.group(1).decode()


def long_text(folder: Path, base: bytes | None = None) -> Path:
    """A text of 40,000 characters, more than a cell holds (feedback wrote no file)."""
    cell = text_cell(TEXT, "Lang tekst. " * 3_334)
    return write(folder, "long_text", edit_sheet(base or valid(), SHEET0, set_cell(TEXT, cell)))


# --------------------------------------------------------------------------- texts for the annex


def vertical_tab_text(folder: Path, base: bytes | None = None) -> Path:
    """A vertical tab (Word's manual line break, pasted) in a text field: valid in a workbook,
    not in a .docx."""
    cell = text_cell(TEXT, "Unge_x000B_og deres forældre_x0007_")
    return write(
        folder, "vertical_tab_text", edit_sheet(base or valid(), SHEET0, set_cell(TEXT, cell))
    )


def newline_in_name(folder: Path, base: bytes | None = None) -> Path:
    """An initiative name typed with a line break and a pipe on a spare sheet."""
    ref = layout_for(blank=1).input("initiatives.3.name").pos.ref
    cell = text_cell(ref, "Sprogcafé | fase 1&#10;og fase 2")
    data = edit_sheet(base or valid(spare=True), "Indsats 4", set_cell(ref, cell))
    return write(folder, "newline_in_name", data)


def ansi_escape(folder: Path, base: bytes | None = None) -> Path:
    """An ANSI escape sequence in a text field (it reached the terminal raw)."""
    cell = text_cell(TEXT, "_x001B_[2J_x001B_[31mRØD TEKST_x001B_[0m")
    return write(folder, "ansi_escape", edit_sheet(base or valid(), SHEET0, set_cell(TEXT, cell)))


# --------------------------------------------------------------------------- helpers


def _meta_row(data: bytes, key: str) -> int:
    """The 1-based row of a metadata key (as the template writes them)."""
    keys = list(layout_for().metadata())
    return keys.index(key) + 2


def _meta_value(data: bytes, key: str, value: str) -> bytes:
    ref = f"B{_meta_row(data, key)}"
    escaped = value.replace("&", "&amp;").replace("<", "&lt;")
    return edit_sheet(data, "_bilag4xl", set_cell(ref, text_cell(ref, escaped)))


def _meta_key(data: bytes, key: str, new: str) -> bytes:
    ref = f"A{_meta_row(data, key)}"
    return edit_sheet(data, "_bilag4xl", set_cell(ref, text_cell(ref, new)))


def _in_encoding(encoding: str) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        text = re.sub(r"^<\?xml[^>]*\?>", "", xml.decode())
        declared = encoding.upper().replace("_", "-") if encoding != "utf-16" else "UTF-16"
        xml = f'<?xml version="1.0" encoding="{declared}"?>' + text
        return xml.encode(encoding, "xmlcharrefreplace")

    return change


REPRODUCERS: dict[str, tuple[Callable[[Path], Path], str | None]] = {
    "far_cell": (far_cell, "cell-out-of-bounds"),
    "far_cell_az": (far_cell_az, "cell-out-of-bounds"),
    "second_reference": (second_reference, "cell-out-of-bounds"),
    "junk_cells": (junk_cells, "too-many-cells"),
    "many_sheets": (many_sheets, "too-many-sheets"),
    "unique_count_huge": (unique_count_huge, None),
    "shared_formula_left": (shared_formula_left, "value-outside-inputs"),
    "many_spare_sheets": (many_spare_sheets, "metadata-invalid"),
    "huge_amount": (huge_amount, "amount-too-large"),
    "metadata_key_renamed": (metadata_key_renamed, "metadata-changed"),
    "metadata_deep_json": (metadata_deep_json, "metadata-invalid"),
    "workbook_utf16": (workbook_utf16, "xml-encoding"),
    "workbook_shift_jis": (workbook_shift_jis, "xml-encoding"),
    "dtd_in_utf16": (dtd_in_utf16, "xml-encoding"),
    "workbook_unknown_encoding": (workbook_unknown_encoding, "xml-encoding"),
    "zip_version_20_2": (zip_version_20_2, "corrupt"),
    "unknown_compression": (unknown_compression, "corrupt"),
    "encrypted_member": (encrypted_member, "corrupt"),
    "broken_deflate": (broken_deflate, "corrupt"),
    "error_in_input": (error_in_input, "input-error-value"),
    "error_outside": (error_outside, "value-outside-inputs"),
    "formula_in_input": (formula_in_input, "input-formula"),
    "formula_in_input_uncached": (formula_in_input_uncached, "input-formula-uncached"),
    "formula_outside_uncached": (formula_outside_uncached, "value-outside-inputs"),
    "duplicate_cell": (duplicate_cell, "cell-duplicate"),
    "duplicate_formula_cell": (duplicate_formula_cell, "cell-duplicate"),
    "metadata_extra_value": (metadata_extra_value, "metadata-extra"),
    "metadata_error_value": (metadata_error_value, "metadata-extra"),
    "metadata_spec_version_edited": (metadata_spec_version_edited, "metadata-changed"),
    "rich_text_space": (rich_text_space, None),
    "string_index_negative": (string_index_negative, "string-ref-invalid"),
    "inline_string_without_text": (inline_string_without_text, "string-ref-invalid"),
    "long_number": (long_number, "number-precision"),
    "long_number_negative": (long_number_negative, "date-invalid"),
    "seventeen_digits": (seventeen_digits, "number-precision"),
    "formula_blank_in_input": (formula_blank_in_input, "input-formula-blank"),
    "formula_blank_outside": (formula_blank_outside, "value-outside-inputs"),
    "metadata_formula_blank": (metadata_formula_blank, "metadata-extra"),
    "second_sheet_data": (second_sheet_data, "value-outside-inputs"),
    "long_text": (long_text, "too-long"),
    "vertical_tab_text": (vertical_tab_text, None),
    "newline_in_name": (newline_in_name, None),
    "ansi_escape": (ansi_escape, None),
}
