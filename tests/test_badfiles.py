"""Files that are not a readable workbook get one clear issue, never a traceback or a hang."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilag4xl.cli import app
from bilag4xl.intake.validate import read_file
from bilag4xl.intake.workbook import OLE_MAGIC, UnreadableWorkbook, read_bytes
from bilag4xl.issues.report import Severity
from filled import filled


def rezip(source: bytes, replace: dict[str, bytes | None], add: dict[str, bytes] = {}) -> bytes:  # noqa: B006
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in add.items():
            zout.writestr(name, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return filled(tmp_path_factory.mktemp("good")).read_bytes()


def ole(extra: bytes) -> bytes:
    return OLE_MAGIC + b"\x00" * 504 + extra + b"\x00" * 1024


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>"""

XXE = b"""<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/>&x;</workbook>"""


def _declared_huge(data: bytes) -> bytes:
    """Patch the central directory so one member claims to inflate to ~4 GB."""
    at = data.rfind(b"PK\x01\x02")
    return data[: at + 24] + struct.pack("<I", 0xFFFFFFF0) + data[at + 28 :]


def _damaged_sheet(data: bytes) -> bytes:
    """Overwrite bytes in the middle of a worksheet's compressed data (the CRC must catch it)."""
    at = data.find(b"xl/worksheets/sheet2.xml") + 200
    return data[:at] + bytes(40) + data[at + 40 :]


CASES = {
    "csv": (lambda g: "Forvaltning;Beløb\nTMF;130.000\n".encode(), "text-file"),
    "empty": (lambda g: b"", "not-a-spreadsheet"),
    "binary": (lambda g: bytes(range(256)) * 8, "not-a-spreadsheet"),
    "xls": (lambda g: ole("Workbook".encode("utf-16-le")), "xls"),
    "encrypted": (
        lambda g: ole(
            "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")
        ),
        "encrypted",
    ),
    "ods": (
        lambda g: rezip(
            b"PK\x05\x06" + b"\x00" * 18,
            {},
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
        ),
        "ods",
    ),
    "docx": (
        lambda g: rezip(b"PK\x05\x06" + b"\x00" * 18, {}, {"word/document.xml": b"<x/>"}),
        "not-a-spreadsheet",
    ),
    "xlsb": (
        lambda g: rezip(b"PK\x05\x06" + b"\x00" * 18, {}, {"xl/workbook.bin": b"\x00"}),
        "xlsb",
    ),
    "truncated": (lambda g: g[: len(g) // 2], "corrupt"),
    "damaged-sheet": (_damaged_sheet, "corrupt"),
    "bomb-declared": (_declared_huge, "zip-bomb"),
    "bomb-ratio": (lambda g: rezip(g, {}, {"xl/media/image1.png": bytes(3 * 2**20)}), "zip-bomb"),
    "billion-laughs": (lambda g: rezip(g, {"xl/styles.xml": BILLION_LAUGHS}), "unsafe-xml"),
    "external-entity": (lambda g: rezip(g, {"xl/workbook.xml": XXE}), "unsafe-xml"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_one_clear_error(tmp_path: Path, good: bytes, case: str) -> None:
    make, code = CASES[case]
    path = tmp_path / f"{case}.xlsx"
    path.write_bytes(make(good))
    result = read_file(path)
    assert result.submission is None
    assert [i.code for i in result.report] == [code]
    issue = result.report.issues[0]
    assert issue.severity is Severity.ERROR
    assert issue.file == str(path)
    assert "\n" not in issue.message_da and issue.message_en


def test_bad_file_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "bilag.xlsx"
    path.write_bytes(ole("EncryptionInfo".encode("utf-16-le")))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "adgangskode" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["read", str(path)])
    assert result.exit_code == 1 and "adgangskode" in result.output


def test_a_csv_file_named_csv_is_not_called_renamed(tmp_path: Path) -> None:
    text = "Forvaltning;Beløb\nTMF;130.000\n".encode()
    named = tmp_path / "bilag.csv"
    named.write_bytes(text)
    renamed = tmp_path / "bilag.xlsx"
    renamed.write_bytes(text)
    assert [i.code for i in read_file(named).report] == ["csv-file"]
    assert "omdøbt" not in read_file(named).report.issues[0].message_da
    assert "omdøbt til .xlsx" in read_file(renamed).report.issues[0].message_da


def test_missing_file() -> None:
    result = read_file("/nonexistent/bilag.xlsx")
    assert [i.code for i in result.report] == ["file-error"]


def test_xlsm_is_read_with_a_warning(tmp_path: Path, good: bytes) -> None:
    content_types = zipfile.ZipFile(io.BytesIO(good)).read("[Content_Types].xml")
    macro_types = content_types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    path = tmp_path / "bilag.xlsm"
    path.write_bytes(
        rezip(good, {"[Content_Types].xml": macro_types}, {"xl/vbaProject.bin": b"\x00VBA" * 64})
    )
    result = read_file(path)
    assert [i.code for i in result.report] == ["macros"]
    assert result.report.issues[0].severity is Severity.WARNING
    assert result.report.valid and result.submission is not None


def test_reader_raises_with_code() -> None:
    with pytest.raises(UnreadableWorkbook) as caught:
        read_bytes(b"a;b\n1;2\n")
    assert caught.value.code == "text-file"
