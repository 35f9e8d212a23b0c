"""The loader: a project's units as examples, labelled on one layer. Reads only; coding/suggest/services.py trains.

A unit is a positive example of a node when a coding of the layer at the node or a descendant covers it; the other
units of documents the layer has coded (or marked done), and units whose suggestion the layer rejected, are the
negatives; units of the remaining documents are the candidates the model suggests for."""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from coding.models import Assignment, Coding, Suggestion, SuggestionState
from coding.suggest import engine, units
from framework.models import Node
from policies.models import Document, DocumentTokens, Project, Section
from policies.text import segment

SECTION_FIELDS = ("kind", "label", "start", "end", "level")


@dataclass
class DocumentUnits:
    document_id: int
    text: str
    units: list[units.Unit]
    examples: list[engine.Example]


@dataclass
class Dataset:
    training: list[DocumentUnits] = field(default_factory=list)  # documents the layer coded or marked done
    candidates: list[DocumentUnits] = field(default_factory=list)
    labels: dict[int, np.ndarray] = field(default_factory=dict)  # node id -> bool per training unit
    # units of candidate documents whose suggestion for a node was rejected: extra negatives of that node
    extra: list[tuple[int, engine.Example, frozenset[int]]] = field(default_factory=list)  # (document, example, nodes)
    rejected: set[tuple[int, int, int, int]] = field(default_factory=set)  # (document, node, start, end)

    def examples(self) -> list[engine.Example]:
        return [e for d in self.training for e in d.examples] + [e for _d, e, _n in self.extra]

    def groups(self) -> np.ndarray:
        own = [d.document_id for d in self.training for _e in d.examples]
        return np.array(own + [d for d, _e, _n in self.extra], dtype=np.int64)

    def rows_for(self, node_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows (of examples()) a node trains on, and their labels: every training unit, and the extra
        negatives rejected for this node."""
        training = sum(len(d.units) for d in self.training)
        extra = [training + i for i, (_d, _e, nodes) in enumerate(self.extra) if node_id in nodes]
        rows = np.concatenate([np.arange(training), np.array(extra, dtype=np.int64)]).astype(np.int64)
        labels = np.concatenate([self.labels.get(node_id, np.zeros(training, dtype=bool)), np.zeros(len(extra), bool)])
        return rows, labels


def _ancestry(project: Project) -> dict[int, tuple[int, ...]]:
    parents = dict(Node.objects.filter(project=project).values_list("id", "parent_id"))
    chains: dict[int, tuple[int, ...]] = {}
    for node_id in parents:
        chain, current = [], node_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        chains[node_id] = tuple(chain)
    return chains


def document_units(document_id: int, text: str, sections, tokens: DocumentTokens | None, segmenter) -> DocumentUnits:
    """One document's units with their examples; tokens come from the cache, or are segmented here when missing."""
    found = units.units_of(text, sections)
    if tokens is not None:
        words, sequence = (
            tokens.words.split(segment.WORD_SEPARATOR),
            segment.decode_sequence(tokens.sequence, tokens.wide),
        )
    else:
        segmented = segment.segment_text(text, segmenter())
        words, sequence = segmented.words, segmented.sequence
    spans = [(u.start, u.end) for u in found]
    token_lists = engine.unit_tokens(words, sequence, spans)
    examples = [engine.Example(t, units.body(text, u)) for t, u in zip(token_lists, found, strict=True)]
    return DocumentUnits(document_id, text, found, examples)


def spans_of(document: Document, found: list[units.Unit]) -> DocumentUnits:
    """Given units of one document as examples (for explaining stored suggestions): tokens from the cache, or
    segmented here when missing."""
    tokens = DocumentTokens.objects.filter(document=document).first()
    if tokens is not None:
        words = tokens.words.split(segment.WORD_SEPARATOR)
        sequence = segment.decode_sequence(tokens.sequence, tokens.wide)
    else:
        segmented = segment.segment_text(document.text, segment.segmenter_for(segment.project_terms(document.project)))
        words, sequence = segmented.words, segmented.sequence
    token_lists = engine.unit_tokens(words, sequence, [(u.start, u.end) for u in found])
    examples = [engine.Example(t, units.body(document.text, u)) for t, u in zip(token_lists, found, strict=True)]
    return DocumentUnits(document.pk, document.text, found, examples)


def load(project: Project, coder_ids: list[int], layer_key: str, min_share: float = 0.0, documents=None) -> Dataset:
    """The project's (or the given documents') units, split into training and candidates, labelled on the layer."""
    queryset = Document.objects.filter(project=project) if documents is None else documents.filter(project=project)
    # a few documents by their ids: the per-document indexes, not a scan of the project's codings
    scope = (
        {"document__project": project}
        if documents is None
        else {"document_id__in": list(queryset.values_list("pk", flat=True))}
    )
    codings: defaultdict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for document_id, start, end, node_id in Coding.objects.filter(**scope, coder_id__in=coder_ids).values_list(
        "document_id", "start", "end", "node_id"
    ):
        codings[document_id].append((start, end, node_id))
    done = set(
        Assignment.objects.filter(**scope, coder_id__in=coder_ids, done_at__isnull=False).values_list(
            "document_id", flat=True
        )
    )
    rejections: defaultdict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for document_id, node_id, start, end in Suggestion.objects.filter(
        **scope, state=SuggestionState.REJECTED, layer_key=layer_key
    ).values_list("document_id", "node_id", "start", "end"):
        rejections[document_id].append((start, end, node_id))
    sections: defaultdict[int, list[tuple]] = defaultdict(list)
    for document_id, *section in (
        Section.objects.filter(**scope).order_by("start").values_list("document_id", *SECTION_FIELDS)
    ):
        sections[document_id].append(tuple(section))
    ancestry = _ancestry(project)
    terms = segment.project_terms(project)
    segmenter = _lazy(lambda: segment.segmenter_for(terms))
    dataset = Dataset()
    positives: list[dict[int, set[int]]] = []
    for document in queryset.order_by("pk").select_related("tokens").only("id", "text", "tokens").iterator(500):
        tokens = getattr(document, "tokens", None)
        unit_set = document_units(document.pk, document.text, sections[document.pk], tokens, segmenter)
        if document.pk in codings or document.pk in done:
            dataset.training.append(unit_set)
            positives.append(units.positives(unit_set.units, codings[document.pk], ancestry, min_share))
            continue
        dataset.candidates.append(unit_set)
        dataset.rejected.update((document.pk, n, s, e) for s, e, n in rejections[document.pk])
        by_unit: defaultdict[int, set[int]] = defaultdict(set)
        for node_id, hits in units.positives(unit_set.units, rejections[document.pk], {}, 0.5).items():
            for hit in hits:
                by_unit[hit].add(node_id)
        dataset.extra += [(document.pk, unit_set.examples[i], frozenset(n)) for i, n in sorted(by_unit.items())]
    sizes = [len(d.units) for d in dataset.training]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64) if sizes else np.zeros(1, dtype=np.int64)
    total = int(offsets[-1])
    for index, found in enumerate(positives):
        for node_id, hits in found.items():
            column = dataset.labels.setdefault(node_id, np.zeros(total, dtype=bool))
            column[[int(offsets[index]) + h for h in hits]] = True
    return dataset


def _lazy(make):
    """Build a value on first use only (a segmenter is needed only when a document lacks cached tokens)."""
    made = []

    def get():
        if not made:
            made.append(make())
        return made[0]

    return get
