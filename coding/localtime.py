"""Pure: stored UTC times, read from the database as text, written as ISO 8601 in a time zone, fast enough for the
2,000 codings of one document (the zone's offset is looked up once a minute of UTC, not once a row)."""

from datetime import UTC, datetime, timedelta, tzinfo

_LAST_MICROSECOND = timedelta(seconds=59, microseconds=999_999)


def parse_utc(value: str) -> datetime:
    """A stored time read as text (SQLite: naive UTC; PostgreSQL: with its +00 offset) as an aware datetime."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class LocalTimes:
    """Turns `YYYY-MM-DD HH:MM:SS[.ffffff][+00]` (UTC, as SQLite stores it and PostgreSQL casts it to text) into
    the local time in `zone`: to the second (`seconds=True`, `isoformat(timespec="seconds")`), or as DRF's
    DateTimeField writes it (microseconds when there are any, a zero offset written `Z`).

    Each UTC minute is converted once; a minute in which the zone's offset changes, or an offset that is not whole
    minutes (local mean times before 1900), takes the exact per-row conversion instead."""

    def __init__(self, zone: tzinfo, *, seconds: bool):
        self.zone = zone
        self.seconds = seconds
        self._minutes: dict[str, tuple[str, str] | None] = {}

    def __call__(self, value: str) -> str:
        minute = value[:16]
        try:
            found = self._minutes[minute]
        except KeyError:
            found = self._minutes[minute] = self._minute(minute)
        if found is None or len(value) < 19 or value[10] != " ":
            return self.exact(value)
        prefix, suffix = found
        if self.seconds:
            return f"{prefix}{value[16:19]}{suffix}"
        fraction = value[20:].partition("+")[0] if value[19:20] == "." else ""
        if fraction.strip("0"):
            return f"{prefix}{value[16:19]}.{fraction.ljust(6, '0')}{suffix}"
        return f"{prefix}{value[16:19]}{suffix}"

    def _minute(self, minute: str) -> tuple[str, str] | None:
        try:
            start = datetime.fromisoformat(minute).replace(tzinfo=UTC)
        except ValueError:
            return None
        first, last = start.astimezone(self.zone), (start + _LAST_MICROSECOND).astimezone(self.zone)
        offset = first.utcoffset()
        if offset != last.utcoffset() or offset is None or offset.seconds % 60:
            return None
        written = first.isoformat(timespec="seconds")  # YYYY-MM-DDTHH:MM:SS±HH:MM
        suffix = "Z" if not offset and not self.seconds else written[19:]
        return written[:16], suffix

    def exact(self, value: str) -> str:
        """The same answer, converted row by row."""
        local = parse_utc(value).astimezone(self.zone)
        if self.seconds:
            return local.isoformat(timespec="seconds")
        text = local.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
