"""Code co-occurrence on page, API and files: the counts for each unit and value, the layer (default, explicit coder,
共识 never added, blind coders), the drill-down, CSV/xlsx/SVG, and bad input."""

import csv
import io
from urllib.parse import unquote

import pytest
from django.urls import reverse

from coding import services as coding_services
from coding.models import Coding
from policies.models import Role, Section
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory

FIRST_TEXT = "第一条" + "甲" * 17 + "第二条" + "乙" * 37  # two articles: [0, 20) and [20, 60)


def code(document, node, coder, start, end):
    return CodingFactory(document=document, node=node, coder=coder, start=start, end=end)


@pytest.fixture
def cooccurrence_corpus(project, owner):
    """A (with child A1), B, C. alice and bob code two documents; the first has two articles, the second none."""
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    a = NodeFactory(project=project, name="数据共享", order=0)
    a1 = NodeFactory(project=project, name="分级分类", parent=a, order=0)
    b = NodeFactory(project=project, name="数据安全", order=1)
    c = NodeFactory(project=project, name="<开放>", order=2)
    first = DocumentFactory(project=project, title="贵州省数据条例", text=FIRST_TEXT, char_count=len(FIRST_TEXT))
    second = DocumentFactory(project=project, title="云南省数据办法")
    Section.objects.create(document=first, kind="article", label="第一条", level=1, start=0, end=20)
    Section.objects.create(document=first, kind="article", label="第二条", level=1, start=20, end=60)
    code(first, a1, alice, 0, 10)
    code(first, b, alice, 5, 15)
    code(first, a, bob, 2, 8)
    code(first, c, bob, 40, 50)
    code(first, b, bob, 30, 35)
    code(second, b, bob, 0, 5)
    code(second, c, bob, 3, 9)
    return {"project": project, "owner": owner, "alice": alice, "bob": bob, "nodes": (a, b, c), "docs": (first, second)}


def get_json(api_as, user, project, **params):
    response = api_as(user).get(reverse("api:cooccurrence", args=[project.pk]), params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit", "cells"),
    [
        ("passage", [[1, 1, 0], [1, 3, 1], [0, 1, 2]]),
        ("article", [[1, 1, 0], [1, 3, 2], [0, 2, 2]]),
        ("document", [[1, 1, 1], [1, 2, 2], [1, 2, 2]]),
    ],
)
def test_api_counts_each_unit_on_the_default_layer(api_as, cooccurrence_corpus, unit, cells):
    answer = get_json(api_as, cooccurrence_corpus["owner"], cooccurrence_corpus["project"], unit=unit, level=1)
    assert answer["cells"] == cells
    assert answer["unit"] == unit
    assert [n["path"] for n in answer["nodes"]] == ["数据共享", "数据安全", "<开放>"]
    assert [n["id"] for n in answer["nodes"]] == [n.pk for n in cooccurrence_corpus["nodes"]]
    assert answer["layer"] == {"kind": "coders", "coders": ["alice", "bob"], "label": "All coders (union)"}


@pytest.mark.django_db
def test_api_c_coefficient_keeps_the_own_counts_on_the_diagonal(api_as, cooccurrence_corpus):
    answer = get_json(api_as, cooccurrence_corpus["owner"], cooccurrence_corpus["project"], unit="article", value="c")
    assert answer["value"] == "c"
    assert answer["cells"][0] == [1, pytest.approx(1 / 3, abs=1e-4), 0]
    assert answer["cells"][1][2] == pytest.approx(2 / 3, abs=1e-4)
    assert answer["cells"][1][1] == 3


@pytest.mark.django_db
def test_api_nodes_list_instead_of_a_level_and_children_roll_up(api_as, cooccurrence_corpus):
    a = cooccurrence_corpus["nodes"][0]
    a1 = a.children.get()
    answer = get_json(api_as, cooccurrence_corpus["owner"], cooccurrence_corpus["project"], nodes=f"{a1.pk},{a.pk}")
    assert [n["name"] for n in answer["nodes"]] == ["数据共享", "分级分类"]  # codebook order
    assert answer["cells"] == [[1, 1], [1, 1]]  # A holds A1's coding: the same passage


@pytest.mark.django_db
def test_an_explicit_coder_counts_only_their_codings(api_as, cooccurrence_corpus):
    answer = get_json(api_as, cooccurrence_corpus["owner"], cooccurrence_corpus["project"], coders="alice")
    assert answer["layer"]["coders"] == ["alice"]
    assert answer["cells"] == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]


