"""One coding layer behind every count: a hand-built project with two coders and a consensus layer (共识).

alice and bob code three documents (two in 山东省, one national 全国); the owner accepts one passage into 共识. For
every place that counts codings: the default layer (共识 once it holds codings, else the one coder, else the
union of all coders), each explicit layer, a blind coder, and that 共识 is never counted as a coder.
"""

import csv
import io
from urllib.parse import unquote

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding import counts as coding_counts
from coding import export, layers, nodeview
from coding import services as coding_services
from coding.analysis import matrix, matrix_table, reliability
from coding.export import ExportSelection
from coding.models import Coding
from coding.nodeview import NodeViewQuery
from framework import panel
from policies.models import Role
from policies.text import search
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory

SHANDONG, NATIONAL = "山东省", "全国"


def code(document, node, coder, start, end):
    return CodingFactory(document=document, node=node, coder=coder, start=start, end=end)


@pytest.fixture
def team(project, owner):
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    share = NodeFactory(project=project, name="数据共享", order=0)
    grading = NodeFactory(project=project, name="分级分类", parent=share, order=0)
    safety = NodeFactory(project=project, name="数据安全", order=1)
    first = DocumentFactory(project=project, province=SHANDONG)
    second = DocumentFactory(project=project, province=SHANDONG)
    national = DocumentFactory(project=project, province=NATIONAL)
    code(first, grading, alice, 0, 10)
    code(first, grading, bob, 2, 12)
    code(second, share, alice, 0, 5)
    code(national, safety, bob, 0, 8)
    return {
        "project": project,
        "owner": owner,
        "alice": alice,
        "bob": bob,
        "nodes": (share, grading, safety),
        "docs": (first, second, national),
    }


@pytest.fixture
def agreed(team):
    """The owner accepts alice's passage in the first document into 共识."""
    first, grading = team["docs"][0], team["nodes"][1]
    consensus = coding_services.consensus_coder(team["project"])
    code(first, grading, consensus, 0, 10)
    return {**team, "consensus": consensus}


def matrix_json(api_as, user, project, **params):
    response = api_as(user).get(reverse("api:matrix", args=[project.pk]), {"value": "references", **params})
    assert response.status_code == 200, response.content
    return response.json()


# --- the rule --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_default_is_all_coders_union_while_no_consensus_exists(team):
    layer = layers.default_layer(team["project"], team["owner"])
    assert (layer.kind, layer.names, layer.everyone) == ("coders", ("alice", "bob"), True)
    assert layer.label == "All coders (union)"


@pytest.mark.django_db
def test_default_is_the_consensus_layer_once_it_holds_codings(agreed):
    layer = layers.default_layer(agreed["project"], agreed["owner"])
    assert layer.as_json() == {"kind": "consensus", "coders": ["consensus"], "label": "Consensus (共识)"}
    assert layer.ids == (agreed["consensus"].pk,)


@pytest.mark.django_db
def test_an_empty_consensus_layer_is_not_the_default(team):
    coding_services.consensus_coder(team["project"])  # the layer's user exists, nothing accepted yet
    assert layers.default_layer(team["project"], team["owner"]).kind == "coders"


@pytest.mark.django_db
def test_default_is_the_one_member_who_coded(project, owner):
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob"))  # has not coded
    code(DocumentFactory(project=project), NodeFactory(project=project), alice, 0, 4)
    assert layers.default_layer(project, owner).as_json() == {
        "kind": "coder",
        "coders": ["alice"],
        "label": "Coder alice",
    }


