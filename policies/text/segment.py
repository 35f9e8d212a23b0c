"""Chinese word segmentation with a project dictionary. Pure, except the loaders at the bottom.

jieba's accurate mode (HMM on) with its dictionary is the standard. The engine is rjieba (jieba-rs), which gives
the same tokens about 20× faster once non-Chinese runs it keeps whole are split the way jieba splits them;
tests/policies/test_segment.py proves the tokens identical to a `jieba.Tokenizer` holding the same dictionary.
Each dictionary gets its own engine instance, so no project's words leak into another's segmentation.
"""

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rjieba
from django.utils.translation import gettext as _

from policies import workers
from policies.models import DocumentTokens, Segmentation

DATA = Path(__file__).resolve().parent / "data"
WORD_SEPARATOR = "\x1f"  # never in a document: normalization removes control characters other than LF and TAB
MAX_TERM_CHARS = 30
MAX_FREQUENCY = 10**9
TAG_RE = re.compile(r"^[a-zA-Z]{1,5}$")

_HAN = re.compile(r"[\u4E00-\u9FD5]")
_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")  # jieba's finalseg split of non-Chinese buffers
_PERIODIC = re.compile(r"([\u4E00-\u9FD5]{1,2})\1\1")  # 条条条, 研究研究研究: where near-ties arise
_GLUE_CHARS = re.compile(r"[+#&._%\-]")
_GLUED = re.compile(r"[^\x1f]*[+#&._%\-][^\x1f]*")
_NUMERAL = re.compile(r"^(?:[0-9０-９.．,，%％]+|[零〇○一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟]+)$")
_MARKER = re.compile(r"^第[零〇○一二三四五六七八九十百千两0-9０-９]*[编章节条款项目]?$")

# Part-of-speech groups offered by the word frequency query; a tag belongs to a group by its first letters.
POS_GROUPS = {
    "noun": ("n",),
    "verb": ("v",),
    "adjective": ("a",),
    "organization": ("nt",),
    "place": ("ns",),
    "person": ("nr",),
    "idiom": ("i", "l"),
}


class DictionaryError(ValueError):
    """A dictionary or stopword list that cannot be used; str() is the researcher-facing message."""


@dataclass(frozen=True, slots=True)
class Term:
    word: str
    frequency: int
    tag: str = ""


# --- dictionary lines ----------------------------------------------------------------------------


def decode_upload(data: bytes) -> str:
    """UTF-8 text (a BOM is allowed); anything else, GBK included, is refused with a message saying so."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            raise DictionaryError(_("The file is not UTF-8 text: save it as UTF-8 and upload it again.")) from None
        raise DictionaryError(
            _("The file looks like GBK (GB18030) text: save it as UTF-8 and upload it again; nothing was changed.")
        ) from None


def check_word(word: str) -> str:
    """A dictionary or stopword entry, checked: one word, no spaces, at most MAX_TERM_CHARS characters."""
    if not word:
        raise DictionaryError(_("Enter a word."))
    if any(ch.isspace() for ch in word):
        raise DictionaryError(
            _("“%(word)s” contains a space: a dictionary word is written without spaces.") % {"word": word}
        )
    if len(word) > MAX_TERM_CHARS:
        raise DictionaryError(
            _("“%(word)s” is longer than %(limit)d characters.") % {"word": word[:40], "limit": MAX_TERM_CHARS}
        )
    if WORD_SEPARATOR in word or any(unicodedata.category(ch) == "Cc" for ch in word):
        raise DictionaryError(_("“%(word)s” contains a control character.") % {"word": word})
    return word


def check_tag(tag: str) -> str:
    if tag and not TAG_RE.match(tag):
        raise DictionaryError(
            _("“%(tag)s” is not a part-of-speech tag: use jieba's letters, such as n, nt, v or vn.") % {"tag": tag}
        )
    return tag


def check_frequency(value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        frequency = int(value)
    except (TypeError, ValueError):
        raise DictionaryError(_("“%(value)s” is not a whole number.") % {"value": value}) from None
    if not 1 <= frequency <= MAX_FREQUENCY:
        raise DictionaryError(_("A frequency is a whole number from 1 to 1,000,000,000."))
    return frequency


def parse_line(line: str, number: int) -> tuple[str, int | None, str]:
    """One user-dictionary line, jieba's format: `word [frequency] [tag]`."""
    parts = line.split()
    if not parts:
        raise DictionaryError(_("Line %(n)d is empty: remove it and upload again.") % {"n": number})
    if len(parts) > 3:
        raise DictionaryError(
            _(
                "Line %(n)d (“%(line)s”) has more than a word, a frequency and a tag: "
                "a dictionary word is written without spaces."
            )
            % {"n": number, "line": line.strip()[:40]}
        )
    word, frequency, tag = parts[0], None, ""
    try:
        check_word(word)
        for part in parts[1:]:
            if part.isdigit() and frequency is None and not tag:
                frequency = check_frequency(part)
            elif not tag and TAG_RE.match(part):
                tag = part
            else:
                raise DictionaryError(
                    _(
                        "“%(line)s”: “%(part)s” is neither a frequency nor a part-of-speech tag such as n or nt; "
                        "a dictionary word is written without spaces."
                    )
                    % {"line": line.strip()[:40], "part": part}
                )
    except DictionaryError as error:
        raise DictionaryError(_("Line %(n)d: %(error)s") % {"n": number, "error": error}) from None
    return word, frequency, tag


