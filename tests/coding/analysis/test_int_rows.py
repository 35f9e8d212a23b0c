"""int_rows: the counts' loader gives the same rows as the ORM (binary COPY on PostgreSQL, the cursor elsewhere), and
the binary COPY reader refuses what is not fixed-width integers instead of misreading it."""

import array
import struct

import numpy as np
import pytest
from django.db.models import Count

from coding.analysis import int_rows as int_rows_module
from coding.analysis.int_rows import SIGNATURE, int_rows, parse_binary
from coding.models import Coding
from tests.factories import CodingFactory, DocumentFactory, NodeFactory, UserFactory


def binary(rows, *, sizes=(8, 4)) -> bytes:
    """PostgreSQL's binary COPY of `rows`: a field of None is a NULL (length -1)."""
    out = SIGNATURE + struct.pack(">ii", 0, 0)
    for row in rows:
        out += struct.pack(">h", len(row))
        for value, size in zip(row, sizes, strict=True):
            if value is None:
                out += struct.pack(">i", -1)
            else:
                out += struct.pack(">i", size) + value.to_bytes(size, "big", signed=True)
    return out + b"\xff\xff"


@pytest.mark.django_db
def test_the_rows_equal_the_orms_on_this_database():
    document = DocumentFactory()
    nodes = [NodeFactory(project=document.project) for _ in range(3)]
    coders = [UserFactory() for _ in range(2)]
    for i in range(12):
        CodingFactory(document=document, node=nodes[i % 3], coder=coders[i % 2], start=i, end=i + 3 + i % 4)
    spans = (
        Coding.objects.filter(document=document).order_by("id").values_list("document_id", "start", "node_id", "end")
    )
    assert int_rows(spans, 4).tolist() == [list(row) for row in spans]
    grouped = (
        Coding.objects.filter(document=document)
        .values("document_id", "node_id")
        .annotate(n=Count("id"))
        .order_by("node_id")
        .values_list("document_id", "node_id", "n")
    )
    assert int_rows(grouped, 3).tolist() == [[document.pk, node.pk, 4] for node in nodes]
    assert int_rows(spans.none(), 4).shape == (0, 4)


def test_binary_copy_of_ids_and_positions_is_read_as_int64():
    data = binary([(2**40 + 1, 0), (7, 2**31 - 1), (3, -5)])
    found = parse_binary(data, 2)
    assert found.dtype == np.int64
    assert found.tolist() == [[2**40 + 1, 0], [7, 2**31 - 1], [3, -5]]
    assert parse_binary(binary([]), 2).shape == (0, 2)


@pytest.mark.parametrize("kind", [bytearray, lambda data: array.array("B", data)])
def test_an_array_of_bytes_is_read_in_place_block_by_block(monkeypatch, kind):
    monkeypatch.setattr(int_rows_module, "BLOCK", 2)  # five rows: blocks of two, the last one short
    rows = [(2**40 + i, i * 7, -i, 2**31 - 1 - i) for i in range(5)]
    data = kind(binary(rows, sizes=(8, 4, 8, 4)))
    found = parse_binary(data, 4)
    assert found.tolist() == [list(row) for row in rows]
    assert len(data) == 5 * 4 * 8  # cut to the rows
    assert np.shares_memory(found, np.frombuffer(data, dtype=np.uint8))  # no second copy of the COPY bytes


def test_smallints_and_read_only_bytes_are_copied_not_overwritten():
    rows = [(1, -2), (300, 4), (-5, 6)]
    small = bytearray(binary(rows, sizes=(2, 2)))  # 14-byte tuples, 16-byte rows: too narrow to write over
    found = parse_binary(small, 2)
    assert found.tolist() == [list(row) for row in rows]
    assert not np.shares_memory(found, np.frombuffer(small, dtype=np.uint8))
    assert parse_binary(bytes(binary(rows)), 2).tolist() == [list(row) for row in rows]


@pytest.mark.parametrize(
    "data",
    [
        binary([(1, 2), (3, None)]),  # a NULL
        binary([(1, 2, 3)], sizes=(8, 4, 4)),  # three columns where two were asked for
        binary([(1, 2)], sizes=(8, 3)),  # a three-byte field is no integer type
        b"NOTCOPY\n\xff\r\n\x00" + binary([(1, 2)])[11:],  # not the signature
        binary([(1, 2)])[:-2],  # no trailer
        binary([(1, 2), (3, 4)])[:-5] + b"\xff\xff",  # a cut-off tuple
    ],
)
def test_anything_but_fixed_width_integers_is_refused_not_misread(data):
    assert parse_binary(data, 2) is None
