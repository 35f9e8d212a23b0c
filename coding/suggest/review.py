"""The loader for reviewing suggestions: a layer's current model, its open suggestions, and its evaluation. Reads
only. A suggestion accepted and then undone (its coding gone) is open again."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from coding.models import Coding, NodeClassifier, Suggestion, SuggestionModel, SuggestionModelStatus, SuggestionState
from framework import tree
from policies import workers


def latest(project, layer_key: str) -> SuggestionModel | None:
    """The layer's newest model, whatever its state (a queued or running one shows progress)."""
    return SuggestionModel.objects.filter(project=project, layer_key=layer_key).defer(*_HEAVY).first()


def ready(project, layer_key: str) -> SuggestionModel | None:
    """The layer's newest trained model."""
    return (
        SuggestionModel.objects.filter(project=project, layer_key=layer_key, status=SuggestionModelStatus.READY)
        .defer(*_HEAVY)
        .first()
    )


_HEAVY = ("words", "word_idf", "chars", "char_idf")


IN_PROCESS_STALE = datetime.timedelta(minutes=30)  # no worker recorded (tasks run in the request): a longer wait


def stale(project, now=None) -> QuerySet[SuggestionModel]:
    """The project's models marked running whose worker is gone: no progress within the worker lease, and the worker
    that took them no longer beats (killed, or its machine restarted). A training run inside a web request (no
    worker recorded) counts as gone after half an hour without progress."""
    now = now or timezone.now()
    quiet = Q(heartbeat_at__lt=now - workers.lease()) | Q(heartbeat_at__isnull=True)
    running = SuggestionModel.objects.filter(quiet, project=project, status=SuggestionModelStatus.RUNNING)
    in_process = Q(worker="") & Q(heartbeat_at__gte=now - IN_PROCESS_STALE)
    return running.exclude(worker__in=workers.alive_ids(now) - {""}).exclude(in_process).defer(*_HEAVY)


def open_suggestions(
    model: SuggestionModel, *, document_id: int | None = None, node_id: int | None = None, min_probability=None
) -> QuerySet[Suggestion]:
    """The model's suggestions still waiting for a yes or no, at or above each node's threshold (or the given
    probability), most probable first."""
    undone = Q(state=SuggestionState.ACCEPTED) & ~Exists(Coding.objects.filter(pk=OuterRef("coding_id")))
    found = Suggestion.objects.filter(model=model).filter(Q(state=SuggestionState.OPEN) | undone)
    if document_id is not None:
        found = found.filter(document_id=document_id)
    if node_id is not None:
        found = found.filter(node_id=node_id)
    if min_probability is not None:
        found = found.filter(probability__gte=min_probability)
    else:
        above = Q(pk__in=[])
        for node, threshold in NodeClassifier.objects.filter(model=model, trained=True).values_list(
            "node_id", "threshold"
        ):
            above |= Q(node_id=node, probability__gte=threshold)
        found = found.filter(above)
    return found.order_by("-probability", "id")


@dataclass(frozen=True)
class NodeRow:
    node_id: int
    path: str
    trained: bool
    positives: int
    documents: int
    threshold: float
    evaluation: dict
    missing: str  # what the node lacks to be trained, in words; "" when trained

    CURVE_WIDTH, CURVE_HEIGHT = 120, 48

    def curve_points(self) -> str:
        """The precision–recall curve as SVG polyline points (recall across, precision up) in a 120 × 48 box."""
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self._plotted(self.evaluation.get("curve", [])))

    def threshold_point(self) -> tuple[float, float] | None:
        """Where the chosen threshold sits on the curve (its precision and recall), in the same box."""
        above = [point for point in self.evaluation.get("curve", []) if point[0] >= self.threshold]
        return self._plotted(above[:1])[0] if above else None

    def _plotted(self, curve) -> list[tuple[float, float]]:
        return [
            (round(recall * self.CURVE_WIDTH, 1), round((1 - precision) * self.CURVE_HEIGHT, 1))
            for _threshold, precision, recall in curve
        ]


def evaluation(model: SuggestionModel, missing_message) -> list[NodeRow]:
    """Each node's examples and cross-validated figures, in codebook order; `missing_message(positives, documents)`
    says what an untrained node lacks."""
    paths = tree.paths_of(model.project, list(model.classifiers.values_list("node_id", flat=True)))
    rows = [
        NodeRow(
            node_id=c.node_id,
            path=paths.get(c.node_id, ""),
            trained=c.trained,
            positives=c.positives,
            documents=c.documents,
            threshold=c.threshold,
            evaluation=c.evaluation,
            missing="" if c.trained else missing_message(c.positives, c.documents),
        )
        for c in model.classifiers.defer("coef")
    ]
    return sorted(rows, key=lambda r: r.path)


def marked(text: str, start: int, end: int, words: list[dict]) -> list[tuple[str, bool]]:
    """The unit text[start:end] cut into (piece, is an explaining word) for highlighting; the template escapes."""
    spans = sorted((max(s, start), min(e, end)) for w in words for s, e in w.get("spans", []) if s < end and e > start)
    pieces: list[tuple[str, bool]] = []
    position = start
    for s, e in spans:
        if e <= position:
            continue
        s = max(s, position)
        if s > position:
            pieces.append((text[position:s], False))
        pieces.append((text[s:e], True))
        position = e
    if position < end:
        pieces.append((text[position:end], False))
    return pieces
