#!/usr/bin/env bash
# Regenerate the committed default templates in templates/ (one per department of the
# built-in round, plus a blank one). tests/test_golden_templates.py fails until this is run
# after any change to the spec, layout or writer; review the diff and commit the files.
set -euo pipefail
cd "$(dirname "$0")/.."
bilag4xl template --out-dir templates --force
bilag4xl template -o templates/bilag4_blank.xlsx --force
