"""One delivery attempt: signed per Standard Webhooks, to the checked address, no redirects,
a timeout, and only an excerpt of the answer kept."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks import Webhook, WebhookVerificationError

from chalicelib.services import webhook_posts
from chalicelib.services import webhooks as registry
from chalicelib.settings import get_settings
from tests.receiver import receiving

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status, self.body, self.delay, self.headers = 204, b"", 0.0, {}


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    def answer(headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        state.requests.append((headers, body))
        time.sleep(state.delay)
        return state.status, state.headers, state.body

    with receiving(answer) as url:
        yield state, url


def _send(url: str, payload: str = '{"id":"evt_1"}') -> webhook_posts.Outcome:
    return webhook_posts.send(url, "evt_1", payload, SECRET, datetime.now(UTC))


def test_a_delivery_is_signed_so_that_the_library_verifies_it(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    outcome = _send(url, '{"id":"evt_1","type":"booking.created"}')
    assert outcome.ok and outcome.status_code == 204
    headers, body = state.requests[0]
    assert headers["webhook-id"] == "evt_1" and headers["content-type"] == "application/json"
    assert Webhook(SECRET).verify(body, headers) == {"id": "evt_1", "type": "booking.created"}
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"created", b"deleted"), headers)


def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    state.status, state.headers = 302, {"location": "http://169.254.169.254/latest/meta-data"}
    outcome = _send(url)
    assert not outcome.ok and outcome.status_code == 302 and len(state.requests) == 1


def test_only_a_short_excerpt_of_the_answer_is_kept(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    state.status, state.body = 500, b"x" * 100_000
    outcome = _send(url)
    assert outcome.error == "HTTP 500" and outcome.excerpt is not None
    assert len(outcome.excerpt) == webhook_posts.EXCERPT_BYTES


def test_a_slow_receiver_times_out(receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch) -> None:
    state, url = receiver
    state.delay = 1.5
    quick = get_settings().model_copy(update={"webhook_timeout_seconds": 0.3})
    monkeypatch.setattr(webhook_posts, "get_settings", lambda: quick)
    outcome = _send(url)
    assert not outcome.ok and outcome.status_code is None and outcome.error == "no answer within 0.3 s", outcome


def test_an_answer_sent_a_line_at_a_time_is_cut_at_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A socket timeout bounds each read only: the status line at once, then a header every
    0.2 s, would hold a sender for as long as the receiver likes without the attempt's limit."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            while not stop.wait(0.2):
                try:
                    connection.sendall(b"x-slow: 1\r\n")
                except OSError:
                    return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    quick = get_settings().model_copy(update={"webhook_timeout_seconds": 1.0})
    monkeypatch.setattr(webhook_posts, "get_settings", lambda: quick)
    started = time.monotonic()
    outcome = _send(f"http://127.0.0.1:{listener.getsockname()[1]}/hooks")
    elapsed = time.monotonic() - started
    stop.set()
    thread.join(timeout=5)
    listener.close()
    assert not outcome.ok and outcome.error == "no answer within 1 s", outcome
    assert elapsed < 3, elapsed


def test_a_name_that_resolves_to_a_private_address_at_delivery_is_not_called(
    receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, _ = receiver
    monkeypatch.setattr(registry, "resolver", lambda host, port: ["169.254.169.254"])
    outcome = _send("https://hooks.example.com/in")
    assert outcome.status_code is None and outcome.error is not None and outcome.error.startswith("refused")
    assert state.requests == []


def test_documentation_addresses_are_not_public_either(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "resolver", lambda host, port: ["192.0.2.10"])
    assert (_send("https://hooks.example.com/in").error or "").startswith("refused: must not point at a private")


def _certificate(directory: Path, name: str = "localhost") -> tuple[Path, Path]:
    """A self-signed certificate for `name`."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_https_goes_to_the_checked_address_and_verifies_the_certificate_for_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = _certificate(tmp_path)
    hosts: list[str] = []

    def answer(headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        hosts.append(headers["host"])
        return 204, {}, b""

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with receiving(answer, tls=context) as url:
        port = url.split(":")[2].split("/")[0]
        # The name resolves to the loopback address, which is checked and connected to; the
        # certificate is still verified for the name (no lookup happens in between).
        monkeypatch.setattr(registry, "resolver", lambda host, port: ["127.0.0.1"])
        assert _send(f"https://localhost:{port}/hooks").error == "SSLError"  # not trusted yet
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        outcome = _send(f"https://localhost:{port}/hooks")
        assert outcome.status_code == 204, outcome
    assert hosts == [f"localhost:{port}"]


def test_a_certificate_for_another_name_is_a_failed_attempt_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trusted, but issued for another name than the URL's: the attempt fails as a TLS error
    (urllib3 raises a ValueError for it, which once escaped and ended the run)."""
    cert, key = _certificate(tmp_path, "hooks.example.com")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with receiving(lambda headers, body: (204, {}, b""), tls=context) as url:
        port = url.split(":")[2].split("/")[0]
        monkeypatch.setattr(registry, "resolver", lambda host, port: ["127.0.0.1"])
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        outcome = _send(f"https://localhost:{port}/hooks")
    assert outcome.status_code is None and outcome.error == "SSLError", outcome
