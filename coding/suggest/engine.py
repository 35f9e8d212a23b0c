"""Pure: the suggestion model over plain values — features, one classifier per node, grouped cross-validation,
thresholds, and explanations. No ORM here; the loader in coding/suggest/training.py feeds it.

Features are the unit's cached jieba tokens (the project dictionary included) as TF-IDF word unigrams and bigrams,
plus TF-IDF character 2- and 3-grams of its text; the classifier is a class-balanced logistic regression (log loss,
fitted by seeded stochastic gradient descent). The model
is kept as plain arrays (vocabulary, idf, coefficients), never as a pickled object.
"""

import itertools
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from policies.text import segment

# scikit-learn is imported inside the functions that train (a heavy optional library, about 70 MB a process): only
# the process that trains a model (the task worker) loads it, never a web worker that merely shows suggestions.

MAX_WORD_FEATURES = 60_000
MAX_CHAR_FEATURES = 60_000
TARGET_PRECISION = 0.8
FALLBACK_THRESHOLD = 0.5
MIN_POSITIVES = 5
MIN_DOCUMENTS = 3
MAX_FOLDS = 5
CURVE_POINTS = 40
ALPHA = 1e-4  # L2 regularization of the logistic regression
EPOCHS = 5  # passes of stochastic gradient descent: the early stop never came before 6, and F1 held at 5 (bench)
LARGE = 10_000  # units: above this, 3 folds instead of 5 keep training within a minute
_NOT_CHARS = re.compile(r"[\W\d_]+")  # punctuation, spaces, digits and Latin underscores separate character runs


@dataclass(frozen=True, slots=True)
class Example:
    """A unit as the model sees it: its words in order and its text."""

    tokens: tuple[str, ...]
    text: str


@dataclass
class Vocabulary:
    """The fitted features: word (and "word word" bigram) and character n-gram columns, with their idf weights."""

    words: list[str]
    word_idf: np.ndarray
    chars: list[str]
    char_idf: np.ndarray

    @property
    def size(self) -> int:
        return len(self.words) + len(self.chars)

    def feature(self, column: int) -> str:
        """The text a column stands for: a word, two words, or characters."""
        if column < len(self.words):
            return self.words[column].replace(" ", "")
        return self.chars[column - len(self.words)].strip()


@dataclass
class NodeEvaluation:
    """Cross-validated quality of one node's classifier at its threshold."""

    positives: int
    documents: int
    threshold: float
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    curve: list[tuple[float, float, float]] = field(default_factory=list)  # (threshold, precision, recall)
    target_reached: bool = False


# --- tokens of a unit ----------------------------------------------------------------------------


def kept_words(words: Sequence[str]) -> np.ndarray:
    """Per distinct word: is it a feature? Punctuation, numerals and article markers (第三条) are not."""
    return np.fromiter(
        (not (segment.is_punctuation(w) or segment.is_builtin_stopword(w)) for w in words), dtype=bool, count=len(words)
    )


def unit_tokens(
    words: Sequence[str], sequence: np.ndarray, spans: Sequence[tuple[int, int]], keep: np.ndarray | None = None
) -> list[tuple[str, ...]]:
    """The kept tokens lying wholly inside each span (start, end), from a document's cached segmentation."""
    starts, ends = segment.token_offsets(words, sequence)
    keep = kept_words(words) if keep is None else keep
    result = []
    for start, end in spans:
        first, last = np.searchsorted(starts, start, side="left"), np.searchsorted(ends, end, side="right")
        ids = sequence[first:last]
        result.append(tuple(words[i] for i in ids[keep[ids]]))
    return result


def _word_features(tokens: tuple[str, ...]) -> list[str]:
    return [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]


def _char_text(text: str) -> str:
    return _NOT_CHARS.sub(" ", text)


def _word_vectorizer(**kwargs):
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: see the note at the imports

    return TfidfVectorizer(analyzer=_word_features, sublinear_tf=True, dtype=np.float32, **kwargs)


def _char_vectorizer(**kwargs):
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: see the note at the imports

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 3), lowercase=True, sublinear_tf=True, dtype=np.float32, **kwargs
    )


