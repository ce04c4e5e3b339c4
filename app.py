"""The Chalice app: settings checked, logging set up, blueprints and middleware wired. No logic."""

from chalice import Chalice

from chalicelib.handlers import accounts, auth, bookings, listings, meta, search, streams, timers, webhooks
from chalicelib.handlers.http import http_middleware
from chalicelib.logs import configure_logging
from chalicelib.settings import get_settings

# Fails the cold start, not a request, when the environment is incomplete (e.g. no JWT_SECRET in prod).
settings = get_settings()
configure_logging(settings.log_level)

app = Chalice(app_name="stays-api", configure_logs=False)
app.register_middleware(http_middleware, "http")
app.register_blueprint(meta.bp)
app.register_blueprint(auth.bp)
app.register_blueprint(accounts.bp)
app.register_blueprint(listings.bp)
app.register_blueprint(search.bp)
app.register_blueprint(bookings.bp)
app.register_blueprint(timers.bp)
app.register_blueprint(webhooks.bp)
app.register_blueprint(streams.bp)
