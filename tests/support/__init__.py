"""Helpers for the tests, benchmarks, examples and scripts of this repository: fill a template
as a caseworker would, drive LibreOffice headless, dump a workbook as text, keep a round's
ledger in memory (the ledger's test double), mutate files for the fuzz run. Kept out of the
installed package (users get no test code, and the library itself never imports openpyxl);
`tests/` is on the path in pytest, and the scripts outside it put it there."""
