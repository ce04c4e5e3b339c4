"""Pydantic models of request and response bodies: the HTTP contract in code."""
