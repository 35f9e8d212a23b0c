"""Django's PostgreSQL backend, except that a connection in steady use is not pinged before every request.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first query of every request, so that a persistent
connection the server dropped (a restart, a failover) is replaced rather than failing the request. Under load that
ping is one round trip in seven when a coding is saved, and each round trip waits for a CPU twice. Here a connection
that served a request without a connection error less than FRESH_SECONDS ago is taken as sound and not pinged; one
that sat idle longer is checked as before. What this gives up: when the database restarts while requests keep
arriving, each worker answers the first request it sends on its old connection with an error (Django then closes
that connection, and the worker's next request opens a new one) instead of reconnecting before it.
"""

import time

from django.db.backends.postgresql import base

FRESH_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    sound_until = 0.0  # monotonic time until which the open connection counts as sound

    def close_if_health_check_failed(self):
        if self.connection is not None and not self.health_check_done and time.monotonic() < self.sound_until:
            self.health_check_done = True
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self):
        # Called as a request starts and as it finishes. health_check_done is still set here when a query ran since
        # the last call (the check or the skip above ran before it), and errors_occurred when one failed.
        failed = self.errors_occurred
        used = self.connection is not None and self.health_check_done
        super().close_if_unusable_or_obsolete()
        if self.connection is None or failed:
            self.sound_until = 0.0  # an error since the last call: the next request checks the connection
        elif used:
            self.sound_until = time.monotonic() + FRESH_SECONDS
