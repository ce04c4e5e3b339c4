"""One delivery attempt over HTTP: a signed POST to the address that was checked, bounded in time.

Signed per Standard Webhooks (the `standardwebhooks` library); no redirect is followed and
only a short excerpt of the answer is kept.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime
from http.client import HTTPException

import urllib3
from standardwebhooks.webhooks import Webhook as Signer
from urllib3.connection import HTTPConnection, HTTPSConnection

from chalicelib.domain import webhook_urls
from chalicelib.services import webhooks as registry
from chalicelib.settings import get_settings

EXCERPT_BYTES = 256


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    excerpt: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _connection(target: webhook_urls.Target, address: str, timeout: float) -> HTTPConnection:
    if target.scheme == "https":
        return HTTPSConnection(
            address, target.port, timeout=timeout, server_hostname=target.host, assert_hostname=target.host
        )
    return HTTPConnection(address, target.port, timeout=timeout)


def _cut(connection: HTTPConnection) -> None:
    """Ends a connection mid-answer: a blocked read returns at once (the watchdog's job)."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def send(url: str, message_id: str, payload: str, secret: str, now: datetime) -> Outcome:
    """One signed POST, to the address that was checked (no second lookup), without
    following redirects; only a short excerpt of the answer is kept. The timeout bounds the
    whole attempt: a socket timeout bounds each read only, so a receiver that sends its
    answer a byte at a time would hold the sender as long as it liked."""
    settings = get_settings()
    allow_local = settings.allows_local_webhooks
    try:
        target = webhook_urls.parse(url, allow_local=allow_local)
        address = webhook_urls.resolve(target, allow_local=allow_local, resolver=registry.resolver)
    except webhook_urls.UnsafeUrl as exc:
        return Outcome(None, f"refused: {exc}", None)
    default_port = 443 if target.scheme == "https" else 80
    headers = {
        "host": target.host if target.port == default_port else f"{target.host}:{target.port}",
        "content-type": "application/json",
        "user-agent": "stays-api-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(secret).sign(message_id, now, payload),
    }
    limit = settings.webhook_timeout_seconds
    connection = _connection(target, address, limit)
    watchdog = threading.Timer(limit, _cut, args=(connection,))
    watchdog.start()
    try:
        connection.request("POST", target.path, body=payload.encode(), headers=headers, preload_content=False)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        if watchdog.finished.is_set():  # the answer was cut short: it came too late
            raise TimeoutError
        return Outcome(response.status, None if 200 <= response.status < 300 else f"HTTP {response.status}", excerpt)
    except (urllib3.exceptions.HTTPError, HTTPException, OSError) as exc:
        if watchdog.finished.is_set() or isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError):
            return Outcome(None, f"no answer within {limit:g} s", None)
        return Outcome(
            None,
            "SSLError" if isinstance(exc, ssl.SSLError | urllib3.exceptions.SSLError) else type(exc).__name__,
            None,
        )
    finally:
        watchdog.cancel()
        connection.close()
