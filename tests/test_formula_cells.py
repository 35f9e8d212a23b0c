"""No export hands Excel a formula: every CSV and .xlsx download, with formula-looking text planted in every field.

Titles, issuers, document numbers, custom attribute names and values, node names and descriptions, usernames,
coded passages, memos and dictionary words all start with =, +, - or @. Each export is parsed back (csv module,
openpyxl) and every cell is checked: in CSV a cell starting with such a character must be a plain number,
anything else carries a ' in front; in .xlsx every text cell is a string cell, never a formula. Numbers,
negative ones included, stay numbers. A new export route that is not listed here fails the last test.
"""

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from coding.models import Assignment
from policies import writers
from policies.models import DictionaryTerm, Role
from policies.services.documents import document_import
from tests.factories import CodingFactory, MembershipFactory, NodeFactory, UserFactory

ATTRIBUTE = "@城市"
PLANTED = {
    "title": '=HYPERLINK("http://evil.example","点击")',
    "issuer": "+cmd|' /C calc'!A0",
    "doc_number": "-2+3",
    "city": "=1+1",
    "memo": "@SUM(1,1)",
}
TEXT = "=数据共享条例\n第一条　推进+数据共享，-网信办负责统筹。\n第二条　=SUM(A1) 政府数据以共享为原则。"
PLAIN_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")


@pytest.fixture
def formula_names(project, owner):
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="+alice")).user
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="-bob")).user
    DictionaryTerm.objects.create(project=project, word="+数据共享", frequency=1000, tag="n")
    DictionaryTerm.objects.create(project=project, word="-网信办", frequency=1000, tag="nt")
    documents = [
        document_import(
            project=project,
            user=owner,
            filename=f"条例{i}.txt",
            data=f"{TEXT}\n附件{i}".encode(),
            attributes={
                "title": f"{PLANTED['title']}{i}",
                "issuer": PLANTED["issuer"],
                "doc_number": PLANTED["doc_number"],
                "province": "贵州省",
                "attributes": {ATTRIBUTE: PLANTED["city"]},
            },
        )[0].document
        for i in range(2)
    ]
    root = NodeFactory(project=project, name="=数据归集", description="+归集规则", order=0)
    child = NodeFactory(project=project, name="@基础数据", parent=root, description="-说明", order=0)
    NodeFactory(project=project, name="-数据共享", order=1)
    for document in documents:
        Assignment.objects.create(project=project, document=document, coder=alice)
        Assignment.objects.create(project=project, document=document, coder=bob)
        # alice and bob code different characters at the same node: a negative kappa, a negative number
        CodingFactory(document=document, node=child, coder=alice, start=0, end=7, memo=PLANTED["memo"])
        CodingFactory(document=document, node=child, coder=bob, start=8, end=30, memo="=2*3")
    return {"project": project, "owner": owner}


# (url name, extra kwargs, query parameters)
EXPORTS = [
    ("api:codings-csv", {}, {}),
    ("api:codings-xlsx", {}, {}),
    ("api:attribute-sheet", {}, {}),
    ("policies:attribute-sheet", {}, {}),
    ("api:nodes-export", {"fmt": "csv"}, {}),
    ("framework:export", {"fmt": "csv"}, {}),
    ("api:agreement-export", {"fmt": "csv"}, {"coders": "+alice,-bob", "assume_all_reviewed": "1"}),
    ("api:agreement-export", {"fmt": "xlsx"}, {"coders": "+alice,-bob", "assume_all_reviewed": "1"}),
    ("coding:matrix-csv", {}, {"rows": f"attr:{ATTRIBUTE}", "value": "references"}),
    ("coding:matrix-xlsx", {}, {"rows": "issuer", "value": "coverage"}),
    ("coding:summary-csv", {}, {"rows": "issuer"}),
    ("coding:summary-xlsx", {}, {"rows": f"attr:{ATTRIBUTE}"}),
    ("cooccurrence:csv", {}, {"level": "2"}),
    ("cooccurrence:xlsx", {}, {"unit": "document", "format": "long"}),
    ("coding:counts-csv", {}, {"by": "issuer"}),
    ("coding:counts-xlsx", {}, {"by": f"attr:{ATTRIBUTE}"}),
    ("policies:word-frequency-csv", {}, {"min_length": "1"}),
    ("policies:word-frequency-xlsx", {}, {"min_length": "1"}),
]