def fit_vocabulary(examples: Sequence[Example]) -> tuple[Vocabulary, sparse.csr_matrix]:
    """Fit the features on the training units; returns them and the units' feature matrix. Words through
    TfidfVectorizer; character n-grams counted in arrays (_fit_chars: the same features and idf, without a Python
    step per n-gram)."""
    min_df = 2 if len(examples) >= 4 else 1
    word = _word_vectorizer(min_df=min_df, max_features=MAX_WORD_FEATURES)
    x_word = word.fit_transform([e.tokens for e in examples])
    chars, char_idf = _fit_chars(examples, min_df, MAX_CHAR_FEATURES)
    vocabulary = Vocabulary(
        words=list(word.get_feature_names_out()),
        word_idf=word.idf_.astype(np.float32),
        chars=chars,
        char_idf=char_idf,
    )
    x_char = Transform(vocabulary, words=False).chars(examples)
    return vocabulary, sparse.hstack([x_word, x_char], format="csr", dtype=np.float32)


_SHIFT = 21  # bits per code point: an n-gram of up to three characters is one int64 key


def _ngram_keys(codes: np.ndarray, n: int) -> np.ndarray:
    keys = codes[: len(codes) - n + 1].astype(np.int64)
    for i in range(1, n):
        keys = (keys << _SHIFT) | codes[i : len(codes) - n + 1 + i]
    return keys


class Transform:
    """A fitted vocabulary's feature matrix for new units, built once per model and kept with it: the same numbers as
    the fitted vectorizers' transform (sublinear tf × idf, each block L2-normalized).

    Words are counted with Counter; character n-grams without a Python step per n-gram: the units' texts, as
    char_wb sees them (" word word " per unit), become one array of code points, each 2- and 3-gram one integer key,
    looked up in the sorted keys of the vocabulary's n-grams."""

    def __init__(self, vocabulary: Vocabulary, words: bool = True):
        self.vocabulary = vocabulary
        self.word_index = {w: i for i, w in enumerate(vocabulary.words)} if words else {}
        self.char_keys: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for n in (2, 3):
            columns = np.array([i for i, c in enumerate(vocabulary.chars) if len(c) == n], dtype=np.int64)
            if len(columns):
                text = "".join(vocabulary.chars[i] for i in columns)
                keys = _ngram_keys(_code_points(text), n)[::n]
            else:
                keys = np.zeros(0, dtype=np.int64)
            order = np.argsort(keys)
            self.char_keys[n] = (keys[order], columns[order])

    def __call__(self, examples: Sequence[Example]) -> sparse.csr_matrix:
        rows = len(examples)
        columns: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for example in examples:
            for feature, count in Counter(_word_features(example.tokens)).items():
                column = self.word_index.get(feature)
                if column is not None:
                    columns.append(column)
                    counts.append(count)
            indptr.append(len(columns))
        words = _tfidf(
            np.repeat(np.arange(rows), np.diff(indptr)),
            np.array(columns, dtype=np.int64),
            counts,
            self.vocabulary.word_idf,
            rows,
            len(self.vocabulary.words),
        )
        return sparse.hstack([words, self.chars(examples)], format="csr", dtype=np.float32)

    def chars(self, examples: Sequence[Example]) -> sparse.csr_matrix:
        """The character n-gram block, a batch of units at a time."""
        blocks = [self._chars(chunk) for chunk in _chunks(examples)]
        if len(blocks) == 1:
            return blocks[0]
        if not blocks:
            return sparse.csr_matrix((0, len(self.vocabulary.chars)), dtype=np.float32)
        return sparse.vstack(blocks, format="csr", dtype=np.float32)

    def _chars(self, examples: Sequence[Example]) -> sparse.csr_matrix:
        rows = len(examples)
        found_rows, found_columns = [], []
        for n, row_of, grams in _char_grams(examples):
            keys, columns = self.char_keys[n]
            if not len(keys):
                continue
            at = np.searchsorted(keys, grams)
            hit = (at < len(keys)) & (keys[np.minimum(at, len(keys) - 1)] == grams)
            found_rows.append(row_of[hit])
            found_columns.append(columns[at[hit]])
        row = np.concatenate(found_rows) if found_rows else np.zeros(0, dtype=np.int64)
        column = np.concatenate(found_columns) if found_columns else np.zeros(0, dtype=np.int64)
        counted = sparse.coo_matrix(
            (np.ones(len(row), dtype=np.float64), (row, column)), shape=(rows, len(self.vocabulary.chars))
        ).tocsr()
        counted.sum_duplicates()
        counted.sort_indices()
        row_of_entry = np.repeat(np.arange(rows), np.diff(counted.indptr))
        return _tfidf(
            row_of_entry,
            counted.indices.astype(np.int64),
            counted.data,
            self.vocabulary.char_idf,
            rows,
            len(self.vocabulary.chars),
        )


