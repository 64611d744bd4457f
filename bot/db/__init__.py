"""Persistence: tables, engine and migrations. Services use it; the coaching core never does."""
