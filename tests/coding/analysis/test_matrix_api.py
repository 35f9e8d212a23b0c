"""The matrix API: its JSON shape, the value kinds on a small corpus, coder and attribute filters, clear 400s."""

from unittest import mock

import pytest
from django.urls import reverse

from coding.analysis import matrix
from tests.factories import UserFactory


def get(api_as, user, project, **params):
    return api_as(user).get(reverse("api:matrix", args=[project.pk]), params)


@pytest.mark.django_db
def test_matrix_answers_rows_columns_cells_and_the_column_summary(api_as, project, owner, matrix_corpus):
    data = get(api_as, owner, project, rows="province", level=1, value="documents").json()
    assert data["rows"] == ["贵州省", "云南省", "(blank)"]  # standard order, not the database's collation
    assert data["columns"] == ["数据归集", "数据共享"]
    assert data["cells"] == [[1, 0], [0, 1], [1, 0]]
    assert data["column_summary"] == [{"count": 2, "rows": ["贵州省", "(blank)"]}, {"count": 1, "rows": ["云南省"]}]
    assert data["coders"] == ["alice", "bob"]  # no 共识 here, two coders coded: the default is their union
    assert data["layer"] == {"kind": "coders", "coders": ["alice", "bob"], "label": "All coders (union)"}
    assert data["column_nodes"][0]["id"] == matrix_corpus["nodes"][0].pk
    assert data["row_details"][0]["documents"] == [matrix_corpus["docs"][0].pk]


@pytest.mark.django_db
def test_characters_count_two_coders_overlap_once_and_coverage_is_a_fraction(api_as, project, owner, matrix_corpus):
    characters = get(api_as, owner, project, value="characters").json()
    assert characters["cells"] == [[20, 0], [0, 7], [1, 0]]
    coverage = get(api_as, owner, project, value="coverage").json()
    length = matrix_corpus["docs"][0].char_count
    assert coverage["cells"][0][0] == round(100 * 20 / length, 4)
    assert 0 < coverage["cells"][0][0] < 100
    assert coverage["total"] == round(100 * 28 / sum(d.char_count for d in matrix_corpus["docs"]), 4)


@pytest.mark.django_db
def test_coders_filter_counts_only_their_codings(api_as, project, owner, matrix_corpus):
    data = get(api_as, owner, project, value="characters", coders="alice").json()
    assert data["cells"] == [[18, 0], [0, 0], [1, 0]]
    assert data["coders"] == ["alice"]
    both = get(api_as, owner, project, value="references", coders="alice,bob").json()
    assert both["cells"] == [[3, 0], [0, 1], [1, 0]]


@pytest.mark.django_db
def test_a_user_of_another_project_is_as_unknown_as_a_name_nobody_has(api_as, project, owner, matrix_corpus):
    UserFactory(username="stranger")  # exists, but is no member here
    known = get(api_as, owner, project, coders="stranger")
    unknown = get(api_as, owner, project, coders="nobody")
    assert (known.status_code, unknown.status_code) == (400, 400)
    assert known.json()["detail"] == "Unknown coder(s) in this project: stranger."
    assert unknown.json()["detail"] == "Unknown coder(s) in this project: nobody."


@pytest.mark.django_db
def test_level_two_nodes_and_parent_choose_the_columns(api_as, project, owner, matrix_corpus):
    collect, basic, _quality, share = matrix_corpus["nodes"]
    assert get(api_as, owner, project, level=2, value="references").json()["columns"] == ["基础数据", "数据质量"]
    chosen = get(api_as, owner, project, nodes=f"{share.pk},{basic.pk}").json()
    assert chosen["columns"] == ["基础数据", "数据共享"]  # codebook order
    children = get(api_as, owner, project, parent=collect.pk, value="characters").json()
    assert children["cells"][0] == [15, 8]


@pytest.mark.django_db
def test_rows_by_issuer_type_and_a_province_filter(api_as, project, owner, matrix_corpus):
    data = get(api_as, owner, project, rows="issuer_type", value="presence").json()
    assert data["rows"] == ["人民政府", "人大及其常委会", "(blank)"]
    filtered = get(api_as, owner, project, rows="document", province="贵州").json()
    assert filtered["rows"] == [matrix_corpus["docs"][0].title]
    assert filtered["cells"] == [[1, 0]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rows": "city"}, "Unknown rows"),
        ({"value": "words"}, "Unknown value"),
        ({"level": "9"}, "Level 9"),
        ({"level": "x"}, "level"),
        ({"nodes": "999999"}, "999999"),
        ({"parent": "abc"}, "parent"),
        ({"coders": "nobody"}, "nobody"),
        ({"province": "火星"}, "火星"),
    ],
)
def test_bad_parameters_answer_400_with_a_detail(api_as, project, owner, matrix_corpus, params, message):
    response = get(api_as, owner, project, **params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


@pytest.mark.django_db
def test_leaf_parent_is_refused(api_as, project, owner, matrix_corpus):
    response = get(api_as, owner, project, parent=matrix_corpus["nodes"][1].pk)
    assert response.status_code == 400
    assert "no children" in response.json()["detail"]


@pytest.mark.django_db
def test_empty_project_gives_an_empty_matrix(api_as, project, owner):
    data = get(api_as, owner, project).json()
    assert data["rows"] == []
    assert data["columns"] == []
    assert data["cells"] == []


@pytest.mark.django_db
def test_characters_agree_with_a_per_character_count_from_the_database(api_as, project, owner, matrix_corpus):
    from coding.models import Coding

    data = get(api_as, owner, project, rows="document", level=2, value="characters").json()
    for r, detail in enumerate(data["row_details"]):
        for c, node in enumerate(data["column_nodes"]):
            painted = {
                i
                for coding in Coding.objects.filter(document_id__in=detail["documents"], node_id=node["id"])
                for i in range(coding.start, coding.end)
            }
            assert data["cells"][r][c] == len(painted)


@pytest.mark.django_db
@pytest.mark.parametrize("nodes", ["1,²", "9" * 19])
def test_node_ids_that_are_no_whole_number_are_a_400_not_a_500(api_as, project, owner, matrix_corpus, nodes):
    response = get(api_as, owner, project, nodes=nodes)
    assert response.status_code == 400
    assert response.json()["detail"] == "“nodes” must be node ids separated by commas."


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["characters", "coverage"])
def test_spans_read_a_few_documents_a_query_give_the_same_matrix(api_as, project, owner, matrix_corpus, value):
    whole = get(api_as, owner, project, value=value, level=2).json()
    reads = mock.patch.object(matrix, "int_rows", wraps=matrix.int_rows)
    with mock.patch.object(matrix, "DOCUMENTS_A_READ", 1), reads as int_rows:
        batched = get(api_as, owner, project, value=value, level=2).json()
    assert batched == whole
    assert int_rows.call_count == len(matrix_corpus["docs"])  # one query a document
