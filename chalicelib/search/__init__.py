"""Availability and stay search: one named function per access pattern, never a Scan."""
