"""`make bench`: every benchmark, each in a process of its own, into BENCHMARKS.md.

Exits 1 when any benchmark failed its bound (a scaling ratio above 1.05, a search page whose
cost grows with its city, a night sold twice), after writing everything it measured.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = [
    "bench.endpoints",
    "bench.search_cost",
    "bench.search_scale",
    "bench.scaling",
    "bench.throughput",
    "bench.cold_start",
]
HEADER = """# Benchmarks

Written by `make bench` on {when} ({machine}, {cores} cores), on Amazon DynamoDB Local, in-process
unless a section says otherwise. Request counts, sequential steps and capacity units are the
design's own and hold on AWS; latencies and throughput are those of DynamoDB Local on this
machine (its every call costs milliseconds of one shared CPU) and say nothing about AWS, where
each sequential step is one network round trip of a few milliseconds.

"""


def main() -> int:
    sections, failed = [], []
    for module in BENCHMARKS:
        print(f"running {module} ...", flush=True)
        result = subprocess.run([sys.executable, "-m", module], cwd=ROOT, capture_output=True, text=True)
        sections.append(result.stdout)
        if result.returncode != 0:
            failed.append(module)
            sys.stderr.write(result.stderr[-3000:])
    header = HEADER.format(
        when=datetime.now(UTC).strftime("%Y-%m-%d"), machine=platform.machine(), cores=os.cpu_count()
    )
    (ROOT / "BENCHMARKS.md").write_text(header + "\n".join(sections))
    print("wrote BENCHMARKS.md" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
