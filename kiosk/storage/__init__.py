"""The state database, the outbox of events, and the session journal (one SQLite file)."""