def _char_grams(examples: Sequence[Example]):
    """Per n (2, 3): the row and integer key of every character n-gram of the units as char_wb sees them —
    lowercased runs of letters, each padded by a space; never across units."""
    texts = [" " + " ".join(_char_text(e.text).lower().split()) + " " for e in examples]
    codes = _code_points("\0".join(texts))  # a NUL between units
    row_of = np.repeat(np.arange(len(texts)), [len(t) + 1 for t in texts])[: len(codes)]
    for n in (2, 3):
        if len(codes) < n:
            continue
        grams = _ngram_keys(codes, n)
        inside = np.ones(len(grams), dtype=bool)
        for i in range(n):
            inside &= codes[i : len(codes) - n + 1 + i] != 0
        if n == 3:
            inside &= codes[1 : len(codes) - 1] != 32  # char_wb pads each word: no 3-gram spans a space
        yield n, row_of[: len(grams)][inside], grams[inside]


CHUNK = 2_000  # units per batch of character n-grams: the arrays stay small (peak memory), the work the same


def _chunks(examples: Sequence[Example]):
    for start in range(0, len(examples), CHUNK):
        yield examples[start : start + CHUNK]


def _fit_chars(examples: Sequence[Example], min_df: int, max_features: int) -> tuple[list[str], np.ndarray]:
    """The character n-gram features and their idf, as TfidfVectorizer(char_wb, 2–3) fits them (document frequency
    at least `min_df`, the `max_features` most frequent, in text order; smooth idf), counted in arrays, a batch of
    units at a time."""
    counted: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {2: [], 3: []}
    for chunk in _chunks(examples):
        for n, row_of, grams in _char_grams(chunk):
            order = np.lexsort((row_of, grams))
            grams, row_of = grams[order], row_of[order]
            new_gram = np.concatenate([[True], grams[1:] != grams[:-1]])
            new_pair = new_gram | np.concatenate([[True], row_of[1:] != row_of[:-1]])
            starts = np.flatnonzero(new_gram)
            if len(starts):
                tf = np.diff(np.append(starts, len(grams)))
                counted[n].append((grams[starts], tf, np.add.reduceat(new_pair.astype(np.int64), starts)))
    found_keys, found_n, df, tf = [], [], [], []
    for n, parts in counted.items():
        if not parts:
            continue
        keys = np.concatenate([k for k, _t, _d in parts])
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        found_keys.append(keys[starts])
        found_n.append(np.full(len(starts), n))
        tf.append(np.add.reduceat(np.concatenate([t for _k, t, _d in parts])[order], starts))
        df.append(np.add.reduceat(np.concatenate([d for _k, _t, d in parts])[order], starts))
    if not found_keys:
        return [], np.zeros(0, dtype=np.float32)
    keys, sizes = np.concatenate(found_keys), np.concatenate(found_n)
    df, tf = np.concatenate(df), np.concatenate(tf)
    kept = np.flatnonzero(df >= min_df)
    if len(kept) > max_features:
        kept = kept[np.argsort(-tf[kept], kind="stable")[:max_features]]
    chars = [_key_text(int(keys[i]), int(sizes[i])) for i in kept]
    order = sorted(range(len(chars)), key=chars.__getitem__)
    idf = np.log((1 + len(examples)) / (1 + df[kept][order])) + 1
    return [chars[i] for i in order], idf.astype(np.float32)


def _key_text(key: int, n: int) -> str:
    mask = (1 << _SHIFT) - 1
    return "".join(chr((key >> (_SHIFT * (n - 1 - i))) & mask) for i in range(n))


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _tfidf(row_of: np.ndarray, columns: np.ndarray, counts, idf: np.ndarray, rows: int, size: int) -> sparse.csr_matrix:
    """Sublinear tf × idf, each row L2-normalized: TfidfVectorizer's numbers from (row, column, count) entries sorted
    by row."""
    data = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * idf[columns]
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=rows))
    data /= np.where(norms > 0, norms, 1.0)[row_of]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=rows))])
    block = sparse.csr_matrix((data.astype(np.float32), columns.astype(np.int32), indptr), shape=(rows, size))
    block.sort_indices()
    return block


