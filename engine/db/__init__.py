"""Persistence: tables, sessions and the unit of work."""
