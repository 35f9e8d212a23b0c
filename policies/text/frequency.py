"""Word frequency over cached segmentations: counts, weighted percentages and document counts. Pure, except the
loader at the bottom."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from django.db import router, transaction

from policies.models import CorpusWords, CountedDocument, DocumentTokens
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
    totalled = Totals(vocabulary, [tags[w] for w in vocabulary], totals, present, len(documents))
    return frequency_of_totals(totalled, options, stopwords)


@dataclass
class Totals:
    """Word counts summed over documents: each word's tag, occurrences and documents holding it. Documents are
    added and taken out one at a time (add, remove); a word's position never moves, so a document's positions
    stay valid until it is taken out."""

    words: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # int64 per word
    documents: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # int64 per word
    counted: int = 0  # documents with at least one word
    positions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)  # word -> position

    def add(self, words: Sequence[str], tags: Sequence[str], counts: np.ndarray) -> np.ndarray:
        """Add one document's distinct words (with their tags and counts); returns their positions (uint32)."""
        if len(self.positions) != len(self.words):
            self.positions = {w: i for i, w in enumerate(self.words)}
        index = self.positions
        for word, tag in zip(words, tags, strict=True):
            if word not in index:
                index[word] = len(self.words)
                self.words.append(word)
                self.tags.append(tag)
        if len(self.counts) < len(self.words):
            grow = len(self.words) - len(self.counts)
            self.counts = np.concatenate([self.counts, np.zeros(grow, np.int64)])
            self.documents = np.concatenate([self.documents, np.zeros(grow, np.int64)])
        ids = np.fromiter(map(index.__getitem__, words), dtype=np.uint32, count=len(words))
        self.counts[ids] += counts
        self.documents[ids] += counts > 0
        self.counted += bool(len(ids))
        return ids

    def remove(self, ids: np.ndarray, counts: np.ndarray) -> None:
        """Take back out a document added with these positions and counts."""
        self.counts[ids] -= counts
        self.documents[ids] -= counts > 0
        self.counted -= bool(len(ids))


def frequency_of_totals(totals: Totals, options: Options, stopwords: frozenset[str]) -> Frequency:
    """The frequency table of summed counts; the filters act on distinct words (ties keep the words' order)."""
    vocabulary, counts = totals.words, totals.counts
    keep = np.fromiter(
        (_counted(w, t, options, stopwords) for w, t in zip(vocabulary, totals.tags, strict=True)),
        dtype=bool,
        count=len(vocabulary),
    ) & (counts > 0)
    counted = int(counts[keep].sum())
    chosen = np.flatnonzero(keep)
    order = chosen[np.lexsort((np.arange(len(chosen)), -counts[chosen]))][: options.top]
    rows = [
        Row(vocabulary[i], int(counts[i]), float(100.0 * counts[i] / counted), int(totals.documents[i]), totals.tags[i])
        for i in order
    ]
    return Frequency(
        rows=sort_rows(rows, options.sort),
        counted=counted,
        distinct=len(chosen),
        documents=totals.counted,
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
    """Word frequency over the scope (see search.Scope) from the cached segmentations; over the whole corpus, from
    the project's running sums (corpus_totals) rather than from every document."""
    stopwords = segment.project_stopwords(project)
    if scope == search.Scope():
        totals, segmented = corpus_totals(project)
        result = frequency_of_totals(totals, options, stopwords)
        result.pending = project.documents.count() - segmented
        return result
    found, pending = scope_words(project, user, scope)
    result = word_frequency(found, options, stopwords)
    result.pending = pending
    return result


REFRESH_CHUNK = 500  # documents read at a time while the sums catch up


def corpus_totals(project) -> tuple[Totals, int]:
    """The project's word counts summed over its segmented documents, brought up to date first: documents
    segmented since the last call are added, those re-segmented or deleted since are taken back out. Returns the
    sums and how many documents are segmented.

    The sums live in CorpusWords, each counted document's share in CountedDocument: a call reads only what changed,
    so the whole-corpus frequency costs the same at 2,000 documents as at 20,000, after the first call. The
    segmentation worker calls it when it finishes, so a request usually finds the sums up to date and only reads
    (on the replica, where reads go to one); when something changed it writes, on the database that takes writes."""
    read = router.db_for_read(CorpusWords)
    segmented = dict(
        DocumentTokens.objects.using(read).filter(document__project=project).values_list("document_id", "version")
    )
    counted = dict(CountedDocument.objects.using(read).filter(project=project).values_list("document_id", "version"))
    if segmented == counted:  # nothing to add or take out
        state = CorpusWords.objects.using(read).filter(project=project).first()
        return (_decode(state) if state is not None and counted else Totals()), len(segmented)
    return _update_totals(project)


def _update_totals(project) -> tuple[Totals, int]:
    """corpus_totals' write: the sums brought up to date under a lock, on the database that takes writes."""
    db = router.db_for_write(CorpusWords)
    tokens, shares_of = DocumentTokens.objects.using(db), CountedDocument.objects.using(db)
    with transaction.atomic(using=db):
        state = CorpusWords.objects.using(db).select_for_update().get_or_create(project=project)[0]
        segmented = dict(tokens.filter(document__project=project).values_list("document_id", "version"))
        counted = dict(shares_of.filter(project=project).values_list("document_id", "version"))
        stale = [document_id for document_id, version in counted.items() if segmented.get(document_id) != version]
        fresh = [document_id for document_id, version in segmented.items() if counted.get(document_id) != version]
        totals = _decode(state) if counted else Totals()
        if not stale and not fresh:
            return totals, len(segmented)
        for chunk in _chunks(stale):
            shares = shares_of.filter(project=project, document_id__in=chunk)
            for ids, counts in shares.values_list("ids", "counts"):
                totals.remove(np.frombuffer(ids, np.uint32), np.frombuffer(counts, np.uint32))
            shares.delete()
        if len(stale) == len(counted):
            totals = Totals()  # every share taken out: the vocabulary starts afresh (no position is referenced)
        for chunk in _chunks(fresh):
            shares = []
            rows = tokens.filter(document_id__in=chunk, document__project=project)
            for document_id, version, words, tags, counts in rows.values_list(
                "document_id", "version", "words", "tags", "counts"
            ):
                counts = np.frombuffer(counts, np.uint32)
                ids = totals.add(_split(words), _split(tags, " "), counts)
                shares.append(
                    CountedDocument(
                        project=project,
                        document_id=document_id,
                        version=version,
                        ids=ids.tobytes(),
                        counts=counts.tobytes(),
                    )
                )
            shares_of.bulk_create(shares)
        _encode(state, totals, db)
    return totals, len(segmented)


def _chunks(ids: list[int]):
    for start in range(0, len(ids), REFRESH_CHUNK):
        yield ids[start : start + REFRESH_CHUNK]


def _decode(state: CorpusWords) -> Totals:
    return Totals(
        words=_split(state.words),
        tags=_split(state.tags, " "),
        counts=np.frombuffer(state.counts, np.int64).copy(),
        documents=np.frombuffer(state.documents, np.int64).copy(),
        counted=state.counted,
    )


def _encode(state: CorpusWords, totals: Totals, db: str) -> None:
    state.words = segment.WORD_SEPARATOR.join(totals.words)
    state.tags = " ".join(totals.tags)
    state.counts = totals.counts.tobytes()
    state.documents = totals.documents.tobytes()
    state.counted = totals.counted
    state.save(using=db)


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
