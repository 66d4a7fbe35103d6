"""How long the web page takes to render the round page of a large round.

    python benchmarks/web.py --departments 100 --n 50

Makes a round folder with a national spec of DEPARTMENTS departments and records a received
file for nine in ten of them in the ledger (every fifth with errors, some sent twice; the
page reads only the ledger, no workbook), then fetches `GET /` N times through the ASGI app
in-process (Starlette's TestClient: no network) and reports the median and fastest in ms.
Not part of the test suite: this is a figure, not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import national_spec_text
from starlette.testclient import TestClient

from bilag4xl.record import Verdict
from bilag4xl.round.folder import Round, init_round
from bilag4xl.web.app import create_app


def make_round(folder: Path, departments: int) -> Round:
    spec = folder / "runde.toml"
    spec.write_text(national_spec_text(departments), "utf-8")
    rnd, _ = init_round(folder / "runde", spec)
    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    with rnd.ledger() as ledger:
        for n, d in enumerate(rnd.spec.round.departments):
            for version in range(1 + (n % 7 == 0)):
                if n % 10 == 9:
                    continue  # still missing
                errors = 2 if n % 5 == 0 and not version else 0
                verdict = Verdict(d.name, valid=not errors, errors=errors, warnings=n % 3)
                when = start + dt.timedelta(hours=n, minutes=version)
                data = f"{d.name} {version}".encode()
                ledger.store_many([(data, f"kommune_{n:04d}_v{version}.xlsx", verdict)], when)
    return rnd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=100)
    parser.add_argument("--n", type=int, default=50, help="renderings to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bilag4xl-bench-web-") as tmp:
        rnd = make_round(Path(tmp), args.departments)
        with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
            first = client.get("/")  # templates compiled, round read
            assert first.status_code == 200 and first.text.count("data-department=") == len(
                rnd.spec.round.departments
            )
            times = []
            for _ in range(args.n):
                began = time.perf_counter()
                client.get("/").raise_for_status()
                times.append((time.perf_counter() - began) * 1000)
    size = len(first.content) / 1024
    print(
        f"round page, {args.departments} departments ({size:.0f} kB): median "
        f"{statistics.median(times):.1f} ms, fastest {min(times):.1f} ms over {args.n} renderings"
    )


if __name__ == "__main__":
    sys.exit(main())
