"""Chalice blueprints, one per resource. Routes parse, authorize, call one service, serialize."""
