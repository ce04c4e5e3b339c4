"""Cold start: the app's import time beside a bare Chalice app with boto3, and the zip size.

    python -m bench.cold_start        (`make bench` packages the prod stage first)

Each import runs in a fresh interpreter, as a Lambda cold start does, several times;
the medians are printed with their ratio. Nothing at import may call AWS: the app
is imported with its endpoint pointed at a closed port.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
_TIMED = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
APP = "import app"
BARE = "import boto3; from chalice import Chalice; Chalice(app_name='bare')"


def _import_seconds(code: str) -> float:
    env = {
        **os.environ,
        "STAGE": "prod",
        "JWT_SECRET_PARAMETER": "/stays-api/prod/jwt-secret",
        "TABLE_NAME": "stays-prod",
        "AWS_DEFAULT_REGION": "us-east-1",
        # A closed port: an import that talked to DynamoDB would fail or hang here.
        "DYNAMODB_ENDPOINT": "http://127.0.0.1:9",
    }
    result = subprocess.run(
        [sys.executable, "-c", _TIMED.format(code=code)], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip())


def main() -> int:
    app = statistics.median(_import_seconds(APP) for _ in range(RUNS))
    bare = statistics.median(_import_seconds(BARE) for _ in range(RUNS))
    print("## Cold start\n")
    print(f"Import time in a fresh interpreter, median of {RUNS}.\n")
    print("| | ms | ratio |")
    print("|---|---|---|")
    print(f"| bare Chalice app + boto3 | {bare * 1000:.0f} | 1.00 |")
    print(f"| this app | {app * 1000:.0f} | {app / bare:.2f} |")
    zip_path = ROOT / "dist" / "prod" / "deployment.zip"
    size = f"{zip_path.stat().st_size / 1024 / 1024:.1f} MiB" if zip_path.exists() else "not built"
    print(f"\nLambda zip of the prod stage (`make package STAGE=prod`): {size}.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
