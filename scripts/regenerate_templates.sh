#!/usr/bin/env bash
# Regenerate the committed default templates in templates/ (one per department of the
# built-in round, plus a blank one). tests/test_golden_templates.py fails until this is run
# after any change to the spec, layout or writer; review the diff of templates/*.xlsx.txt
# (each template as indented XML) and commit the files.
set -euo pipefail
cd "$(dirname "$0")/.."
bilag4xl template --out-dir templates --force
bilag4xl template -o templates/bilag4_blank.xlsx --force
# The readable dumps beside them: a changed text shows up as a line in the diff.
for f in templates/*.xlsx; do PYTHONPATH="tests${PYTHONPATH:+:$PYTHONPATH}" python -m support.dump "$f" > "$f.txt"; done