# exports whose files hold no spreadsheet cells, with what they are
NOT_SPREADSHEETS = {"api:project-export": "a REFI-QDA .qdpx: a zip of XML, plain text and JSON"}


def _download(client, name, kwargs, params, project):
    response = client.get(reverse(name, kwargs={"project_id": project.pk, **kwargs}), params)
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")  # for Excel
    return [cell for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) for cell in row]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs", "params"), EXPORTS, ids=[f"{e[0]} {e[1]}" for e in EXPORTS])
def test_every_export_neutralizes_formula_cells(client, formula_names, name, kwargs, params):
    client.force_login(formula_names["owner"])
    body = _download(client, name, kwargs, params, formula_names["project"])
    guarded = []
    if body.startswith(b"PK"):  # an .xlsx workbook
        workbook = openpyxl.load_workbook(io.BytesIO(body))
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        for cell in cells:
            assert cell.data_type in ("s", "n", "b"), (cell.coordinate, cell.value, cell.data_type)  # never "f"
            if cell.data_type == "s" and cell.value.startswith(writers.FORMULA_STARTS):
                guarded.append(cell.value)
    else:
        for cell in _csv_cells(body):
            if cell.startswith(writers.FORMULA_STARTS):
                assert PLAIN_NUMBER.fullmatch(cell), f"{cell!r} would run as a formula"
            if cell.startswith("'") and writers.unguard(cell) != cell:
                guarded.append(writers.unguard(cell))
    assert guarded, "nothing formula-like reached this export: the test planted in the wrong place"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_negative_numbers_stay_numbers(client, formula_names, fmt):
    client.force_login(formula_names["owner"])
    params = {"coders": "+alice,-bob", "assume_all_reviewed": "1"}
    body = _download(client, "api:agreement-export", {"fmt": fmt}, params, formula_names["project"])
    if fmt == "xlsx":
        cells = [c for row in openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows() for c in row]
        negative = [c.value for c in cells if c.data_type == "n" and c.value is not None and c.value < 0]
    else:
        negative = [float(c) for c in _csv_cells(body) if PLAIN_NUMBER.fullmatch(c) and float(c) < 0]
    assert negative  # kappa below zero: written as a number, not guarded as text


@pytest.mark.django_db
def test_the_exported_attribute_sheet_imports_back_unchanged(client, formula_names):
    project = formula_names["project"]
    client.force_login(formula_names["owner"])
    body = _download(client, "policies:attribute-sheet", {}, {}, project)
    before = list(project.documents.order_by("id").values_list("title", "issuer", "doc_number", "attributes"))
    response = client.post(
        reverse("api:attribute-sheet", kwargs={"project_id": project.pk}),
        {"file": io.BytesIO(body)},
    )
    assert response.status_code == 200, response.content
    after = list(project.documents.order_by("id").values_list("title", "issuer", "doc_number", "attributes"))
    assert after == before
    assert before[0][2] == PLANTED["doc_number"]


@pytest.mark.django_db
def test_the_exported_codebook_imports_back_with_its_names(client, formula_names):
    from framework import services as framework_services
    from tests.factories import ProjectFactory

    client.force_login(formula_names["owner"])
    body = _download(client, "framework:export", {"fmt": "csv"}, {}, formula_names["project"])
    fresh = ProjectFactory()
    report = framework_services.codebook_import_file(project=fresh, filename="codebook.csv", data=body)
    assert sorted(report.added) == ["-数据共享", "=数据归集", "=数据归集/@基础数据"]
    assert set(fresh.nodes.values_list("description", flat=True)) == {"", "+归集规则", "-说明"}


def test_every_spreadsheet_export_route_is_checked():
    from tests.test_no_server_errors import _named_routes

    exports = {
        name
        for name, pattern in _named_routes()
        if re.search(r"csv|xlsx|export", f"{name} {pattern.pattern}") and not name.startswith("admin:")
    }
    assert exports - {e[0] for e in EXPORTS} - set(NOT_SPREADSHEETS) == set()