def parse_dictionary(text: str) -> list[tuple[str, int | None, str]]:
    """Every line of an uploaded dictionary, all or nothing; the first bad line is refused with its number."""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()  # a trailing newline at the end of the file is not an empty line
    if not lines:
        raise DictionaryError(_("The file holds no words."))
    entries = [parse_line(line, number) for number, line in enumerate(lines, 1)]
    seen: set[str] = set()
    for number, (word, _frequency, _tag) in enumerate(entries, 1):
        if word in seen:
            raise DictionaryError(_("Line %(n)d repeats “%(word)s”.") % {"n": number, "word": word})
        seen.add(word)
    return entries


def parse_words(text: str) -> list[str]:
    """A stopword list: words separated by spaces, commas or line breaks (duplicates dropped, order kept)."""
    words = [w for w in re.split(r"[\s,，、;；]+", text) if w]
    return list(dict.fromkeys(check_word(w) for w in words))


def format_dictionary(terms: Iterable[Term]) -> str:
    return "".join(f"{t.word} {t.frequency}{' ' + t.tag if t.tag else ''}\n" for t in terms)


@functools.cache
def builtin_lexicon() -> tuple[Term, ...]:
    """The built-in policy / government-data lexicon, frequencies fixed so that jieba keeps each word whole."""
    terms = []
    for line in (DATA / "policy_lexicon.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, frequency, tag = line.split()
            terms.append(Term(word, int(frequency), tag))
    return tuple(terms)


@functools.cache
def builtin_stopwords() -> frozenset[str]:
    text = (DATA / "stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


# --- the engine ----------------------------------------------------------------------------------


def _jieba_dictionary_lines() -> Iterable[list[str]]:
    import jieba  # heavy: imported where jieba's own dictionary is read, not at startup

    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as lines:
        for line in lines:
            yield line.split()


@functools.cache
def _jieba_tags() -> dict[str, str]:
    """jieba's dictionary as word → tag (about 45 MB), for tagging words the project lexicon leaves untagged."""
    return {word: tag for word, _frequency, tag in _jieba_dictionary_lines()}


@functools.cache
def _jieba_frequencies() -> tuple[dict[str, int], int]:
    """jieba's dictionary as word → frequency, prefixes at 0 as jieba keeps them, and the total (about 60 MB).

    Loaded only by a process that suggests a frequency (an owner adding words), not by every process that tags."""
    frequencies: dict[str, int] = {}
    total = 0
    for word, frequency, _tag in _jieba_dictionary_lines():
        frequencies[word] = int(frequency)
        total += int(frequency)
        for i in range(1, len(word)):
            frequencies.setdefault(word[:i], 0)
    return frequencies, total


# jieba itself for one dictionary at a time: each instance holds about 75 MB, and only the rare periodic runs need it.
_reference_tokenizer: dict[tuple, object] = {}


def _reference_for(terms: tuple) -> object:
    """jieba's own tokenizer with this dictionary (never jieba's global one), replacing the one kept for another."""
    tokenizer = _reference_tokenizer.get(terms)
    if tokenizer is None:
        import jieba  # heavy: only texts with periodic runs need the reference engine

        _reference_tokenizer.clear()  # before building the next, so that two are never held at once
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for term in terms:
            tokenizer.add_word(term.word, term.frequency, term.tag or None)
        _reference_tokenizer[terms] = tokenizer
    return tokenizer


class Segmenter:
    """One dictionary's engine: cut text into tokens, tag words."""

    def __init__(self, terms: tuple[Term, ...]):
        self.terms = terms
        self.engine = rjieba.Jieba()
        for term in terms:
            self.engine.add_word(term.word, term.frequency, term.tag or None)
        self.tags = {t.word: t.tag for t in terms if t.tag}
        self._tag_cache: dict[str, str] = {}

    def raw_cut(self, text: str) -> list[str]:
        """The engine's tokens, or jieba's own where the two could differ: in a run like 条条条 the routes 条|条条 and
        条条|条 score the same up to float rounding, and the two engines round differently."""
        if _PERIODIC.search(text):
            return self.reference().lcut(text)
        return self.engine.cut(text)

    def reference(self):
        """jieba itself with this dictionary, built on first need and kept for one dictionary per process."""
        return _reference_for(self.terms)

    def cut(self, text: str) -> list[str]:
        """jieba's accurate-mode tokens; they cover the text exactly, so offsets are running sums of lengths."""
        tokens = self.raw_cut(text)
        broken = self.to_split(dict.fromkeys(tokens))
        if broken:
            tokens = [part for word in tokens for part in broken.get(word, (word,))]
        return tokens

    def to_split(self, words: Iterable[str]) -> dict[str, list[str]]:
        """The words jieba would cut further, with their parts. jieba-rs keeps a non-Chinese run such as "2-3" whole
        where jieba's HMM step cuts it at the punctuation; only runs holding + # & . _ % - can differ."""
        joined = WORD_SEPARATOR.join(words)
        candidates = _GLUED.findall(joined) if _GLUE_CHARS.search(joined) else []
        broken = {w: _split_skip(w) for w in candidates if not _HAN.search(w) and not self.engine.has_word(w)}
        return {w: parts for w, parts in broken.items() if len(parts) > 1}

    def tag(self, word: str) -> str:
        """The part of speech of a word: the dictionary's tag (as jieba.posseg gives it), else m/eng/x by shape."""
        tag = self._tag_cache.get(word)
        if tag is None:
            tag = self._tag_cache[word] = self._tag(word)
        return tag

    def tags_of(self, words: Sequence[str]) -> list[str]:
        tags = list(map(self._tag_cache.get, words))
        return [tag if tag is not None else self.tag(w) for w, tag in zip(words, tags, strict=True)]

    def _tag(self, word: str) -> str:
        tag = self.tags.get(word) or _jieba_tags().get(word)
        if tag:
            return tag
        if _NUMERAL.match(word):
            return "m"
        if word.isascii() and word.isalnum():
            return "eng"
        return "x"


def _split_skip(word: str) -> list[str]:
    return [part for part in _JIEBA_SKIP.split(word) if part]


@functools.lru_cache(maxsize=4)
def segmenter_for(terms: tuple[Term, ...]) -> Segmenter:
    """The engine for a dictionary (built-in lexicon + project terms), kept per process for reuse (about 25 MB each)."""
    return Segmenter(terms)


def suggest_frequency(word: str, terms: tuple[Term, ...]) -> int:
    """jieba's suggest_freq(word, tune=False) against jieba's dictionary plus `terms`: the least frequency that keeps
    the word whole, computed exactly as jieba does so that both engines receive the same dictionary."""
    base, total = _jieba_frequencies()
    overlay: dict[str, int] = {}
    for term in terms:
        overlay[term.word] = term.frequency
        total += term.frequency
        for i in range(1, len(term.word)):
            if term.word[:i] not in base:
                overlay.setdefault(term.word[:i], 0)

    def frequency(w: str) -> int:
        return overlay[w] if w in overlay else base.get(w, 1)

    product = 1.0
    for part in segmenter_for(terms).engine.cut(word, hmm=False):
        product *= frequency(part) / total
    return max(int(product * total) + 1, frequency(word))


# --- documents -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Segmented:
    """A document's segmentation: distinct words in first-seen order, their tags and counts, and the token sequence
    as indexes into `words` (token offsets are the running sum of word lengths)."""

    words: list[str]
    tags: list[str]
    counts: np.ndarray  # uint32 per word
    sequence: np.ndarray  # uint16 (uint32 beyond 65,535 distinct words) per token


def segment_text(text: str, segmenter: Segmenter) -> Segmented:
    tokens = segmenter.raw_cut(text)
    index = {word: i for i, word in enumerate(dict.fromkeys(tokens))}
    sequence = np.fromiter(map(index.__getitem__, tokens), dtype=np.uint32, count=len(tokens))
    words = list(index)
    broken = segmenter.to_split(words)
    if broken:
        words, sequence = _resplit(words, sequence, broken)
    if len(words) <= 65536:
        sequence = sequence.astype(np.uint16)
    return Segmented(
        words=words,
        tags=segmenter.tags_of(words),
        counts=np.bincount(sequence, minlength=len(words)).astype(np.uint32),
        sequence=sequence,
    )


def _resplit(words: list[str], sequence: np.ndarray, broken: dict[str, list[str]]) -> tuple[list[str], np.ndarray]:
    """Replace each broken word by its parts throughout the sequence, in numpy (no loop over tokens)."""
    parts = [broken.get(w, (w,)) for w in words]
    index = {w: i for i, w in enumerate(dict.fromkeys(p for ps in parts for p in ps))}
    flat = np.fromiter((index[p] for ps in parts for p in ps), dtype=np.uint32)
    sizes = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    firsts = np.cumsum(sizes) - sizes
    repeat = sizes[sequence]
    within = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    return list(index), flat[np.repeat(firsts[sequence], repeat) + within]


def encode(segmented: Segmented) -> dict:
    """Model field values for a Segmented."""
    return {
        "words": WORD_SEPARATOR.join(segmented.words),
        "tags": " ".join(segmented.tags),
        "counts": segmented.counts.astype(np.uint32).tobytes(),
        "sequence": segmented.sequence.tobytes(),
        "wide": segmented.sequence.dtype == np.uint32,
    }


def decode_sequence(data: bytes | memoryview, wide: bool) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint32 if wide else np.uint16)


def token_offsets(words: Sequence[str], sequence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (code points) of every token."""
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))[sequence]
    ends = np.cumsum(lengths)
    return ends - lengths, ends


def counts_within(words: Sequence[str], sequence: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Per-word counts of the tokens lying wholly inside the merged, sorted `spans`."""
    starts, ends = token_offsets(words, sequence)
    span_starts = np.array([s for s, _e in spans], dtype=np.int64)
    span_ends = np.array([e for _s, e in spans], dtype=np.int64)
    which = np.searchsorted(span_starts, starts, side="right") - 1
    inside = (which >= 0) & (ends <= span_ends[np.clip(which, 0, None)])
    return np.bincount(sequence[inside], minlength=len(words)).astype(np.uint32)


def is_punctuation(word: str) -> bool:
    """Whitespace, punctuation and symbols: never words."""
    return all(ch.isspace() or unicodedata.category(ch)[0] in "PSZ" for ch in word)


def is_builtin_stopword(word: str) -> bool:
    """The built-in list, numerals and article markers (第三条, 第一章)."""
    return word in builtin_stopwords() or bool(_NUMERAL.match(word)) or bool(_MARKER.match(word))


def pos_prefixes(groups: Iterable[str]) -> tuple[str, ...]:
    """Tag prefixes for POS group names (noun, verb …) or raw jieba tags (nt, vn …)."""
    prefixes: list[str] = []
    for group in groups:
        group = group.strip()
        if group in POS_GROUPS:
            prefixes += POS_GROUPS[group]
        elif TAG_RE.match(group):
            prefixes.append(group)
        elif group:
            raise DictionaryError(
                _("Unknown part of speech “%(pos)s”: use %(groups)s or a jieba tag such as nt.")
                % {"pos": group, "groups": ", ".join(POS_GROUPS)}
            )
    return tuple(prefixes)


# --- loaders: the project's dictionary, and storing a document's tokens ------------------------------


def project_terms(project) -> tuple[Term, ...]:
    """The project's dictionary: the built-in lexicon, then the researchers' words (theirs win on a clash)."""
    own = [Term(w, f, t) for w, f, t in project.dictionary_terms.order_by("id").values_list("word", "frequency", "tag")]
    return builtin_lexicon() + tuple(own)


def project_stopwords(project) -> frozenset[str]:
    return frozenset(project.stopwords.values_list("word", flat=True))


def segmentation_state(project) -> dict:
    """Where segmentation stands for the project: dictionary version, task status and progress, documents done, and
    whether a task worker is alive to do it."""
    state = Segmentation.objects.filter(pk=project.pk).first() or Segmentation(project=project)
    return {
        "version": state.version,
        "status": state.status,
        "done": state.done,
        "total": state.total,
        "segmented": project.documents.filter(tokens__version=state.version).count(),
        "documents": project.documents.count(),
        "error": state.error,
        "worker_alive": workers.alive(),
    }


WORD_BOUNDARY_CHUNK = 100  # cached segmentations read per query, in document order (text search's order)


def word_boundaries(project) -> Callable[[int, str], np.ndarray]:
    """For whole-word search: a function giving a document's word boundaries (0 and every token's end, ascending), from
    its cached segmentation when that is current, else by segmenting the text with the project's dictionary.

    Cached segmentations are read a chunk at a time, from the document asked for onwards in id order."""
    version = Segmentation.objects.filter(pk=project.pk).values_list("version", flat=True).first() or 1
    segmenter: list[Segmenter] = []
    chunk: dict[int, tuple] = {}
    read_up_to = [-1]  # the highest document id the chunk covers

    def cached(document_id: int) -> tuple | None:
        if document_id not in chunk and document_id > read_up_to[0]:
            chunk.clear()
            rows = (
                DocumentTokens.objects.filter(document__project=project, version=version, document_id__gte=document_id)
                .order_by("document_id")
                .values_list("document_id", "words", "sequence", "wide")[:WORD_BOUNDARY_CHUNK]
            )
            for pk, *row in rows:
                chunk[pk] = tuple(row)
            read_up_to[0] = max(chunk) if len(chunk) == WORD_BOUNDARY_CHUNK else 2**63
        return chunk.get(document_id)

    def boundaries(document_id: int, text: str) -> np.ndarray:
        row = cached(document_id)
        if row is not None:
            words = row[0].split(WORD_SEPARATOR) if row[0] else []
            lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))[decode_sequence(row[1], row[2])]
            if int(lengths.sum()) == len(text):
                return np.concatenate(([0], np.cumsum(lengths)))
        if not segmenter:
            segmenter.append(segmenter_for(project_terms(project)))
        tokens = segmenter[0].cut(text)
        return np.concatenate(([0], np.cumsum(np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens)))))

    return boundaries