@pytest.mark.django_db
def test_consensus_is_the_default_once_it_holds_codings_and_is_never_added_to_coders(api_as, cooccurrence_corpus):
    consensus = coding_services.consensus_coder(cooccurrence_corpus["project"])
    a, b, _c = cooccurrence_corpus["nodes"]
    code(cooccurrence_corpus["docs"][0], a, consensus, 0, 10)
    code(cooccurrence_corpus["docs"][0], b, consensus, 20, 30)
    default = get_json(api_as, cooccurrence_corpus["owner"], cooccurrence_corpus["project"])
    assert default["layer"]["kind"] == "consensus"
    assert default["cells"] == [[1, 0, 0], [0, 1, 0], [0, 0, 0]]
    both = get_json(api_as, cooccurrence_corpus["owner"], cooccurrence_corpus["project"], coders="alice,bob")
    assert both["layer"]["coders"] == ["alice", "bob"]
    assert both["cells"] == [[1, 1, 0], [1, 3, 1], [0, 1, 2]]  # as before 共识 held anything
    union = get_json(api_as, cooccurrence_corpus["owner"], cooccurrence_corpus["project"], coders="alice,bob,共识")
    assert union["cells"][0][0] == 1  # 共识's passage at A overlaps alice's and bob's: still one passage
    assert union["cells"][1][1] == 4


@pytest.mark.django_db
def test_a_blind_coder_counts_only_their_own_and_is_refused_others(api_as, cooccurrence_corpus):
    coding_services.options_update(project=cooccurrence_corpus["project"], blind=True)
    own = get_json(api_as, cooccurrence_corpus["bob"], cooccurrence_corpus["project"])
    assert own["layer"]["coders"] == ["bob"]
    assert own["cells"] == [[1, 0, 0], [0, 2, 1], [0, 1, 2]]
    refused = api_as(cooccurrence_corpus["bob"]).get(
        reverse("api:cooccurrence", args=[cooccurrence_corpus["project"].pk]), {"coders": "alice"}
    )
    assert refused.status_code == 400
    assert "blind" in refused.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"unit": "sentence"}, "Unknown unit"),
        ({"value": "jaccard"}, "Unknown value"),
        ({"level": "x"}, "whole number"),
        ({"level": "9"}, "does not exist"),
        ({"nodes": "1,a"}, "node ids"),
        ({"nodes": "999999"}, "not in this project"),
        ({"coders": "nobody"}, "Unknown coder"),
        ({"unit": "passage\x00"}, "control character"),
        ({"min": "-1"}, "min"),
    ],
)
def test_bad_parameters_are_a_400_with_a_detail(api_as, cooccurrence_corpus, params, message):
    before = Coding.objects.count()
    response = api_as(cooccurrence_corpus["owner"]).get(
        reverse("api:cooccurrence", args=[cooccurrence_corpus["project"].pk]), params
    )
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert Coding.objects.count() == before


@pytest.fixture
def owner_client(client, owner):
    """The test client, logged in as the project's owner."""
    client.force_login(owner)
    return client