@pytest.mark.django_db
def test_codings_at_nodes_are_the_layers_codings_there_and_never_another_projects(agreed):
    project, alice = agreed["project"], agreed["alice"]
    share, grading, safety = agreed["nodes"]
    elsewhere = CodingFactory(coder=alice)  # alice codes in another project too
    owner_layer = layers.layer_for(project, agreed["owner"], ("alice", "bob"))
    wanted = [grading.pk, safety.pk, elsewhere.node_id]
    at = layers.layer_codings_at(project, agreed["owner"], owner_layer, wanted)
    expected = layers.layer_codings(project, agreed["owner"], owner_layer).filter(node_id__in=[grading.pk, safety.pk])
    assert sorted(at.values_list("pk", flat=True)) == sorted(expected.values_list("pk", flat=True))
    assert len(expected) == 3
    assert elsewhere.pk not in set(at.values_list("pk", flat=True))
    coding_services.options_update(project=project, blind=True)
    blind = layers.layer_for(project, alice)
    own = layers.layer_codings_at(project, alice, blind, [share.pk, grading.pk, safety.pk])
    assert set(own.values_list("coder__username", flat=True)) == {"alice"}
    assert own.count() == 2


@pytest.mark.django_db
def test_a_blind_coders_default_is_their_own_layer_even_with_a_consensus(agreed):
    coding_services.options_update(project=agreed["project"], blind=True)
    layer = layers.default_layer(agreed["project"], agreed["bob"])
    assert (layer.kind, layer.names) == ("coder", ("bob",))
    with pytest.raises(Exception, match="blind"):
        layers.layer_for(agreed["project"], agreed["bob"], ["alice"])


@pytest.mark.django_db
def test_coders_parameter_names_usernames_consensus_or_共识(agreed):
    project, owner = agreed["project"], agreed["owner"]
    assert layers.layer_for(project, owner, ["共识"]).kind == "consensus"
    assert layers.layer_for(project, owner, ["consensus"]).ids == (agreed["consensus"].pk,)
    both = layers.layer_for(project, owner, ["alice", "共识"])
    assert both.as_json() == {
        "kind": "coders",
        "coders": ["alice", "consensus"],
        "label": "Union of alice、共识 (the consensus layer included)",
    }
    with pytest.raises(Exception, match="nobody"):
        layers.layer_for(project, owner, ["nobody"])


@pytest.mark.django_db
def test_header_value_is_ascii_and_decodes_to_the_label(agreed):
    layer = layers.layer_for(agreed["project"], agreed["owner"], ["alice", "共识"])
    value = layer.header()
    assert value.isascii()
    kind, coders, label = (part.split("=", 1)[-1] for part in value.split("; "))
    assert (kind, coders) == ("coders", "alice,consensus")
    assert unquote(label) == layer.label


# --- matrix: page, API, CSV, xlsx, SVG -------------------------------------------------------------


@pytest.mark.django_db
def test_matrix_default_counts_共识_only_when_it_holds_codings(api_as, agreed):
    data = matrix_json(api_as, agreed["owner"], agreed["project"])
    assert data["layer"]["kind"] == "consensus"
    assert data["rows"] == [SHANDONG, NATIONAL]
    assert data["cells"] == [[1, 0], [0, 0]]  # 共识's one passage, not coders' four plus it


@pytest.mark.django_db
def test_matrix_default_without_consensus_is_the_union_and_不_inflated(api_as, team):
    data = matrix_json(api_as, team["owner"], team["project"])
    assert data["layer"] == {"kind": "coders", "coders": ["alice", "bob"], "label": "All coders (union)"}
    assert data["cells"] == [[3, 0], [0, 1]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("coders", "kind", "cells"),
    [
        ("alice", "coder", [[2, 0], [0, 0]]),
        ("bob", "coder", [[1, 0], [0, 1]]),
        ("alice,bob", "coders", [[3, 0], [0, 1]]),
        ("共识", "consensus", [[1, 0], [0, 0]]),
        ("alice,共识", "coders", [[3, 0], [0, 0]]),
    ],
)
def test_matrix_each_explicit_layer(api_as, agreed, coders, kind, cells):
    data = matrix_json(api_as, agreed["owner"], agreed["project"], coders=coders)
    assert data["layer"]["kind"] == kind
    assert data["cells"] == cells


@pytest.mark.django_db
def test_matrix_blind_coder_counts_their_own_and_is_refused_others(api_as, agreed):
    coding_services.options_update(project=agreed["project"], blind=True)
    data = matrix_json(api_as, agreed["alice"], agreed["project"])
    assert data["layer"]["coders"] == ["alice"]
    assert data["cells"] == [[2, 0], [0, 0]]
    before = Coding.objects.count()
    refused = api_as(agreed["alice"]).get(reverse("api:matrix", args=[agreed["project"].pk]), {"coders": "bob"})
    assert refused.status_code == 400
    assert "blind" in refused.json()["detail"]
    assert Coding.objects.count() == before


