"""The text pages' query forms: scope, word frequency, text search and auto-coding selects."""

from django.http import QueryDict

from policies.text import forms, search, segment

SCOPE = {
    "facets": {"province": [("浙江省", 3)], "issuer_type": [], "policy_type": []},
    "nodes": [(5, "数据<script>", 1), (6, "数据共享", 1)],
    "coders": ["alice", "bob"],
}


def test_scope_offers_the_nodes_the_coders_and_consensus_and_marks_the_chosen():
    form = forms.ScopeForm(QueryDict("node=6&coder=consensus&province=浙江省"), **SCOPE)
    node, coder = str(form["node"]), str(form["coder"])
    assert '<option value="6" selected>数据共享</option>' in node
    assert "数据&lt;script&gt;" in node
    assert "<script>" not in node
    assert '<option value="alice">alice</option>' in coder
    assert '<option value="consensus" selected>共识</option>' in coder
    assert '<option value="浙江省" selected>浙江省 (3)</option>' in str(form["province"])


def test_word_frequency_offers_every_part_of_speech_group():
    form = forms.WordFrequencyForm(QueryDict("pos=place"), **SCOPE)
    rendered = str(form["pos"])
    assert rendered.count("<option") == len(segment.POS_GROUPS) + 1
    assert '<option value="place" selected>Places</option>' in rendered


def test_text_search_marks_mode_and_sort():
    form = forms.TextSearchForm(QueryDict("mode=regex&sort=hit"), **SCOPE)
    assert '<option value="regex" selected>' in str(form["mode"])
    assert '<option value="hit" selected>' in str(form["sort"])


def test_auto_coding_asks_for_a_node_and_offers_every_spread():
    form = forms.AutocodeForm(nodes=SCOPE["nodes"])
    target, spread = str(form["target"]), str(form["spread"])
    assert target.startswith('<select name="target" required>')
    assert '<option value="" selected>Choose a node…</option>' in target
    assert spread.count("<option") == len(search.SPREADS)
