"""PostgreSQL through Django's own backend, with the health check skipped on a connection in steady use (base.py)."""
