"""`chalice local`, answering where API Gateway answers as the deployed template makes it.

`python -m scripts.local_server --host H --port P --stage S` serves the app as
`chalice local --no-autoreload` does (same app loading, stage environment, threads), with
these differences, which make `make run` behave as the deployed API:

- a path that matches no route (`/api//health`, dot segments, typos, a trailing slash,
  which chalice local would strip) is the problem document 404 `NOT_FOUND` with
  `X-Request-Id` that the template's gateway response for `MISSING_AUTHENTICATION_TOKEN`
  gives, not chalice's local 403 JSON;
- OPTIONS, TRACE and CONNECT go to the app like any undeclared method (a 405 problem
  document), not to chalice local's bare CORS preflight answer or http.server's 501 page:
  no route declares CORS, so the deployed API has no OPTIONS method either; what http.server
  answers itself (a method it has no name for, a malformed request line) is a problem
  document too;
- the listening socket queues 128 connections (http.server's default is 5, so a burst of a
  few dozen clients saw connections reset);
- the event carries the client's real address as `requestContext.identity.sourceIp`
  (chalice local always says 127.0.0.1), so sign-in throttling per address can be tried
  locally from several loopback addresses (127.0.0.2, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import uuid
from http import HTTPStatus
from http.server import HTTPServer
from typing import Any

from chalice.app import Chalice
from chalice.cli.factory import CLIFactory
from chalice.config import Config
from chalice.deploy.validate import validate_routes
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    ThreadedHTTPServer,
)

from chalicelib.handlers.problems import STATUS_CODES
from scripts import dynamodb_local
from scripts.deploy_template import gateway_problem

UNKNOWN_ROUTE = gateway_problem(404, "NOT_FOUND", "No such route.")


class Gateway(LocalGateway):
    """chalice's local gateway for one connection, from one client address."""

    def __init__(self, app_object: Chalice, config: Config, address: str) -> None:
        super().__init__(app_object, config)
        self._address = address

    def _generate_lambda_event(self, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        event = super()._generate_lambda_event(method, path, headers, body)
        event["requestContext"]["identity"]["sourceIp"] = self._address
        return event

    def _has_user_defined_options_method(self, lambda_event: Any) -> bool:
        return True  # so OPTIONS reaches the app, which answers it as any method it does not declare

    def handle_request(self, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        if path.split("?")[0].endswith("/"):
            return _unknown_route()
        try:
            return super().handle_request(method, path, headers, body)
        except ForbiddenError:  # chalice's answer to a path that matches no route (no authorizers here)
            return _unknown_route()


def _unknown_route() -> dict[str, Any]:
    return {
        "statusCode": 404,
        "headers": {"Content-Type": "application/problem+json", "X-Request-Id": uuid.uuid4().hex},
        "multiValueHeaders": {},
        "body": json.dumps(UNKNOWN_ROUTE),
    }


class Handler(ChaliceRequestHandler):
    # As chalice local's own do_GET ... do_OPTIONS: the app answers these as undeclared methods.
    do_TRACE = do_CONNECT = ChaliceRequestHandler._generic_handle

    def __init__(
        self, request: bytes, client_address: tuple[str, int], server: HTTPServer, app_object: Chalice, config: Config
    ) -> None:
        # The base class handles the request inside __init__, so the gateway comes first.
        self.local_gateway = Gateway(app_object, config, client_address[0])
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own answers (501 for a method it has no handler for, 400 for a
        malformed request line, 414, 431) as problem documents; an unknown method is a 405."""
        code = 405 if code == HTTPStatus.NOT_IMPLEMENTED else code
        detail = HTTPStatus(code).phrase
        body = json.dumps(gateway_problem(code, STATUS_CODES.get(code, HTTPStatus(code).name), detail)).encode()
        self.send_response(code, detail)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("X-Request-Id", uuid.uuid4().hex)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class Server(ThreadedHTTPServer):
    request_queue_size = 128


def server(host: str, port: int, stage: str) -> LocalDevServer:
    """What `chalice local` builds (chalice.cli.create_local_server), with `Handler`."""
    config = CLIFactory(str(dynamodb_local.ROOT)).create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    validate_routes(app.routes)
    # As chalice.local.create_local_server: `current_request` per thread.
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, host, port, handler_cls=Handler, server_cls=Server)


def main() -> int:
    parser = argparse.ArgumentParser(prog="local_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    args = parser.parse_args()
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: `make run` says it stopped
        server(args.host, args.port, args.stage).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