def vectorize(vocabulary: Vocabulary, examples: Sequence[Example]) -> sparse.csr_matrix:
    """The feature matrix of units under a fitted vocabulary (the same numbers fit_vocabulary gave)."""
    return Transform(vocabulary)(examples)


# --- classifiers ---------------------------------------------------------------------------------


def fit_classifier(x: sparse.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, float]:
    """A class-balanced, L2-regularized logistic regression fitted by stochastic gradient descent (a bounded number of
    passes: liblinear took 30 times as long); returns its coefficients (float32) and intercept. Deterministic: the
    shuffling is seeded."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier  # heavy: see the note at the imports

    model = SGDClassifier(
        loss="log_loss", alpha=ALPHA, class_weight="balanced", max_iter=EPOCHS, tol=None, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a bounded number of epochs is the point
        model.fit(x, y)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def probabilities(x: sparse.csr_matrix, coef: np.ndarray, intercept: float) -> np.ndarray:
    """The classifier's probability that each row is an example of the node."""
    scores = x @ coef.astype(np.float32) + np.float32(intercept)
    return 1.0 / (1.0 + np.exp(-np.asarray(scores, dtype=np.float64).ravel()))


def enough_examples(
    positives: int, documents: int, min_positives: int = MIN_POSITIVES, min_documents: int = MIN_DOCUMENTS
) -> bool:
    return positives >= min_positives and documents >= min_documents


# --- measuring -----------------------------------------------------------------------------------


def folds(groups: np.ndarray, n_splits: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train/test row indexes grouped by document: no document is on both sides of a fold. Five folds, or three
    beyond LARGE units."""
    from sklearn.model_selection import GroupKFold  # heavy: see the note at the imports

    n_splits = n_splits or (MAX_FOLDS if len(groups) <= LARGE else 3)
    n = min(n_splits, len(np.unique(groups)))
    if n < 2:
        return []
    return list(GroupKFold(n_splits=n).split(np.zeros(len(groups)), groups=groups))


def fold_matrices(
    x: sparse.csr_matrix, splits: list[tuple[np.ndarray, np.ndarray]]
) -> list[tuple[np.ndarray, np.ndarray, sparse.csr_matrix, sparse.csr_matrix]]:
    """Each fold's rows with their training and test matrices, sliced once and shared by every node that trains on
    these rows (slicing per node and fold was a copy of most of the matrix each time)."""
    return [(train, test, x[train], x[test]) for train, test in splits]


def out_of_fold(x: sparse.csr_matrix, y: np.ndarray, splits) -> np.ndarray:
    """Each row's probability from the classifier trained on the folds without its document (NaN where a training
    side held only one class). `splits` holds (train, test) rows, or (train, test, x[train], x[test]) sliced once."""
    result = np.full(len(y), np.nan)
    for split in splits:
        train, test = split[0], split[1]
        x_train, x_test = (split[2], split[3]) if len(split) == 4 else (x[train], x[test])
        if len(np.unique(y[train])) < 2:
            continue
        coef, intercept = fit_classifier(x_train, y[train])
        result[test] = probabilities(x_test, coef, intercept)
    return result


def choose_threshold(y: np.ndarray, scores: np.ndarray, target: float = TARGET_PRECISION) -> tuple[float, bool]:
    """The lowest threshold at which precision reaches `target`, and whether it is reachable (else 0.5)."""
    from sklearn.metrics import precision_recall_curve  # heavy: see the note at the imports

    if not y.any():
        return FALLBACK_THRESHOLD, False
    precision, _recall, thresholds = precision_recall_curve(y, scores)
    reached = np.nonzero(precision[:-1] >= target)[0]
    if not len(reached):
        return FALLBACK_THRESHOLD, False
    return float(thresholds[reached[0]]), True


def at_threshold(y: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[int, int, int]:
    """True positives, false positives and false negatives when suggesting every score >= threshold."""
    predicted = scores >= threshold
    return (
        int(np.count_nonzero(predicted & y)),
        int(np.count_nonzero(predicted & ~y)),
        int(np.count_nonzero(~predicted & y)),
    )


def ratios(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0 where undefined)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def curve_points(y: np.ndarray, scores: np.ndarray, points: int = CURVE_POINTS) -> list[tuple[float, float, float]]:
    """The precision–recall curve thinned to at most `points` (threshold, precision, recall) triples."""
    from sklearn.metrics import precision_recall_curve  # heavy: see the note at the imports

    if not y.any():
        return []
    precision, recall, thresholds = precision_recall_curve(y, scores)
    keep = np.unique(np.linspace(0, len(thresholds) - 1, min(points, len(thresholds))).round().astype(int))
    return [(round(float(thresholds[i]), 4), round(float(precision[i]), 4), round(float(recall[i]), 4)) for i in keep]


def evaluate(y: np.ndarray, scores: np.ndarray, groups: np.ndarray, threshold: float | None = None) -> NodeEvaluation:
    """A node's cross-validated figures from its out-of-fold scores; the threshold is chosen unless given."""
    measured = ~np.isnan(scores)
    y, scores, groups = y[measured].astype(bool), scores[measured], groups[measured]
    reached = False
    if threshold is None:
        threshold, reached = choose_threshold(y, scores)
    tp, fp, fn = at_threshold(y, scores, threshold)
    precision, recall, f1 = ratios(tp, fp, fn)
    return NodeEvaluation(
        positives=int(y.sum()),
        documents=len(np.unique(groups[y])),
        threshold=round(threshold, 4),
        precision=precision,
        recall=recall,
        f1=f1,
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        curve=curve_points(y, scores),
        target_reached=reached,
    )