@pytest.mark.django_db
def test_matrix_page_shows_the_layer_in_its_heading_line(client, agreed):
    client.force_login(agreed["owner"])
    page = client.get(reverse("coding:matrix", args=[agreed["project"].pk])).content.decode()
    assert 'id="layer"' in page
    assert "Consensus (共识)" in page


@pytest.mark.django_db
def test_matrix_csv_parses_as_a_table_and_names_its_layer(client, agreed):
    client.force_login(agreed["owner"])
    response = client.get(
        reverse("coding:matrix-csv", args=[agreed["project"].pk]), {"coders": "alice,bob", "value": "references"}
    )
    assert response["X-PolicyCoder-Layer"].startswith("coders; coders=alice,bob; label=")
    assert "alice%2Bbob" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["Province"] == SHANDONG
    assert rows[0]["数据共享"] == "3"


@pytest.mark.django_db
def test_matrix_csv_is_rectangular_and_has_a_long_form(client, team):
    client.force_login(team["owner"])
    url = reverse("coding:matrix-csv", args=[team["project"].pk])
    wide = list(csv.reader(io.StringIO(client.get(url, {"level": "2"}).content.decode("utf-8-sig"))))
    assert {len(line) for line in wide} == {len(wide[0])}  # every line as wide as the header
    assert wide[0][1] == "数据共享/分级分类"  # full paths: no two columns share a name
    assert wide[-1][0] == "Rows with any coding"
    response = client.get(url, {"format": "long", "value": "references"})
    assert "-long-all-coders" in response["Content-Disposition"]
    tidy = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tidy[0] == {"row": SHANDONG, "column": "数据共享", "value": "3"}
    assert len(tidy) == 2 * 2  # rows × columns, no totals


def test_header_groups_put_each_category_over_its_run_of_subcategories():
    assert matrix_table.header_groups(["数据共享", "数据安全"]) == []
    paths = ["数据共享/分级分类", "数据共享/目录", "数据安全/保护", "数据共享/开放"]
    assert matrix_table.header_groups(paths) == [("数据共享", 2), ("数据安全", 1), ("数据共享", 1)]


@pytest.mark.django_db
def test_matrix_at_level_2_has_a_two_row_header_on_the_page_svg_and_xlsx(client, team):
    from openpyxl import load_workbook

    client.force_login(team["owner"])
    project = team["project"]
    page = client.get(reverse("coding:matrix", args=[project.pk]), {"level": "2"}).content.decode()
    assert 'class="col-group" colspan="1" title="数据共享">数据共享</th>' in page
    svg = client.get(reverse("coding:matrix-svg", args=[project.pk]), {"level": "2"}).content.decode()
    assert 'font-weight="600">数据共享</text>' in svg
    book = load_workbook(
        io.BytesIO(client.get(reverse("coding:matrix-xlsx", args=[project.pk]), {"level": "2"}).content)
    )
    first, second = list(book.worksheets[0].iter_rows(values_only=True))[:2]
    assert (first[1], second[1]) == ("数据共享", "数据共享/分级分类")


@pytest.mark.django_db
def test_matrix_xlsx_has_the_说明_sheet(client, agreed):
    from openpyxl import load_workbook

    client.force_login(agreed["owner"])
    response = client.get(reverse("coding:matrix-xlsx", args=[agreed["project"].pk]), {"province": SHANDONG})
    about = dict(load_workbook(io.BytesIO(response.content))["说明"].iter_rows(values_only=True))
    assert about["Layer"] == "Consensus (共识)"
    assert about["Filters"] == f"province={SHANDONG}"
    assert about["Project"] == agreed["project"].name
    assert about["Date"]


