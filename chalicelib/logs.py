"""Structured JSON logs; every line carries the id of the request it belongs to."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(level: str) -> None:
    """JSON to stderr (CloudWatch on Lambda), on the root logger's handlers."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )
    for handler in root.handlers:
        handler.setFormatter(formatter)
        handler.addFilter(_RequestIdFilter())
    root.setLevel(level.upper())
    # botocore's INFO lines (credential lookup) say nothing about our requests.
    logging.getLogger("botocore").setLevel(max(logging.WARNING, root.level))
