"""policies/queries.py: the one boolean spelling, lists from repeated or comma-separated values, bounded numbers."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from policies import corpus, queries


@pytest.mark.parametrize("spelled", ["true", "TRUE", " 1 ", "on", "yes"])
def test_every_true_spelling_is_read_as_true(spelled):
    assert queries.flag(QueryDict(f"blind={spelled}"), "blind") is True


@pytest.mark.parametrize("spelled", ["false", "0", "off", "No"])
def test_every_false_spelling_is_read_as_false(spelled):
    assert queries.flag({"blind": spelled}, "blind", default=True) is False


def test_absent_or_empty_gives_the_default():
    assert queries.flag(QueryDict(""), "blind", default=None) is None
    assert queries.flag(QueryDict("blind="), "blind", default=True) is True


def test_anything_else_is_refused_with_the_parameter_named():
    with pytest.raises(ValidationError) as caught:
        queries.flag(QueryDict("blind=maybe"), "blind")
    assert caught.value.messages == ["“blind” must be true or false."]


def test_names_join_comma_separated_and_repeated_values_once_in_order():
    params = QueryDict("coders=b,%20a,,b&coder=c&coder=a")
    assert queries.names(params, "coders", "coder") == ("b", "a", "c")
    assert queries.names({"coders": ["x", "y,x"]}, "coders") == ("x", "y")
    assert queries.names({}, "coders") == ()


def test_text_takes_the_last_value_stripped():
    assert queries.text(QueryDict("q=a&q=%20b%20"), "q") == "b"
    assert queries.text({"q": None}, "q", "none") == "none"


def test_whole_number_in_range_or_a_message_with_the_range():
    assert queries.whole_number({"top": "20"}, "top", 100, 1, 1000) == 20
    assert queries.whole_number({}, "top", 100, 1, 1000) == 100
    for bad in ("0", "1001", "-3", "2.5", "二十"):
        with pytest.raises(ValidationError) as caught:
            queries.whole_number({"top": bad}, "top", 100, 1, 1000)
        assert caught.value.messages == ["top must be a whole number from 1 to 1000."]


def test_filters_keep_only_the_document_attributes_given_and_strip_them():
    params = QueryDict("province=%20浙江省%20&issuer_type=&policy_type=规划&other=x")
    assert queries.filters(params) == {"province": "浙江省", "policy_type": "规划"}
    assert queries.filters({}) == {}


def test_ids_read_comma_separated_and_repeated_values_once_in_order():
    assert queries.ids(QueryDict("documents=3,1&documents=3&documents=2"), "documents", "bad") == (3, 1, 2)
    assert queries.ids({}, "documents", "bad") == ()
    with pytest.raises(ValidationError) as caught:
        queries.ids({"documents": "1,x"}, "documents", "“documents” must be ids.")
    assert caught.value.messages == ["“documents” must be ids."]
    for bad in ("1,²", "9" * 19):  # a digit int() refuses, and more than a 64-bit id: refused, not a 500
        with pytest.raises(ValidationError):
            queries.ids({"documents": bad}, "documents", "bad")


def test_number_reads_ascii_digits_only_and_at_most_18_of_them():
    assert queries.number("042") == 42
    assert queries.number("9" * 18) == int("9" * 18)
    for bad in ("", "²", "١", "-1", "1e3", " 1", "9" * 19):
        assert queries.number(bad) is None


def test_whole_number_without_an_upper_bound_says_at_least():
    assert queries.whole_number({"page": "123456789"}, "page", 1, 1, None) == 123456789
    with pytest.raises(ValidationError) as caught:
        queries.whole_number({"page": "0"}, "page", 1, 1, None)
    assert caught.value.messages == ["page must be a whole number of at least 1."]


def test_document_query_for_the_page_falls_back_to_defaults_quietly():
    query = queries.document_query(QueryDict("province=浙江&sort=--title&page=x&page_size=7"), lenient=True)
    assert query == corpus.DocumentQuery(filters=(("province", "浙江"),), sort="id", page=1, page_size=50)
    chosen = queries.document_query(QueryDict("sort=-issue_date&page=4&page_size=200"), lenient=True)
    assert (chosen.sort, chosen.page, chosen.page_size) == ("-issue_date", 4, 200)


def test_document_query_for_the_api_refuses_what_is_not_allowed():
    query = queries.document_query(QueryDict("sort=char_count&page=3&page_size=1000"), lenient=False)
    assert query == corpus.DocumentQuery(filters=(), sort="char_count", page=3, page_size=1000)
    assert queries.document_query(QueryDict(""), lenient=False).page_size == corpus.API_PAGE_SIZE
    for params, start in (("sort=--title", "Unknown sort “--title”"), ("page_size=1001", "page_size must")):
        with pytest.raises(ValidationError) as caught:
            queries.document_query(QueryDict(params), lenient=False)
        assert caught.value.messages[0].startswith(start)