@pytest.mark.django_db
def test_matrix_svg_title_names_the_layer(client, agreed):
    client.force_login(agreed["owner"])
    response = client.get(reverse("coding:matrix-svg", args=[agreed["project"].pk]), {"coders": "bob"})
    assert "Coder bob" in response.content.decode()
    assert response["X-PolicyCoder-Layer"].startswith("coder; coders=bob;")


# --- framework summary ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_summary_counts_the_default_layer_and_says_so(client, agreed):
    query, found = matrix.framework_summary(agreed["project"], agreed["owner"], matrix.MatrixQuery())
    assert query.layer.kind == "consensus"
    counts = {node.row.name: (count, names) for node, count, names in found}
    assert counts["数据安全"] == (0, ())  # only bob coded it, in 全国: not in 共识
    assert counts["数据共享"] == (1, (SHANDONG,))
    client.force_login(agreed["owner"])
    page = client.get(reverse("coding:framework-summary", args=[agreed["project"].pk])).content.decode()
    assert "Consensus (共识)" in page


@pytest.mark.django_db
def test_summary_explicit_layer_and_its_export(client, agreed):
    query = matrix.MatrixQuery(coders=("bob",), provinces_only=False)
    _query, found = matrix.framework_summary(agreed["project"], agreed["owner"], query)
    assert {node.row.name: count for node, count, _names in found}["数据安全"] == 1
    client.force_login(agreed["owner"])
    response = client.get(reverse("coding:summary-csv", args=[agreed["project"].pk]), {"coders": "bob"})
    assert response["X-PolicyCoder-Layer"].startswith("coder; coders=bob;")
    assert response.content.decode("utf-8-sig").startswith("Level,")


@pytest.mark.django_db
def test_summary_counts_provinces_only_by_default_and_says_so(client, team):
    query, found = matrix.framework_summary(team["project"], team["owner"], matrix.MatrixQuery())
    assert query.provinces_only is True
    names = {node.row.name: (count, names) for node, count, names in found}
    assert names["数据安全"] == (0, ())  # bob coded it only in a national (全国) document
    assert names["数据共享"] == (1, (SHANDONG,))
    _query, everything = matrix.framework_summary(
        team["project"], team["owner"], matrix.MatrixQuery(provinces_only=False)
    )
    assert {node.row.name: count for node, count, _names in everything}["数据安全"] == 1
    client.force_login(team["owner"])
    page = client.get(reverse("coding:framework-summary", args=[team["project"].pk])).content.decode()
    assert "provinces only (全国 and documents without a province left out)" in page
    response = client.get(reverse("coding:summary-csv", args=[team["project"].pk]))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[-1] == "Province (provinces only (全国 and documents without a province left out))"


@pytest.mark.django_db
def test_matrix_provinces_only_leaves_out_全国_when_asked(api_as, team):
    assert matrix_json(api_as, team["owner"], team["project"])["rows"] == [SHANDONG, NATIONAL]
    data = matrix_json(api_as, team["owner"], team["project"], provinces_only="1")
    assert (data["rows"], data["provinces_only"]) == ([SHANDONG], True)
    assert data["cells"] == [[3, 0]]


# --- codebook tree counts, figure, node detail --------------------------------------------------------


def tree_counts(api_as, user, project):
    data = api_as(user).get(reverse("api:nodes", args=[project.pk])).json()
    return {n["name"]: (n["documents"], n["references"], n["coders"]) for n in data}, data[0]["layer"]


@pytest.mark.django_db
def test_tree_counts_without_consensus_are_the_union_of_coders(api_as, team):
    counts, layer = tree_counts(api_as, team["owner"], team["project"])
    assert layer["kind"] == "coders"
    assert counts["分级分类"] == (1, 2, 2)


@pytest.mark.django_db
def test_tree_counts_never_count_共识_as_a_coder(api_as, agreed):
    counts, layer = tree_counts(api_as, agreed["owner"], agreed["project"])
    assert layer["kind"] == "consensus"
    assert counts["分级分类"] == (1, 1, 0)  # 共识's one passage; 共识 is a layer, not a third coder
    union = layers.layer_for(agreed["project"], agreed["owner"], ["alice", "bob", "共识"])

    numbers = coding_counts.node_counts(agreed["project"], coders=union.ids, not_a_coder=union.consensus)
    assert numbers[agreed["nodes"][1].pk] == (1, 3, 2)


