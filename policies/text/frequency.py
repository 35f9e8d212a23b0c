"""Word frequency over cached segmentations: counts, weighted percentages and document counts. Pure, except the
loader at the bottom."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from policies.models import DocumentTokens
from policies.text import search, segment

DEFAULT_TOP = 100
MAX_TOP = 1000
DEFAULT_MIN_LENGTH = 2
SORTS = ("count", "-count", "word", "-word", "documents", "-documents")


class FrequencyError(ValueError):
    """Options that cannot run; str() is the researcher-facing message."""


@dataclass(frozen=True)
class Options:
    """How word frequency counts, parsed at the edge (policies/text/query_params.py)."""

    top: int = DEFAULT_TOP
    min_length: int = DEFAULT_MIN_LENGTH
    pos: tuple[str, ...] = ()  # tag prefixes; empty: every part of speech
    stopwords: bool = False  # include stopwords (numerals and article markers too)?
    sort: str = "count"


@dataclass(frozen=True, slots=True)
class DocumentWords:
    document_id: int
    words: list[str]
    tags: list[str]
    counts: np.ndarray  # per word; zero where a scope leaves the word out


@dataclass(frozen=True, slots=True)
class Row:
    word: str
    count: int
    percent: float  # weighted percentage: share of all counted words
    documents: int
    tag: str


@dataclass
class Frequency:
    rows: list[Row]
    counted: int  # words counted (after the filters), the base of the percentages
    distinct: int  # distinct words counted
    documents: int  # documents in scope with a segmentation
    pending: int = 0  # documents in scope not segmented yet
    options: Options = field(default_factory=Options)


def word_frequency(documents: Iterable[DocumentWords], options: Options, stopwords: frozenset[str]) -> Frequency:
    """Count words over documents; the filters act on distinct words, the sums run in numpy."""
    documents = [d for d in documents if len(d.words)]
    all_words = list(chain.from_iterable(d.words for d in documents))
    index = {w: i for i, w in enumerate(dict.fromkeys(all_words))}
    vocabulary = list(index)
    ids = np.fromiter(map(index.__getitem__, all_words), dtype=np.int64, count=len(all_words))
    counts = np.concatenate([d.counts for d in documents]).astype(np.int64) if documents else np.zeros(0, np.int64)
    totals = np.bincount(ids, weights=counts, minlength=len(vocabulary)).astype(np.int64)
    present = np.bincount(ids, weights=counts > 0, minlength=len(vocabulary)).astype(np.int64)
    tags = dict(zip(all_words, chain.from_iterable(d.tags for d in documents), strict=True))
    keep = np.fromiter(
        (_counted(w, tags[w], options, stopwords) for w in vocabulary), dtype=bool, count=len(vocabulary)
    ) & (totals > 0)
    counted = int(totals[keep].sum())
    chosen = np.flatnonzero(keep)
    order = chosen[np.lexsort((np.arange(len(chosen)), -totals[chosen]))][: options.top]
    rows = [
        Row(vocabulary[i], int(totals[i]), float(100.0 * totals[i] / counted), int(present[i]), tags[vocabulary[i]])
        for i in order
    ]
    return Frequency(
        rows=sort_rows(rows, options.sort),
        counted=counted,
        distinct=len(chosen),
        documents=len(documents),
        options=options,
    )


def _counted(word: str, tag: str, options: Options, stopwords: frozenset[str]) -> bool:
    if len(word) < options.min_length or segment.is_punctuation(word):
        return False
    if not options.stopwords and (word in stopwords or segment.is_builtin_stopword(word)):
        return False
    return not options.pos or tag.startswith(options.pos)


def sort_rows(rows: Sequence[Row], sort: str) -> list[Row]:
    key = sort.lstrip("-")
    descending = sort.startswith("-") != (key in ("count", "documents"))  # counts read best largest first
    attribute = {"count": lambda r: (r.count, r.word), "documents": lambda r: (r.documents, r.count)}
    return sorted(rows, key=attribute.get(key, lambda r: r.word), reverse=descending)


# --- loader ------------------------------------------------------------------------------------------


def project_word_frequency(project, user, *, scope, options: Options) -> Frequency:
    """Word frequency over the scope (see search.Scope) from the cached segmentations."""
    found, pending = scope_words(project, user, scope)
    result = word_frequency(found, options, segment.project_stopwords(project))
    result.pending = pending
    return result


def scope_words(project, user, scope) -> tuple[list[DocumentWords], int]:
    """The words of each segmented document in the scope (counts within the scope's codings when it names a node),
    and how many documents in the scope are not segmented yet."""
    documents = search.scope_documents(project, scope)
    spans = search.scope_spans(project, user, scope)
    if spans is not None:
        documents = documents.filter(pk__in=list(spans))
    tokens = DocumentTokens.objects.filter(document__in=documents)
    found: list[DocumentWords] = []
    if spans is None:
        for document_id, words, tags, counts in tokens.values_list("document_id", "words", "tags", "counts").iterator(
            chunk_size=500
        ):
            found.append(DocumentWords(document_id, _split(words), _split(tags, " "), np.frombuffer(counts, np.uint32)))
    else:
        for document_id, words, tags, sequence, wide in tokens.values_list(
            "document_id", "words", "tags", "sequence", "wide"
        ).iterator(chunk_size=200):
            word_list = _split(words)
            counts = segment.counts_within(word_list, segment.decode_sequence(sequence, wide), spans[document_id])
            found.append(DocumentWords(document_id, word_list, _split(tags, " "), counts))
    return found, documents.count() - len(found)


def _split(joined: str, separator: str = segment.WORD_SEPARATOR) -> list[str]:
    return joined.split(separator) if joined else []
