"""The per-minute local time formatter gives exactly what a per-row conversion gives, in every kind of zone."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coding.localtime import LocalTimes

ZONES = ["Asia/Shanghai", "UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


def _drf(moment: datetime, zone) -> str:
    text = moment.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _stored(moment: datetime, postgres: bool) -> str:
    """How SQLite stores a UTC time (str of the naive value), or PostgreSQL casts it to text (fraction trimmed, +00)."""
    naive = str(moment.replace(tzinfo=None))
    if not postgres:
        return naive
    if "." in naive:
        naive = naive.rstrip("0")
    return naive + "+00"


def _moments() -> list[datetime]:
    rng = random.Random(17)
    moments = [
        datetime(2026, 12, 6, 23, 30, 5, 987654, tzinfo=UTC),
        datetime(2026, 12, 6, 23, 30, 5, tzinfo=UTC),
        datetime(2026, 12, 6, 23, 30, 5, 120000, tzinfo=UTC),
        datetime(2026, 12, 6, 23, 30, 5, 100, tzinfo=UTC),
    ]
    # around the 2026 clock changes of New York, London and Lord Howe (a half-hour change), second by second
    for change in (
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 4, 4, 15, 0, tzinfo=UTC),
        datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
    ):
        moments += [change + timedelta(seconds=s, microseconds=rng.randrange(1_000_000)) for s in range(-90, 90, 7)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    moments += [
        start + timedelta(seconds=rng.randrange(3 * 365 * 86400), microseconds=rng.randrange(2)) for _ in range(500)
    ]
    return moments


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("postgres", [False, True])
def test_local_times_are_those_of_a_conversion_row_by_row(zone_name, postgres):
    zone = ZoneInfo(zone_name)
    to_second, as_drf = LocalTimes(zone, seconds=True), LocalTimes(zone, seconds=False)
    for moment in _moments():
        stored = _stored(moment, postgres)
        assert to_second(stored) == moment.astimezone(zone).isoformat(timespec="seconds"), stored
        assert as_drf(stored) == _drf(moment, zone), stored


def test_a_zero_offset_is_written_z_in_the_api_form_only():
    stored = "2026-12-06 23:30:05.5"
    assert LocalTimes(ZoneInfo("UTC"), seconds=False)(stored + "+00") == "2026-12-06T23:30:05.500000Z"
    assert LocalTimes(ZoneInfo("UTC"), seconds=True)(stored) == "2026-12-06T23:30:05+00:00"
    assert LocalTimes(ZoneInfo("Asia/Shanghai"), seconds=False)(stored) == "2026-12-07T07:30:05.500000+08:00"


def test_a_minute_holding_a_clock_change_is_converted_row_by_row():
    zone = ZoneInfo("America/New_York")
    times = LocalTimes(zone, seconds=True)
    # 2026-11-01 06:00 UTC: 02:00 EDT becomes 01:00 EST; the minute before and the one after differ in offset
    assert times("2026-11-01 05:59:59") == "2026-11-01T01:59:59-04:00"
    assert times("2026-11-01 06:00:00") == "2026-11-01T01:00:00-05:00"


def test_a_local_mean_time_offset_with_seconds_is_converted_row_by_row():
    zone = ZoneInfo("Asia/Shanghai")  # +08:05:43 until 1901
    stored = "1899-05-01 12:00:00"
    expected = datetime(1899, 5, 1, 12, tzinfo=UTC).astimezone(zone).isoformat(timespec="seconds")
    assert LocalTimes(zone, seconds=True)(stored) == expected
    assert expected.endswith("+08:05:43")
