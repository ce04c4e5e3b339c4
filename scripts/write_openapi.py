"""Write the OpenAPI document the app serves to `openapi.json` (`make openapi`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app import app  # noqa: F401 - importing the app registers every operation
from chalicelib.handlers.openapi import document

TARGET = Path(__file__).resolve().parent.parent / "openapi.json"


def rendered() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


def main() -> int:
    TARGET.write_text(rendered())
    print(f"wrote {TARGET.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
