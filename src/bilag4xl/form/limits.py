"""The limits every file is read under, whatever it says about itself.

Why here, in one place: the reader's pre-checks, the validator, the template writer and the
merge's writer must agree on them. A template never holds more than MAX_INITIATIVES
initiative sheets (the writer refuses more), so a submission's limits follow from the
largest template bilag4xl can write, with a wide margin; they hold for any file, so memory
and time per file are bounded before any reader (python-calamine is native code) allocates.

A consolidated workbook grows with its round, so it gets limits of its own, and the merge
checks its own output against them before writing (`check_written`): the reader never
refuses what bilag4xl wrote.

Figures, for the default spec with a 10-year period (README, "Limits"):
- the largest template (200 initiatives, a feedback sheet) has 205 sheets, 56,829 cells,
  238 rows and 14 columns at most per sheet, and inflates to ~5 MB;
- the largest consolidated workbook measured (3,000 submissions of 12 initiatives) has a
  130 MB sheet part and ~2 million cells (benchmarks/scale.py).
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 2**20

MAX_INITIATIVES = 200  # initiative sheets in one template (named and spare)
RATIO_FLOOR = MiB  # the compression-ratio check applies to parts above this size


@dataclass(frozen=True)
class Limits:
    """What one file may hold; beyond any of these it is refused with a clear issue."""

    file_bytes: int  # the file on disk
    members: int  # zip members
    part_bytes: int  # one member, inflated
    total_bytes: int  # all members, inflated
    ratio: int  # inflated / compressed, for members over RATIO_FLOOR (zip bombs)
    sheets: int  # worksheets in the workbook
    rows: int  # highest row a cell may stand in (1-based, as Excel numbers them)
    cols: int  # highest column (1-based: 256 is IV)
    grid: int  # sum over sheets of rows x columns from A1 to the last cell (what a reader
    # of whole sheets allocates)
    cells: int  # cell elements in one sheet

    @property
    def max_cell(self) -> str:
        from bilag4xl.xlsx.excel import cell_ref

        return cell_ref(self.rows - 1, self.cols - 1)


# The largest template x ~5 (cells) to ~250 (rows): room for what people add (notes below
# the form, formatted cells), far below what would strain memory: at most ~2 million grid
# cells (~100 MB for python-calamine's cells and the Python lists of values) and 64 MB of
# parts (held here, in the zip calamine reads, and as calamine's strings).
SUBMISSION = Limits(
    file_bytes=100 * MiB,
    members=5_000,
    part_bytes=32 * MiB,
    total_bytes=64 * MiB,  # the largest template, every text at its longest: ~10 MB
    ratio=200,
    sheets=MAX_INITIATIVES + 30,
    rows=65_536,  # Excel 2003's sheet: 65,536 rows x 256 columns
    cols=256,
    grid=2_000_000,
    cells=250_000,
)

# A consolidated workbook: ~4x the largest round measured (3,000 submissions of 12
# initiatives: a 28 MB file with a 130 MB sheet part, ~2 million grid cells, read back in
# ~1 GB), so ~12,000 such submissions read back in ~4 GB; merge refuses to write more.
CONSOLIDATED = Limits(
    file_bytes=512 * MiB,
    members=100,
    part_bytes=512 * MiB,
    total_bytes=1024 * MiB,
    ratio=200,
    sheets=16,
    rows=1_048_576,
    cols=16_384,
    grid=8_000_000,
    cells=8_000_000,  # at most one per grid cell: the grid bounds them (what merge checks)
)


# Reading one file in a worker process (`containment`): beyond these the worker is stopped and
# the file reported, the run goes on. A file at every submission limit reads in ~2 s here.
FILE_SECONDS = 60.0
WORKER_MEMORY = 2048 * MiB  # address space a worker may add to what it inherited
