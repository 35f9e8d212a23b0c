"""Loader: a query's whole-number columns as one numpy array, for the counts that read every coding of a project.

On PostgreSQL the rows come through binary COPY and numpy reads them in place; elsewhere through the cursor. At
20,000 documents a matrix reads two million (document, start, node, end) spans: through the cursor each value
became a Python int in a tuple (about a second and some 300 MB); as COPY bytes they are 34 bytes a row, read by
numpy without a Python object per value.
"""

import io

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connections

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
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
    NULL, another type): then the caller reads them through the cursor."""
    buffer = io.BytesIO()
    statement = cursor.mogrify(sql, params).decode()
    cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT binary)", buffer)
    return parse_binary(buffer.getbuffer(), width)


def parse_binary(data, width: int) -> np.ndarray | None:
    """PostgreSQL's binary COPY format (signature, flags, header extension, tuples, trailer) of `width` integer
    columns as an int64 array; None when a tuple holds anything else."""
    data = memoryview(data)
    if bytes(data[: len(SIGNATURE)]) != SIGNATURE:
        return None
    extension = int.from_bytes(data[15:19], "big")
    body = data[19 + extension :]
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
    rows = np.frombuffer(body, dtype=layout)
    if (rows["count"] != width).any():
        return None
    for column in range(width):
        if (rows[f"size{column}"] != layout[f"value{column}"].itemsize).any():
            return None
    return np.column_stack([rows[f"value{column}"].astype(np.int64) for column in range(width)]).reshape(-1, width)
