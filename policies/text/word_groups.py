"""Word groups counted over the corpus: per group and per word, occurrences and documents. Pure, except the loader
at the bottom. A group's words are counted as the owners wrote them (no stopword or length filter): a word jieba
does not keep whole is counted 0 until it is added to the project dictionary."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from policies.models import WordGroup
from policies.text import frequency


@dataclass(frozen=True, slots=True)
class WordCount:
    word: str
    count: int
    documents: int


@dataclass(frozen=True, slots=True)
class GroupCount:
    id: int | None
    kind: str
    kind_label: str
    name: str
    words: list[WordCount]
    count: int  # occurrences of all its words
    documents: int  # documents holding at least one of its words


def group_counts(groups: Sequence[WordGroup], documents: Iterable[frequency.DocumentWords]) -> list[GroupCount]:
    wanted = {word for group in groups for word in group.word_list}
    per_document: list[dict[str, int]] = []
    for document in documents:
        found: dict[str, int] = {}
        for word, count in zip(document.words, document.counts.tolist(), strict=True):
            if count and word in wanted:
                found[word] = found.get(word, 0) + int(count)
        per_document.append(found)
    result = []
    for group in groups:
        words = group.word_list
        rows = [
            WordCount(word, sum(d.get(word, 0) for d in per_document), sum(1 for d in per_document if d.get(word)))
            for word in words
        ]
        result.append(
            GroupCount(
                id=group.pk,
                kind=group.kind,
                kind_label=group.get_kind_display(),
                name=group.name,
                words=rows,
                count=sum(row.count for row in rows),
                documents=sum(1 for d in per_document if any(d.get(word) for word in words)),
            )
        )
    return result


# --- loader ------------------------------------------------------------------------------------------


def project_word_groups(project, user, *, scope) -> tuple[list[GroupCount], int]:
    """The project's word groups counted over the scope (see search.Scope), and the documents not segmented yet."""
    groups = list(project.word_groups.all())
    if not groups:
        return [], 0
    found, pending = frequency.scope_words(project, user, scope)
    return group_counts(groups, found), pending