@pytest.mark.django_db
def test_tree_counts_of_a_blind_coder_are_their_own(api_as, agreed):
    coding_services.options_update(project=agreed["project"], blind=True)
    counts, layer = tree_counts(api_as, agreed["bob"], agreed["project"])
    assert layer["coders"] == ["bob"]
    assert counts["分级分类"] == (1, 1, 1)
    assert counts["数据安全"] == (1, 1, 1)


@pytest.mark.django_db
def test_tree_panel_on_the_coding_page_names_its_layer(agreed):
    context = panel.panel_context(agreed["project"], agreed["owner"])
    assert context["tree_layer"].kind == "consensus"
    counts = {row.name: row.references for row in context["tree_rows"]}
    assert counts["分级分类"] == 1


@pytest.mark.django_db
def test_codebook_figure_counts_a_layer_and_says_which(client, agreed):
    client.force_login(agreed["owner"])
    url = reverse("framework:figure", args=[agreed["project"].pk])
    default = client.get(url, {"counts": "references"})
    assert "Consensus (共识)" in default.content.decode()
    explicit = client.get(url, {"counts": "references", "coders": "bob"})
    assert "Coder bob" in explicit.content.decode()
    assert explicit["X-PolicyCoder-Layer"].startswith("coder; coders=bob;")
    bad = client.get(url, {"counts": "references", "coders": "nobody"})
    assert bad.status_code == 400
    assert "Unknown coder(s) in this project: nobody." in bad.content.decode()


# --- node view and coded-segment export ------------------------------------------------------------


@pytest.mark.django_db
def test_node_view_default_explicit_and_blind(agreed):
    project, share = agreed["project"], agreed["nodes"][0]
    default = nodeview.load(project, share, agreed["owner"])
    assert (default.layer.kind, default.references, default.coders) == ("consensus", 1, [])
    both = nodeview.load(project, share, agreed["owner"], NodeViewQuery(coders=("alice", "bob")))
    assert (both.references, both.coders) == (3, ["alice", "bob"])
    coding_services.options_update(project=project, blind=True)
    blind = nodeview.load(project, share, agreed["bob"])
    assert (blind.references, blind.coders) == (1, ["bob"])


@pytest.mark.django_db
def test_coded_segment_export_counts_one_layer(api_as, agreed):
    project = agreed["project"]
    response = api_as(agreed["owner"]).get(reverse("api:codings-csv", args=[project.pk]))
    assert response["X-PolicyCoder-Layer"].startswith("consensus;")
    assert "consensus" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row["coder"] for row in rows] == [agreed["consensus"].username]
    codings, context = export.selection(project, ExportSelection(coders=("alice", "bob")), agreed["owner"])
    assert len(list(codings)) == 4
    assert context.layer.names == ("alice", "bob")


# --- text scoped by node, agreement ----------------------------------------------------------------


@pytest.mark.django_db
def test_text_scoped_by_node_reads_the_layer(agreed):
    project, share = agreed["project"], agreed["nodes"][0]
    default = search.scope_spans(project, agreed["owner"], search.Scope(node=share.pk))
    assert default == {agreed["docs"][0].pk: [(0, 10)]}
    both = search.scope_spans(project, agreed["owner"], search.Scope(node=share.pk, coder="alice,bob"))
    assert both[agreed["docs"][0].pk] == [(0, 12)]
    with pytest.raises(search.SearchError, match="nobody"):
        search.scope_spans(project, agreed["owner"], search.Scope(node=share.pk, coder="nobody"))


@pytest.mark.django_db
def test_text_search_api_names_the_layer_of_a_node_scope(api_as, agreed):
    url = reverse("api:text-search", args=[agreed["project"].pk])
    scoped = api_as(agreed["owner"]).get(url, {"q": "数据", "node": agreed["nodes"][0].pk}).json()
    assert scoped["layer"]["kind"] == "consensus"
    whole = api_as(agreed["owner"]).get(url, {"q": "数据"}).json()
    assert whole["layer"] is None


