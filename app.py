"""The Chalice app: routes, middleware and the timer job wired. No logic, and light to import.

Every Lambda cold start imports this module, so it imports only Chalice and the route
table: each route's handler module is imported by the route's first request, and the
settings are checked and logging set up by the first request of all
(chalicelib/handlers/routes.py, `http.start`). `make bench` measures the import.
"""

from chalice import Chalice

from chalicelib.handlers import routes, streams, timers
from chalicelib.handlers.http import http_middleware

app = Chalice(app_name="stays-api", configure_logs=False)
app.register_middleware(http_middleware, "http")
routes.register(app)
app.register_blueprint(timers.bp)
app.register_blueprint(streams.bp)
