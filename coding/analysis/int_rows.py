"""Loader: a query's whole-number columns as one numpy array, for the counts that read every coding of a project.

On PostgreSQL the rows come through binary COPY and numpy reads them in place; elsewhere through the cursor. At
20,000 documents a matrix reads two million (document, start, node, end) spans: through the cursor each value
became a Python int in a tuple (about a second and some 300 MB); as COPY bytes they are 42 bytes a row (bigint ids,
integer positions, each value after its length), read by numpy without a Python object per value.
"""

import array
from types import SimpleNamespace

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connections

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
BLOCK = 65_536  # tuples converted at a time when the rows are written over the COPY bytes (2 MB at width 4)
WIDTHS = {4: ">i4", 8: ">i8", 2: ">i2"}  # integer, bigint (ids, count(*)), smallint: the sizes binary COPY sends


def int_rows(queryset, width: int) -> np.ndarray:
    """The queryset's rows as an int64 array of shape (rows, width); every column must be a whole number, never
    NULL (ids, positions, counts)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing (an empty IN list): no query to run
        return np.empty((0, width), dtype=np.int64)
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            found = _copy_rows(cursor.cursor, sql, params, width)
            if found is not None:
                return found
        cursor.execute(sql, params)
        return np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, width)


def _copy_rows(cursor, sql: str, params, width: int) -> np.ndarray | None:
    """The rows through `COPY (…) TO STDOUT (FORMAT binary)`, or None when they are not fixed-width integers (a
    NULL, another type): then the caller reads them through the cursor.

    The COPY bytes gather in an array of bytes (psycopg2 only needs something with a `write`), which parse_binary
    then overwrites with the int64 rows: the bytes and the rows are one block of memory, not two."""
    buffer = array.array("B")
    statement = cursor.mogrify(sql, params).decode()
    cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT binary)", SimpleNamespace(write=buffer.frombytes))
    return parse_binary(buffer, width)


def parse_binary(data, width: int) -> np.ndarray | None:
    """PostgreSQL's binary COPY format (signature, flags, header extension, tuples, trailer) of `width` integer
    columns as an int64 array; None when a tuple holds anything else.

    An array.array("B") or a bytearray is read in place: each tuple takes at least as many bytes as its int64
    row (a 4-byte length before every value), so the rows are written from the front over tuples already read, a
    block at a time; then `data` is cut to the rows and the array returned is a view of it, which the caller must
    not use again. At two million spans the COPY bytes (84 MB) and the rows (64 MB) are then not held side by side,
    and an array.array gives the bytes past the rows back when cut (a bytearray keeps them). Bytes, and tuples of
    smallints (narrower than their rows), are copied to a new array instead."""
    view = memoryview(data)
    if bytes(view[: len(SIGNATURE)]) != SIGNATURE:
        return None
    extension = int.from_bytes(view[15:19], "big")
    start = 19 + extension
    body = view[start:]
    if len(body) < 2 or bytes(body[-2:]) != b"\xff\xff":
        return None
    body = body[:-2]
    if not len(body):
        return np.empty((0, width), dtype=np.int64)
    fields, at = [("count", ">i2")], 2  # the first tuple tells each column's size; every tuple must match it
    if int.from_bytes(body[:2], "big") != width:
        return None
    for column in range(width):
        size = int.from_bytes(body[at : at + 4], "big", signed=True)
        if size not in WIDTHS:
            return None
        fields += [(f"size{column}", ">i4"), (f"value{column}", WIDTHS[size])]
        at += 4 + size
    layout = np.dtype(fields)
    if len(body) % layout.itemsize:
        return None
    count = len(body) // layout.itemsize
    del view, body  # an exported buffer cannot be cut
    rows = np.frombuffer(data, dtype=layout, count=count, offset=start)
    if (rows["count"] != width).any():
        return None
    for column in range(width):
        if (rows[f"size{column}"] != layout[f"value{column}"].itemsize).any():
            return None
    resizable = isinstance(data, bytearray) or (isinstance(data, array.array) and data.typecode == "B")
    if not resizable or layout.itemsize < 8 * width:
        out = np.empty((count, width), dtype=np.int64)
        for column in range(width):
            out[:, column] = rows[f"value{column}"]
        return out
    _write_over(data, rows, width)
    del rows
    del data[count * width * 8 :]
    return np.frombuffer(data, dtype=np.int64).reshape(count, width)


def _write_over(data, rows: np.ndarray, width: int) -> None:
    """The tuples' values as int64 rows from the start of `data`. Row i ends at byte 8·width·(i+1), where tuple
    i + 1 at the earliest begins, so a block of tuples copied out first is never overwritten before it is read."""
    out = np.frombuffer(data, dtype=np.int64, count=len(rows) * width).reshape(len(rows), width)
    block = np.empty((min(BLOCK, len(rows)), width), dtype=np.int64)
    for first in range(0, len(rows), BLOCK):
        part = rows[first : first + BLOCK]
        for column in range(width):
            block[: len(part), column] = part[f"value{column}"]
        out[first : first + len(part)] = block[: len(part)]
