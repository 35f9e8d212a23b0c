"""The bounded decoders of policies/inflation.py: budgets shared by a file and its archive, zips measured past what
their headers claim, and PDF streams (flate, run-length, LZW) that stop at the budget instead of inflating a bomb."""

import io
import zipfile
import zlib

import pytest

from policies import inflation

MB = 1024 * 1024


def test_inflate_stops_at_the_budget_instead_of_inflating_the_whole_stream():
    budget = inflation.Budget(MB)
    compressed = zlib.compress(b"\0" * (50 * MB), 9)
    with inflation.pdf_streams_limited(budget), pytest.raises(inflation.LimitExceeded):
        inflation.inflate(compressed)
    assert budget.used <= MB  # stopped at the cap, not after 50 MB


def test_inflate_gives_what_it_decoded_before_a_stream_breaks_off():
    compressed = zlib.compress(b"BT (abc) Tj ET" * 100)
    assert inflation.inflate(compressed[:-6]).startswith(b"BT (abc) Tj ET")
    with pytest.raises(zlib.error):
        inflation.inflate(b"not zlib at all")


def test_run_length_and_lzw_streams_are_bounded_too():
    budget = inflation.Budget(10_000)
    run_length = bytes([129, 0]) * 1000  # each pair is 128 zeros: 128,000 bytes from 2,000
    with inflation.pdf_streams_limited(budget), pytest.raises(inflation.LimitExceeded):
        inflation.run_length_decode(run_length)
    assert inflation.run_length_decode(bytes([2]) + b"abc" + bytes([254, 7, 128])) == b"abc" + b"\7\7\7"
    # LZW: 9-bit codes, clear (256), then the code for the string that grows by one each time.
    with inflation.pdf_streams_limited(inflation.Budget(100)), pytest.raises(inflation.LimitExceeded):
        inflation.lzw_decode(_lzw_run_of_zeros(60))


def _lzw_run_of_zeros(codes: int) -> bytes:
    values = [256, 0] + [258 + i for i in range(codes)]
    bits = "".join(format(value, "09b") for value in values)
    bits += "0" * (-len(bits) % 8)
    return bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))


# --- budgets -----------------------------------------------------------------------------------------------------


def test_a_budget_counts_what_it_takes_and_refuses_the_byte_past_its_limit():
    budget = inflation.Budget(10)
    budget.take(4)
    budget.take(6)  # exactly the limit is allowed
    assert budget.used == 10
    with pytest.raises(inflation.LimitExceeded) as refused:
        budget.take(1)
    assert refused.value.budget is budget
    assert budget.used == 10  # a refused take counts nothing


def test_a_files_budget_draws_on_its_archives_and_names_whichever_runs_out_first():
    archive = inflation.Budget(15)
    first, second = inflation.Budget(10, shared=archive), inflation.Budget(10, shared=archive)
    first.take(8)
    assert (first.used, archive.used) == (8, 8)
    with pytest.raises(inflation.LimitExceeded) as refused:
        second.take(8)  # fits its own 10, not what is left of the archive's 15
    assert refused.value.budget is archive
    with pytest.raises(inflation.LimitExceeded) as refused:
        first.take(3)  # its own limit is checked first
    assert refused.value.budget is first
    assert (first.used, second.used, archive.used) == (8, 0, 8)


# --- zips --------------------------------------------------------------------------------------------------------


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_measure_zip_returns_the_inflated_total_and_charges_the_budget():
    budget = inflation.Budget(MB)
    budget.take(100)
    assert inflation.measure_zip(_zip({"a.xml": b"a" * 1000, "b.xml": b"b" * 234}), budget) == 1234
    assert budget.used == 1334


def test_measure_zip_refuses_by_the_declared_sizes_before_reading_a_byte():
    budget = inflation.Budget(1000)
    with pytest.raises(inflation.LimitExceeded):
        inflation.measure_zip(_zip({"a.xml": b"\0" * 600, "b.xml": b"\0" * 600}), budget)
    assert budget.used == 0


def test_measure_zip_refuses_a_method_other_than_stored_or_deflate():
    with pytest.raises(inflation.UnreadableMethod):
        inflation.measure_zip(_zip({"a.xml": b"x"}, zipfile.ZIP_LZMA), inflation.Budget(MB))
    assert inflation.measure_zip(_zip({"a.xml": b"xyz"}, zipfile.ZIP_STORED), inflation.Budget(MB)) == 3


def test_outside_a_limited_block_each_stream_still_has_the_default_cap():
    assert inflation.inflate(zlib.compress(b"abc" * 10)) == b"abc" * 10
    budget = inflation.Budget(MB)
    with inflation.pdf_streams_limited(budget):
        inflation.inflate(zlib.compress(b"x" * 1000))
    assert budget.used == 1000
    inflation.inflate(zlib.compress(b"x" * 1000))  # after the block: the block's budget is not charged
    assert budget.used == 1000
