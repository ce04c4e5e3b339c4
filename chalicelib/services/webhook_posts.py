"""One delivery attempt over HTTP: a signed POST to the address that was checked, bounded in time.

Signed per Standard Webhooks (the `standardwebhooks` library); no redirect is followed and
only a short excerpt of the answer is kept.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import urllib3
from standardwebhooks.webhooks import Webhook as Signer
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.util.ssl_match_hostname import CertificateError

from chalicelib.domain import webhook_urls
from chalicelib.services import webhooks as registry
from chalicelib.settings import get_settings

EXCERPT_BYTES = 256
# How often the deadline cuts again until the attempt is over.
_RECUT_SECONDS = 0.05


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


class _Deadline:
    """Ends the attempt's connection at the deadline, so a blocked read returns at once. It
    cuts until the attempt is over: a socket made while it cuts (the TLS one, wrapped after
    connecting) is cut too. Whether the attempt ended in time is decided under one lock."""

    def __init__(self, connection: HTTPConnection, seconds: float) -> None:
        self._connection, self._lock = connection, threading.Lock()
        self._over = self._cut = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        while True:
            with self._lock:
                if self._over:
                    return
                self._cut = True
            sock = self._connection.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            time.sleep(_RECUT_SECONDS)

    def end(self) -> bool:
        """The attempt is over; True when it was over before the deadline."""
        with self._lock:
            self._over = True
            in_time = not self._cut
        self._timer.cancel()
        return in_time


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
    deadline = _Deadline(connection, limit)
    try:
        connection.request("POST", target.path, body=payload.encode(), headers=headers, preload_content=False)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        status = response.status
    except Exception as exc:  # noqa: BLE001 - whatever the receiver did, the attempt failed
        late = not deadline.end() or isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError)
        return Outcome(None, f"no answer within {limit:g} s" if late else _failure(exc), None)
    finally:
        connection.close()
    if not deadline.end():  # the answer was cut short: it came too late
        return Outcome(None, f"no answer within {limit:g} s", None)
    return Outcome(status, None if 200 <= status < 300 else f"HTTP {status}", excerpt)


def _failure(exc: Exception) -> str:
    """What the delivery log says of an attempt that failed in time, for another reason."""
    if isinstance(exc, ssl.SSLError | urllib3.exceptions.SSLError | CertificateError):
        return "SSLError"
    return type(exc).__name__