@pytest.mark.django_db
def test_word_frequency_csv_of_a_node_scope_names_its_layer(client, agreed):
    client.force_login(agreed["owner"])
    url = reverse("policies:word-frequency-csv", args=[agreed["project"].pk])
    scoped = client.get(url, {"node": agreed["nodes"][0].pk, "coder": "bob"})
    assert scoped["X-PolicyCoder-Layer"].startswith("coder; coders=bob;")
    assert "bob" in scoped["Content-Disposition"]
    assert "X-PolicyCoder-Layer" not in client.get(url)


@pytest.mark.django_db
def test_agreement_all_coders_leaves_共识_out_and_compares_it_only_when_named(agreed):
    assert reliability.all_coders(agreed["project"]) == ["alice", "bob"]
    query = reliability.resolve(agreed["project"], reliability.AgreementQuery(coders=("alice", "共识")))
    assert query.coders == ("alice", agreed["consensus"].username)


@pytest.mark.django_db
def test_agreement_hides_nodes_neither_side_coded_and_says_how_many_were_compared(client, api_as, team):
    project = team["project"]
    NodeFactory(project=project, name="无人编码", order=5)  # nobody coded it: its κ = 1 would only flatter
    data = (
        api_as(team["owner"])
        .get(reverse("api:agreement", args=[project.pk]), {"coders": "alice,bob", "assume_all_reviewed": "1"})
        .json()
    )
    assert data["nodes_compared"] == 3
    client.force_login(team["owner"])
    url = reverse("coding:agreement", args=[project.pk])
    page = client.get(url, {"coders": "alice,bob", "assume_all_reviewed": "1"}).content.decode()
    assert "3 nodes compared" in page
    assert "无人编码" not in page.split('id="show-unused"')[1]
    shown = client.get(url, {"coders": "alice,bob", "assume_all_reviewed": "1", "unused": "1"}).content.decode()
    assert "无人编码" in shown
    assert "no coding" in shown


@pytest.mark.django_db
def test_agreement_and_word_frequency_csvs_are_rectangular_with_the_header_first(client, api_as, team):
    project = team["project"]
    url = reverse("api:agreement-export", args=[project.pk, "csv"])
    response = api_as(team["owner"]).get(url, {"coders": "alice,bob", "assume_all_reviewed": "1"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["level", "coder_a", "coder_b"]
    assert {len(line) for line in lines} == {len(lines[0])}
    client.force_login(team["owner"])
    frequency = client.get(reverse("policies:word-frequency-csv", args=[project.pk]))
    words = list(csv.reader(io.StringIO(frequency.content.decode("utf-8-sig"))))
    assert words[0][0] == "Word"
    assert {len(line) for line in words} == {5}


# --- property: the union layer is a brute-force count over the chosen coders' codings only ------------

CODINGS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.integers(0, 30), st.integers(1, 8)),
    max_size=25,
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codings=CODINGS, chosen=st.sets(st.sampled_from(["alice", "bob", "共识"]), min_size=1))
def test_union_layer_equals_a_brute_force_count(agreed, codings, chosen):
    project, owner = agreed["project"], agreed["owner"]
    people = {"alice": agreed["alice"], "bob": agreed["bob"], "共识": agreed["consensus"]}
    who = list(people.values())
    with transaction.atomic():
        Coding.objects.all().delete()
        seen = set()
        for doc, node, coder, start, length in codings:
            key = (doc, node, coder, start, start + length)
            if key not in seen:
                seen.add(key)
                code(agreed["docs"][doc], agreed["nodes"][node], who[coder], start, start + length)
        names = sorted(chosen)
        result = matrix.load_query(project, owner, matrix.MatrixQuery(value="references", level=1, coders=tuple(names)))
        ids = {people[name].pk for name in names}
        share, grading, safety = agreed["nodes"]
        columns = {share.pk: {share.pk, grading.pk}, safety.pk: {safety.pk}}
        provinces = {d.pk: d.province for d in agreed["docs"]}
        expected = {}
        for c in Coding.objects.filter(coder_id__in=ids):
            for column, members in columns.items():
                if c.node_id in members:
                    key = (provinces[c.document_id], column)
                    expected[key] = expected.get(key, 0) + 1
        for r, row in enumerate(result.rows):
            for k, column in enumerate(result.columns):
                assert result.cells[r][k] == expected.get((row.label, column.node_id), 0)
        transaction.set_rollback(True)