def train_node(
    x: sparse.csr_matrix, y: np.ndarray, groups: np.ndarray, splits=None
) -> tuple[np.ndarray, float, NodeEvaluation]:
    """One node's classifier on all rows, and its figures from grouped cross-validation."""
    splits = folds(groups) if splits is None else splits
    evaluation = evaluate(y, out_of_fold(x, y, splits), groups)
    coef, intercept = fit_classifier(x, y)
    return coef, intercept, evaluation


def figures_on_curve(evaluation: dict, threshold: float) -> dict:
    """A node's stored figures moved to another threshold: precision and recall of the first point of its thinned
    precision–recall curve at or above it (recall 0 beyond the curve)."""
    above = [point for point in evaluation.get("curve", []) if point[0] >= threshold]
    precision, recall = (above[0][1], above[0][2]) if above else (evaluation.get("precision", 0.0), 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {**evaluation, "threshold": threshold, "precision": precision, "recall": recall, "f1": round(f1, 4)}


def summary(evaluations: Sequence[NodeEvaluation]) -> dict[str, float]:
    """Micro (pooled counts) and macro (mean over nodes) precision, recall and F1."""
    if not evaluations:
        return {}
    tp = sum(e.true_positives for e in evaluations)
    fp = sum(e.false_positives for e in evaluations)
    fn = sum(e.false_negatives for e in evaluations)
    micro = ratios(tp, fp, fn)
    n = len(evaluations)
    return {
        "micro_precision": micro[0],
        "micro_recall": micro[1],
        "micro_f1": micro[2],
        "macro_precision": sum(e.precision for e in evaluations) / n,
        "macro_recall": sum(e.recall for e in evaluations) / n,
        "macro_f1": sum(e.f1 for e in evaluations) / n,
    }


# --- explaining ----------------------------------------------------------------------------------


def top_features(
    vocabulary: Vocabulary, row: sparse.csr_matrix, coef: np.ndarray, k: int = 5
) -> list[tuple[str, float]]:
    """The features present in one unit that pushed its score up most: (text, weight), heaviest first."""
    row = row.tocsr()
    return _heaviest(vocabulary, row.indices, row.data * coef[row.indices], k)


def top_features_of(
    vocabulary: Vocabulary, x: sparse.csr_matrix, coef: np.ndarray, pairs: Sequence[tuple[int, int]], k: int = 5
) -> dict[tuple[int, int], list[tuple[str, float]]]:
    """top_features for many (row, classifier) pairs at once; `coef` holds one classifier per row of it.

    Per row, one matrix of contributions for all its classifiers and one partial sort keep a few candidates per pair
    (twice k: a word bigram and a character n-gram can read the same); then, over all pairs' candidates at once, they
    are sorted heaviest first (equal weights in the row's order), a text already read by a heavier one dropped, the
    first k kept."""
    if not pairs:
        return {}
    by_row: dict[int, list[int]] = {}
    for p, (row, _column) in enumerate(pairs):
        by_row.setdefault(row, []).append(p)
    pair_parts, position_parts, column_parts, weight_parts = [], [], [], []
    for row, members in by_row.items():
        start, end = x.indptr[row], x.indptr[row + 1]
        if start == end:
            continue
        indices = x.indices[start:end]
        classifiers = [pairs[p][1] for p in members]
        contributions = coef[np.ix_(classifiers, indices)] * x.data[start:end]
        take = min(2 * k, end - start)
        if take < end - start:
            chosen = np.argpartition(-contributions, take - 1, axis=1)[:, :take]
        else:
            chosen = np.broadcast_to(np.arange(end - start), (len(members), end - start))
        pair_parts.append(np.repeat(np.array(members, dtype=np.int64), take))
        position_parts.append(chosen.ravel())
        column_parts.append(indices[chosen].ravel())
        weight_parts.append(np.take_along_axis(contributions, chosen, axis=1).ravel())
    found: dict[tuple[int, int], list[tuple[str, float]]] = {pair: [] for pair in pairs}
    if not pair_parts:
        return found
    pair_of, positions = np.concatenate(pair_parts), np.concatenate(position_parts)
    columns, weights = np.concatenate(column_parts).astype(np.int64), np.concatenate(weight_parts)
    texts, readings = _readings(vocabulary)
    keep = (weights > 0) & (texts[columns] >= 0)  # pushing up, and readable
    pair_of, positions, columns, weights = pair_of[keep], positions[keep], columns[keep], weights[keep]
    order = np.lexsort((positions, -weights, pair_of))
    pair_of, columns, weights = pair_of[order], columns[order], weights[order]
    _unique, first = np.unique(pair_of * (int(texts.max(initial=0)) + 1) + texts[columns], return_index=True)
    kept = np.zeros(len(pair_of), dtype=bool)
    kept[first] = True
    pair_of, columns, weights = pair_of[kept], columns[kept], weights[kept]
    rank = np.arange(len(pair_of)) - np.searchsorted(pair_of, pair_of)
    top = rank < k
    for p, column, weight in zip(pair_of[top].tolist(), columns[top].tolist(), weights[top].tolist(), strict=True):
        found[pairs[p]].append((readings[column], round(weight, 4)))
    return found


_TEXTS: dict[int, tuple[Vocabulary, np.ndarray, list[str]]] = {}


def _readings(vocabulary: Vocabulary) -> tuple[np.ndarray, list[str]]:
    """Per column, the text it reads (a word bigram "数据 开放" reads 数据开放, as the n-gram does) and a number for
    that text, -1 when it reads nothing (a feature of spaces only). Kept per vocabulary."""
    kept = _TEXTS.get(id(vocabulary))
    if kept is not None and kept[0] is vocabulary:
        return kept[1], kept[2]
    texts = [vocabulary.feature(column) for column in range(vocabulary.size)]
    numbers: dict[str, int] = {}
    found = np.fromiter(
        (numbers.setdefault(text, len(numbers)) if text else -1 for text in texts), dtype=np.int64, count=len(texts)
    )
    if len(_TEXTS) > 8:
        _TEXTS.clear()
    _TEXTS[id(vocabulary)] = (vocabulary, found, texts)
    return found, texts


def _heaviest(
    vocabulary: Vocabulary, indices: np.ndarray, contributions: np.ndarray, k: int
) -> list[tuple[str, float]]:
    """The first k distinct feature texts of positive weight, in the order given (sorted here when not sorted)."""
    if len(contributions) > 1 and np.any(np.diff(contributions) > 0):
        order = np.argsort(-contributions, kind="stable")
        indices, contributions = indices[order], contributions[order]
    found: list[tuple[str, float]] = []
    seen: set[str] = set()
    for column, weight in zip(indices.tolist(), contributions.tolist(), strict=True):
        if weight <= 0 or len(found) == k:
            break
        text = vocabulary.feature(column)
        if text and text not in seen:
            seen.add(text)
            found.append((text, round(weight, 4)))
    return found


def occurrences(text: str, needle: str, offset: int = 0, limit: int = 20, end: int | None = None) -> list[list[int]]:
    """Where `needle` occurs in `text` (from `offset` to `end`, or in all of it when `end` is None, then shifted by
    `offset`), as [start, end) code-point spans (at most `limit`)."""
    if end is None:
        end = len(text)
        shift, position = offset, text.find(needle)
    else:
        shift, position = 0, text.find(needle, offset, end)
    spans: list[list[int]] = []
    size = len(needle)
    while position != -1 and len(spans) < limit:
        spans.append([shift + position, shift + position + size])
        position = text.find(needle, position + size, end)
    return spans