@pytest.mark.django_db
def test_page_shows_the_heatmap_with_the_layer_and_cell_links(owner_client, cooccurrence_corpus):
    response = owner_client.get(reverse("cooccurrence:page", args=[cooccurrence_corpus["project"].pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert 'id="cooccurrence-table"' in body
    assert "All coders (union)" in body
    assert "数据安全" in body
    assert "&lt;开放&gt;" in body
    assert "<开放>" not in body
    assert reverse("cooccurrence:cell", args=[cooccurrence_corpus["project"].pk]) in body
    assert "<svg" in body  # the network figure


@pytest.mark.django_db
def test_htmx_request_gets_only_the_table(owner_client, cooccurrence_corpus):
    response = owner_client.get(
        reverse("cooccurrence:page", args=[cooccurrence_corpus["project"].pk]),
        {"unit": "document", "value": "c"},
        headers={"HX-Request": "true", "HX-Target": "cooccurrence-table"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="cooccurrence-table"')
    assert "<html" not in body
    assert "0.50" in body  # A and C: 1 / (1 + 2 − 1)


@pytest.mark.django_db
def test_bad_parameters_on_the_page_show_a_message(owner_client, cooccurrence_corpus):
    response = owner_client.get(reverse("cooccurrence:page", args=[cooccurrence_corpus["project"].pk]), {"unit": "x"})
    assert response.status_code == 200
    assert "Unknown unit" in response.content.decode()


@pytest.mark.django_db
def test_a_cell_lists_the_passages_with_title_excerpt_and_a_link_to_the_coding_page(owner_client, cooccurrence_corpus):
    a, b, _c = cooccurrence_corpus["nodes"]
    first = cooccurrence_corpus["docs"][0]
    url = reverse("cooccurrence:cell", args=[cooccurrence_corpus["project"].pk])
    response = owner_client.get(url, {"a": a.pk, "b": b.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "贵州省数据条例" in body
    assert f"{reverse('coding:workspace', args=[first.pk])}#at-0-15" in body
    assert FIRST_TEXT[0:15] in body
    assert "1 unit coded at both" in body
    article = owner_client.get(
        url, {"a": b.pk, "b": cooccurrence_corpus["nodes"][2].pk, "unit": "article"}
    ).content.decode()
    assert "2 units coded at both" in article
    assert "#at-20-60" in article  # the article 第二条


@pytest.mark.django_db
def test_a_cell_with_bad_nodes_is_a_400_page(owner_client, cooccurrence_corpus):
    url = reverse("cooccurrence:cell", args=[cooccurrence_corpus["project"].pk])
    not_ids = owner_client.get(url, {"a": "x", "b": "1"})
    assert not_ids.status_code == 400
    assert '<p class="error">“a” and “b” must be node ids.</p>' in not_ids.content.decode()
    response = owner_client.get(url, {"a": cooccurrence_corpus["nodes"][0].pk, "b": 999999})
    assert response.status_code == 400
    assert "Node 999999 is not in this project&#x27;s codebook." in response.content.decode()


@pytest.mark.django_db
def test_csv_parses_with_a_header_first_and_names_the_layer(owner_client, cooccurrence_corpus):
    response = owner_client.get(
        reverse("cooccurrence:csv", args=[cooccurrence_corpus["project"].pk]), {"coders": "alice"}
    )
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff"))))
    assert [r["Node"] for r in rows] == ["数据共享", "数据安全", "<开放>"]
    assert rows[0] == {"Node": "数据共享", "数据共享": "1", "数据安全": "1", "<开放>": "0"}
    lines = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"))))
    assert {len(line) for line in lines} == {4}
    assert response["X-PolicyCoder-Layer"] == "coder; coders=alice; label=Coder%20alice"
    assert "alice" in unquote(response["Content-Disposition"])


@pytest.mark.django_db
def test_long_csv_is_one_row_column_value_line_per_cell(owner_client, cooccurrence_corpus):
    response = owner_client.get(
        reverse("cooccurrence:csv", args=[cooccurrence_corpus["project"].pk]), {"format": "long"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 9
    assert rows[1] == {"row": "数据共享", "column": "数据安全", "value": "1"}
    assert "all-coders" in response["Content-Disposition"]


@pytest.mark.django_db
def test_xlsx_has_the_table_and_the_about_sheet(owner_client, cooccurrence_corpus):
    from openpyxl import load_workbook

    response = owner_client.get(
        reverse("cooccurrence:xlsx", args=[cooccurrence_corpus["project"].pk]), {"unit": "document"}
    )
    book = load_workbook(io.BytesIO(response.content))
    values = [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]
    assert values[0] == ["Node", "数据共享", "数据安全", "<开放>"]
    assert values[2] == ["数据安全", 1, 2, 2]
    about = dict(row for row in book["说明"].iter_rows(values_only=True))
    assert about["Layer"] == "All coders (union)"
    assert about["Unit"] == "Same document"
    assert response["X-PolicyCoder-Layer"].startswith("coders; coders=alice,bob;")


@pytest.mark.django_db
def test_heatmap_and_network_svg_hold_the_escaped_labels(owner_client, cooccurrence_corpus):
    for name in ("cooccurrence:svg", "cooccurrence:network"):
        response = owner_client.get(reverse(name, args=[cooccurrence_corpus["project"].pk]))
        body = response.content.decode()
        assert response["Content-Type"].startswith("image/svg+xml")
        assert body.startswith("<svg")
        assert "&lt;开放&gt;" in body
        assert "All coders (union)" in body
        assert response["X-PolicyCoder-Layer"].startswith("coders;")


@pytest.mark.django_db
def test_export_with_bad_parameters_is_a_400_page(owner_client, cooccurrence_corpus):
    response = owner_client.get(reverse("cooccurrence:csv", args=[cooccurrence_corpus["project"].pk]), {"value": "x"})
    assert response.status_code == 400
    assert '<p class="error">Unknown value “x”: use one of count, c.</p>' in response.content.decode()


@pytest.mark.django_db
def test_a_codebook_without_codings_counts_zeros(api_as, project, owner):
    NodeFactory(project=project, name="数据共享", order=0)
    NodeFactory(project=project, name="数据安全", order=1)
    answer = get_json(api_as, owner, project, unit="article")
    assert answer["cells"] == [[0, 0], [0, 0]]
    assert get_json(api_as, owner, project, value="c")["cells"] == [[0, 0], [0, 0]]
