"""The analysis pages' query forms: each <select> gets its choices and its chosen option from the form."""

from django.http import QueryDict

from coding.analysis import forms

FACETS = {"province": [("贵州省", 2), ("", 1)], "issuer_type": [("人民政府", 1)], "policy_type": []}
ROWS = [("province", "省份"), ("policy_type", "政策类型"), ("document", "文件")]
NODES = [(1, "数据归集", 1), (2, "数据归集/<b>基础</b>", 2), (3, "数据共享", 1)]
VALUES = [("documents", "文件数"), ("coverage", "覆盖率")]


def matrix_form(query: str) -> forms.MatrixForm:
    return forms.MatrixForm(QueryDict(query), facets=FACETS, rows=ROWS, nodes=NODES, values=VALUES)


def test_matrix_form_marks_the_chosen_option_of_every_select():
    form = matrix_form("rows=policy_type&level=2&parent=2&value=coverage&province=贵州省")
    assert '<option value="policy_type" selected>政策类型</option>' in str(form["rows"])
    assert '<option value="2" selected>' in str(form["level"])
    assert '<option value="2" selected>' in str(form["parent"])
    assert '<option value="coverage" selected>覆盖率</option>' in str(form["value"])
    assert '<option value="贵州省" selected>贵州省 (2)</option>' in str(form["province"])
    assert str(form["rows"]).startswith('<select name="rows">')  # no generated id: the page's ids stay its own


def test_levels_run_to_the_deepest_node_and_a_codebook_without_nodes_has_level_one():
    assert forms.level_choices(NODES) == [("1", "Level 1"), ("2", "Level 2")]
    assert forms.level_choices([]) == [("1", "Level 1")]


def test_node_paths_and_blank_facets():
    parent = str(matrix_form("")["parent"])
    assert "数据归集/&lt;b&gt;基础&lt;/b&gt;" in parent
    assert "<b>" not in parent
    province = str(matrix_form("")["province"])
    assert province.count("<option") == 2  # All and 贵州省: a blank attribute is not a choice


def test_a_value_outside_the_choices_selects_nothing():
    assert " selected" not in str(matrix_form("value=words")["value"])


def test_attribute_counts_offer_every_row_kind_but_documents():
    form = forms.AttributeCountsForm({"by": "policy_type"}, rows=ROWS)
    rendered = str(form["by"])
    assert 'value="document"' not in rendered
    assert '<option value="policy_type" selected>' in rendered
    assert "data-autosubmit" in rendered


def test_framework_summary_shows_the_parsed_provinces_choice():
    form = forms.FrameworkSummaryForm({"rows": "province", "provinces_only": "0"}, rows=ROWS)
    assert '<option value="0" selected>' in str(form["provinces_only"])
    assert '<option value="province" selected>' in str(form["rows"])


def test_agreement_form_keeps_the_coder_select_ids_and_names_branches():
    coders = [("alice", "alice"), ("consensus-1", "共识")]
    units = [("character", "字符"), ("article", "条")]
    nodes = [(node_id, path) for node_id, path, _depth in NODES]
    form = forms.AgreementForm(
        QueryDict("a=alice&b=consensus-1&unit=article&branch=3&scope=assigned"),
        facets=FACETS,
        coders=coders,
        units=units,
        nodes=nodes,
    )
    assert str(form["a"]).startswith('<select name="a" id="coder-a">')
    assert '<option value="consensus-1" selected>共识</option>' in str(form["b"])
    assert '<option value="article" selected>' in str(form["unit"])
    assert '<option value="3" selected>Branch: 数据共享</option>' in str(form["branch"])
    assert '<option value="assigned" selected>' in str(form["scope"])
