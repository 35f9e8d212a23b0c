"""Word groups counted over the corpus (policies/text/word_groups.py): occurrences add up per word and group, a
document counts once per group, and words are matched exactly as the owners wrote them."""

import numpy as np
import pytest

from policies.models import WordGroup
from policies.text.frequency import DocumentWords
from policies.text.word_groups import group_counts


@pytest.mark.django_db(databases=[])
def test_group_counts_add_occurrences_but_count_a_document_once():
    documents = [
        DocumentWords(1, ["政府", "部门", "数据"], ["n", "n", "n"], np.array([2, 1, 5], np.uint32)),
        DocumentWords(2, ["部门", "数据"], ["n", "n"], np.array([0, 3], np.uint32)),  # 部门 outside the scope
        DocumentWords(3, ["单位"], ["n"], np.array([4], np.uint32)),
    ]
    groups = [
        WordGroup(kind="subjects", name="主体", words="政府 部门 单位"),
        WordGroup(kind="data", name="空", words="无"),
    ]
    subjects, empty = group_counts(groups, documents)
    assert [(w.word, w.count, w.documents) for w in subjects.words] == [("政府", 2, 1), ("部门", 1, 1), ("单位", 4, 1)]
    assert (subjects.count, subjects.documents, subjects.kind_label) == (7, 2, "Subjects")
    assert (empty.count, empty.documents) == (0, 0)


@pytest.mark.django_db(databases=[])
def test_a_word_is_matched_whole_and_a_word_in_two_groups_counts_in_each():
    documents = [DocumentWords(1, ["数据", "数据开放", "数据"], ["n", "n", "n"], np.array([1, 2, 3], np.uint32))]
    groups = [
        WordGroup(kind="data", name="数据", words="数据"),
        WordGroup(kind="actions", name="开放", words="数据开放 开放"),  # 开放 alone is no word of the text
    ]
    data, opening = group_counts(groups, documents)
    assert [(w.word, w.count, w.documents) for w in data.words] == [("数据", 4, 1)]  # both rows of the word add up
    assert [(w.word, w.count) for w in opening.words] == [("数据开放", 2), ("开放", 0)]
    assert (data.count, opening.count, opening.documents) == (4, 2, 1)


@pytest.mark.django_db(databases=[])
def test_no_documents_count_zero_for_every_group():
    (group,) = group_counts([WordGroup(kind="subjects", name="主体", words="政府")], [])
    assert (group.count, group.documents, [(w.word, w.count) for w in group.words]) == (0, 0, [("政府", 0)])
