"""coding/analysis/query_params.py: analysis requests become typed queries at the edge; refusals keep their words."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from coding.analysis import cooccurrence, matrix, methods_report, query_params, reliability
from coding.analysis.matrix_table import TableOptions
from coding.models import Coding


def test_matrix_query_reads_lists_booleans_and_filters():
    params = QueryDict("rows=year&value=references&node=3&nodes=5,3&coder=bob&all=on&provinces_only=0&province=浙江省")
    query = query_params.matrix_query(None, params, [])
    assert query == matrix.MatrixQuery(
        rows_by="year",
        value="references",
        level=None,
        nodes=(5, 3),
        coders=("bob",),
        all_provinces=True,
        filters=(("province", "浙江省"),),
        provinces_only=False,
    )
    assert query_params.matrix_query(None, {}, []) == matrix.MatrixQuery()


def test_table_options_default_to_heat_on_and_the_natural_order():
    assert query_params.table_options({}) == TableOptions()
    assert query_params.table_options(QueryDict("transpose=1&sort=-c0&heat=0")) == TableOptions(True, "-c0", False)


def test_query_string_keeps_the_page_parameters_and_repeats_lists():
    params = QueryDict("rows=year&sort=c1&coder=a&coder=b&junk=1")
    assert query_params.query_string(params) == "rows=year&coder=a&coder=b"


def test_cooccurrence_query_refuses_control_characters_and_bad_minimums():
    assert query_params.cooccurrence_query(QueryDict("unit=article&min=2")) == cooccurrence.CooccurrenceQuery(
        unit="article", minimum=2.0
    )
    for params, message in (
        ({"unit": "a\x07b"}, "The parameters hold a control character (U+0007)."),
        ({"min": "-1"}, "“min” must be a number of 0 or more."),
    ):
        with pytest.raises(ValidationError) as caught:
            query_params.cooccurrence_query(params)
        assert caught.value.messages == [message]


def test_agreement_query_reads_pairs_groups_and_scope():
    assert query_params.agreement_query(QueryDict("a=alice&b=bob&scope=assigned&rollup=true")) == (
        reliability.AgreementQuery(coders=("alice", "bob"), rollup=True, assigned_only=True)
    )
    groups = query_params.agreement_query(QueryDict("group_a=alice,bob&group_b=carol&branch=4"))
    assert groups.groups == (("alice", "bob"), ("carol",))
    assert groups.branch == 4
    with pytest.raises(ValidationError) as caught:
        query_params.agreement_query({"nodes": "1,x"})
    assert caught.value.messages == ["“nodes” must be ids separated by commas."]


def test_report_query_bounds_top():
    assert query_params.report_query(QueryDict("coder=alice&top=5")) == methods_report.ReportQuery(("alice",), 5)
    with pytest.raises(ValidationError) as caught:
        query_params.report_query({"top": "0"})
    assert caught.value.messages == [f"“top” must be a whole number from 1 to {methods_report.MAX_TOP}."]


@pytest.mark.django_db
def test_a_bad_boolean_is_a_400_that_names_it_and_changes_nothing(api_as, project, owner):
    response = api_as(owner).get(reverse("api:matrix", args=[project.pk]), {"all": "maybe"})
    assert response.status_code == 400
    assert response.json() == {"detail": "“all” must be true or false."}
    assert not Coding.objects.exists()
