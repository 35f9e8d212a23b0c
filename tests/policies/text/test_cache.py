"""The document texts a process holds: admitted on the second ask, the least recently used leave first, and never
more characters than the limit."""

from policies.text.cache import TextCache


def test_a_text_is_admitted_the_second_time_its_document_is_asked_for():
    cache = TextCache(limit_chars=100, longest_chars=50)
    assert cache.admit(1, 10) is False
    assert cache.admit(2, 10) is False
    assert cache.admit(1, 10) is True
    assert cache.admit(1, 10) is False  # admitted once; asked for again it starts over
    assert cache.admit(3, 51) is False
    assert cache.admit(3, 51) is False  # too long ever to hold


def test_the_least_recently_used_texts_leave_once_the_limit_is_passed():
    cache = TextCache(limit_chars=100, longest_chars=60)
    cache.put(1, "h1", "甲" * 40)
    cache.put(2, "h2", "乙" * 40)
    assert cache.get(1) == ("h1", "甲" * 40)  # 1 is now the most recently used
    cache.put(3, "h3", "丙" * 40)
    assert (cache.get(1), cache.get(2), cache.get(3)) == (("h1", "甲" * 40), None, ("h3", "丙" * 40))
    assert cache.held_chars == 80
    cache.put(4, "h4", "丁" * 61)
    assert cache.get(4) is None
    assert cache.held_chars == 80


def test_a_text_put_again_replaces_the_old_and_counts_once():
    cache = TextCache(limit_chars=100, longest_chars=60)
    cache.put(1, "h1", "甲" * 40)
    cache.put(1, "h2", "乙" * 30)
    assert cache.get(1) == ("h2", "乙" * 30)
    assert cache.held_chars == 30
    cache.drop(1)
    assert cache.get(1) is None
    assert cache.held_chars == 0


def test_the_documents_asked_for_once_are_remembered_up_to_a_bound():
    cache = TextCache(seen_ids=2)
    for document_id in (1, 2, 3):
        cache.admit(document_id, 5)
    assert cache.admit(1, 5) is False  # forgotten: the oldest of three, with room for two
    assert cache.admit(3, 5) is True