# --- each side of an agreement, and word frequency's body, name their layer ------------------------------------


@pytest.mark.django_db
def test_agreement_json_names_the_layer_of_each_side(api_as, agreed):
    url = reverse("api:agreement", args=[agreed["project"].pk])
    data = api_as(agreed["owner"]).get(url, {"coders": "alice,共识", "assume_all_reviewed": "1"}).json()
    assert data["layers"]["a"] == {"kind": "coder", "coders": ["alice"], "label": "Coder alice"}
    assert data["layers"]["b"] == {"kind": "consensus", "coders": ["consensus"], "label": "Consensus (共识)"}
    assert data["coder_layers"] == [data["layers"]["a"], data["layers"]["b"]]


@pytest.mark.django_db
def test_agreement_json_names_a_groups_union_and_the_page_shows_both_layers(client, api_as, agreed):
    project = agreed["project"]
    params = {"group_a": "alice,bob", "group_b": "共识", "assume_all_reviewed": "1"}
    data = api_as(agreed["owner"]).get(reverse("api:agreement", args=[project.pk]), params).json()
    assert data["layers"]["a"] == {"kind": "coders", "coders": ["alice", "bob"], "label": "Union of alice、bob"}
    assert data["layers"]["b"]["kind"] == "consensus"
    client.force_login(agreed["owner"])
    page = client.get(reverse("coding:agreement", args=[project.pk]), params).content.decode()
    assert 'id="agreement-layers">Layers: Union of alice、bob × Consensus (共识)</span>' in page


@pytest.mark.django_db
def test_word_frequency_json_names_the_layer_in_its_body(api_as, agreed):
    url = reverse("api:word-frequency", args=[agreed["project"].pk])
    scoped = api_as(agreed["owner"]).get(url, {"node": agreed["nodes"][0].pk, "coder": "bob"})
    assert scoped.json()["layer"] == {"kind": "coder", "coders": ["bob"], "label": "Coder bob"}
    assert isinstance(scoped.json()["words"], list)
    assert scoped["X-PolicyCoder-Layer"].startswith("coder; coders=bob;")
    default = api_as(agreed["owner"]).get(url, {"node": agreed["nodes"][0].pk}).json()
    assert default["layer"]["kind"] == "consensus"
    whole = api_as(agreed["owner"]).get(url)
    assert whole.json()["layer"] is None
    assert "X-PolicyCoder-Layer" not in whole
    refused = api_as(agreed["owner"]).get(url, {"node": agreed["nodes"][0].pk, "coder": "nobody"})
    assert refused.status_code == 400
    assert "nobody" in refused.json()["detail"]


def test_times_read_as_text_are_utc_on_either_database():
    from datetime import UTC, datetime

    from coding.localtime import parse_utc

    sqlite_form, postgres_form = "2026-12-06 23:30:05.123456", "2026-12-06 23:30:05.123456+00"
    expected = datetime(2026, 12, 6, 23, 30, 5, 123456, tzinfo=UTC)
    assert parse_utc(sqlite_form) == expected
    assert parse_utc(postgres_form) == expected
    assert parse_utc("2026-12-06 23:30:05") == expected.replace(microsecond=0)


def test_the_coding_pages_rows_carry_local_times_to_the_second(project, coder, settings):
    import datetime

    settings.TIME_ZONE = "Asia/Shanghai"
    document = DocumentFactory(project=project)
    coding = CodingFactory(document=document, node=NodeFactory(project=project), coder=coder, start=0, end=3)
    at = datetime.datetime(2026, 12, 6, 23, 30, 5, 987654, tzinfo=datetime.UTC)
    Coding.objects.filter(pk=coding.pk).update(created_at=at)
    [row] = layers.coding_rows(Coding.objects.filter(pk=coding.pk))
    assert row["created_at"] == "2026-12-07T07:30:05+08:00"
