"""Factories for test data: unique people, and the HTTP steps to make them."""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass, field
from typing import Any

from chalice.local import LambdaContext, LambdaEventConverter, RouteMatcher
from chalice.test import Client

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def unique_email() -> str:
    return f"guest{next(_counter)}-{random.randrange(10**9)}@example.com"


def unique_phone() -> str:
    return f"+88017{random.randrange(10**8):08d}"


def registration(**overrides: Any) -> dict[str, Any]:
    body = {"email": unique_email(), "phone": unique_phone(), "full_name": "Ayesha Rahman", "password": PASSWORD}
    body.update(overrides)
    return body


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) else None


@dataclass
class Api:
    """JSON over chalice's test client."""

    client: Client

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        response = self.client.http.request(method, path, headers=sent, body=payload)
        text = response.body.decode() if response.body else ""
        return Reply(response.status_code, dict(response.headers), json.loads(text) if text else None)

    def call_from(self, address: str, method: str, path: str, body: Any = None) -> Reply:
        """A request from client address `address`, as API Gateway puts it in the event
        (`requestContext.identity.sourceIp`). Chalice's test client and `chalice local` always
        say 127.0.0.1 (chalice/local.py, `LambdaEventConverter.LOCAL_SOURCE_IP`), so this
        builds the event with chalice's own converter and invokes the app as Lambda would."""
        app = self.client._app  # the app the test client serves
        converter = LambdaEventConverter(RouteMatcher(list(app.routes)))
        event = converter.create_lambda_event(
            method, path, {"Content-Type": "application/json"}, json.dumps(body).encode()
        )
        event["requestContext"]["identity"]["sourceIp"] = address
        response = app(event, LambdaContext("api_handler", 1024))
        text = response.get("body") or ""
        return Reply(response["statusCode"], response["headers"], json.loads(text) if text else None)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PATCH", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.call("DELETE", path, **kw)


@dataclass
class Person:
    id: str
    email: str
    phone: str
    access: str
    refresh: str
    provider_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def sign_up(api: Api, **overrides: Any) -> Person:
    body = registration(**overrides)
    created = api.post("/api/auth/register", body)
    assert created.status == 201, created.body
    tokens = api.post("/api/auth/token", {"email": body["email"], "password": body["password"]})
    assert tokens.status == 200, tokens.body
    return Person(
        created.body["id"], body["email"], created.body["phone"], tokens.body["access"], tokens.body["refresh"]
    )


def provider_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "business_name": "Sea Breeze Resorts",
        "business_email": "desk@seabreeze.example.com",
        "business_phone": "+8801812345678",
        "business_address": "Kolatoli Road, Cox's Bazar",
    }
    body.update(overrides)
    return body


def sign_up_provider(api: Api, **overrides: Any) -> Person:
    person = sign_up(api)
    made = api.post("/api/accounts/become-provider", provider_body(**overrides), token=person.access)
    assert made.status == 201, made.body
    person.access, person.refresh = made.body["access"], made.body["refresh"]
    person.provider_id = made.body["provider_profile"]["id"]
    return person


def stay_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "stay_type": "hotel",
        "name": "Hotel Shapla",
        "description": "Near the lake, with a rooftop restaurant.",
        "address": "12 Gulshan Avenue",
        "city": "Dhaka",
        "country": "BD",
        "timezone": "Asia/Dhaka",
        "currency": "BDT",
    }
    body.update(overrides)
    return body


def room_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "room_type": "deluxe",
        "room_name": "Deluxe King 301",
        "price_per_night": 4500.5,
        "max_guest_per_room": 2,
        "amenities": ["wifi", "breakfast"],
        "has_ac": True,
        "has_heating": False,
        "is_available": True,
    }
    body.update(overrides)
    return body


def create_stay(api: Api, provider: Person, **overrides: Any) -> dict[str, Any]:
    reply = api.post("/api/listings/stays", stay_body(**overrides), token=provider.access)
    assert reply.status == 201, reply.body
    return reply.body


def add_room(api: Api, provider: Person, stay_id: str, **overrides: Any) -> dict[str, Any]:
    reply = api.post(f"/api/listings/stays/{stay_id}/rooms", room_body(**overrides), token=provider.access)
    assert reply.status == 201, reply.body
    return reply.body
