"""All writes for coding suggestions: queue and train a model, store its suggestions, accept and reject them.

Accepted suggestions become the reviewer's own codings through coding.services (one undoable batch, the audit trail
marking each with its model version and probability); nothing is ever coded without a person's yes."""

import os
from concurrent.futures import ThreadPoolExecutor, as_completed

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from coding import layers
from coding import services as coding_services
from coding.models import Coding, NodeClassifier, Suggestion, SuggestionModel, SuggestionModelStatus, SuggestionState
from coding.suggest import dataset, engine, layer, review, units
from framework.models import Node
from policies.models import Project
from policies.text import segment

STORE_FLOOR = 0.3  # suggestions below this probability (and below their node's threshold) are not kept
EXPLAINED_WORDS = 5
STORE_BATCH = 2000
TRAIN_THREADS = min(4, os.cpu_count() or 1)


def _check_nodes(project: Project, node_ids: list[int]) -> list[int]:
    known = set(Node.objects.filter(project=project, pk__in=node_ids).values_list("pk", flat=True))
    unknown = [i for i in node_ids if i not in known]
    if unknown:
        raise ValidationError(
            _("Node(s) %(ids)s are not in this project's codebook.") % {"ids": ", ".join(map(str, unknown[:20]))}
        )
    return sorted(known)


# The training task by its dotted path, which django-tasks also stores in every queued row: coding.suggest.tasks
# imports this module to run the work, and this module enqueues by name rather than import it back.
TRAIN_TASK = "coding.suggest.tasks.train_suggestions"


def model_create(
    *,
    project: Project,
    user,
    coder_ids: list[int] | None = None,
    on_layer: layers.Layer | None = None,
    node_ids: list[int] | None = None,
    min_share: float = 0.0,
) -> SuggestionModel:
    """Queue the training of a model on a layer (`on_layer`, else the layer of `coder_ids`) for `node_ids` (all nodes
    when empty). The model keeps the layer's label as coding.layers words it."""
    if on_layer is None and coder_ids:
        on_layer = layer.of_ids(project, user, coder_ids)
    coder_ids = sorted(set(on_layer.ids)) if on_layer is not None else []
    if not coder_ids:
        raise ValidationError(_("Nobody has coded in this project yet: code a few documents first."))
    if not 0.0 <= min_share < 1.0:
        raise ValidationError(_("The share of a unit a coding must cover is a number from 0 up to (not including) 1."))
    nodes = _check_nodes(project, node_ids or [])
    with transaction.atomic():
        last = SuggestionModel.objects.select_for_update().filter(project=project).aggregate(v=Max("version"))["v"]
        model = SuggestionModel.objects.create(
            project=project,
            version=(last or 0) + 1,
            layer=coder_ids,
            layer_key=layer.key(coder_ids),
            layer_label=on_layer.label[:500],
            nodes=nodes,
            min_share=min_share,
            created_by=user,
        )
    import_string(TRAIN_TASK).enqueue(model.pk)  # the database backend's row commits with the caller's transaction
    return model


def model_retry(*, project: Project, user, model: SuggestionModel) -> SuggestionModel:
    """Queue a failed model's training again as a new version: the same layer, nodes and share."""
    if model.project_id != project.pk:
        raise PermissionDenied
    if model.status != SuggestionModelStatus.FAILED:
        raise ValidationError(_("Only a failed training can be retried."))
    return model_create(
        project=project, user=user, coder_ids=model.layer, node_ids=model.nodes, min_share=model.min_share
    )


def models_recover(*, project: Project) -> int:
    """Mark failed the project's trainings whose worker died while running them (review.stale), so the page offers a
    retry instead of showing progress that never comes; returns how many. Pages and the evaluation API call it."""
    failed = 0
    for model in review.stale(project):
        # compare and set: of two pages recovering at once, one marks it
        failed += SuggestionModel.objects.filter(
            pk=model.pk, status=SuggestionModelStatus.RUNNING, heartbeat_at=model.heartbeat_at
        ).update(
            status=SuggestionModelStatus.FAILED,
            error=_("The worker training this model stopped before it finished: train again."),
            finished_at=timezone.now(),
        )
    return failed


def _progress(model_id: int, **fields) -> None:
    SuggestionModel.objects.filter(pk=model_id).update(heartbeat_at=timezone.now(), **fields)


def model_train(*, model_id: int, worker: str = "") -> int:
    """Train the queued model: features, one classifier per node with its cross-validated figures, then the stored
    suggestions for documents the layer has not coded. Returns how many suggestions were stored."""
    model = SuggestionModel.objects.select_related("project").filter(pk=model_id).first()
    if model is None or model.status != SuggestionModelStatus.QUEUED:
        return 0
    try:
        return _train(model, worker)
    except Exception as error:
        _progress(model_id, status=SuggestionModelStatus.FAILED, error=str(error)[:1000])
        raise


def _train(model: SuggestionModel, worker: str) -> int:
    project = model.project
    nodes = model.nodes or list(Node.objects.filter(project=project).order_by("pk").values_list("pk", flat=True))
    _progress(model.pk, status=SuggestionModelStatus.RUNNING, worker=worker, done=0, total=len(nodes) + 2)
    data = dataset.load(project, model.layer, model.layer_key, model.min_share)
    examples = data.examples()
    if not examples:
        raise ValidationError(_("The layer has coded no document with text units yet."))
    vocabulary, x = engine.fit_vocabulary(examples)
    groups = data.groups()
    _progress(model.pk, done=1)
    training_rows = sum(len(d.units) for d in data.training)
    # the folds of every node without extra negatives, their matrices sliced once for all of them
    base = x[:training_rows] if data.extra else x
    shared = engine.fold_matrices(base, engine.folds(groups[:training_rows]))
    classifiers, work = {}, {}
    for node_id in nodes:
        rows, y = data.rows_for(node_id)
        node_groups = groups[rows]
        positives, documents = int(y.sum()), len(np.unique(node_groups[y]))
        classifiers[node_id] = NodeClassifier(model=model, node_id=node_id, positives=positives, documents=documents)
        if engine.enough_examples(positives, documents) and not y.all():
            if len(rows) == training_rows:  # no rejected extras: the rows are the first ones, no copy needed
                work[node_id] = (base, y, node_groups, shared)
            else:
                work[node_id] = (x[rows], y, node_groups, None)
    done = 1 + len(nodes) - len(work)
    _progress(model.pk, done=done)
    evaluations = {}
    # The solver runs without the GIL: nodes train side by side on the worker's cores; the database stays here.
    with ThreadPoolExecutor(max_workers=TRAIN_THREADS) as pool:
        futures = {pool.submit(engine.train_node, *arguments): node_id for node_id, arguments in work.items()}
        for future in as_completed(futures):
            coef, intercept, evaluation = future.result()
            node_id = futures[future]
            classifier = classifiers[node_id]
            classifier.trained, classifier.coef, classifier.intercept = True, coef.tobytes(), intercept
            classifier.threshold = evaluation.threshold
            classifier.evaluation = _evaluation_json(evaluation)
            evaluations[node_id] = evaluation
            done += 1
            _progress(model.pk, done=done)
    evaluations = [evaluations[node_id] for node_id in nodes if node_id in evaluations]
    classifiers = [classifiers[node_id] for node_id in nodes]
    with transaction.atomic():
        NodeClassifier.objects.bulk_create(classifiers)
        SuggestionModel.objects.filter(pk=model.pk).update(
            words=segment.WORD_SEPARATOR.join(vocabulary.words),
            word_idf=vocabulary.word_idf.astype(np.float32).tobytes(),
            chars=segment.WORD_SEPARATOR.join(vocabulary.chars),
            char_idf=vocabulary.char_idf.astype(np.float32).tobytes(),
            summary={
                **engine.summary(evaluations),
                "units": sum(len(d.units) for d in data.training),
                "documents": len(data.training),
                "candidates": len(data.candidates),
                "trained_nodes": len(evaluations),
            },
        )
    model.refresh_from_db()
    trained = loaded(model)
    stored = 0
    with transaction.atomic():
        # the layer's previous models give way; their reviewed suggestions stay (rejections teach the next model)
        older = SuggestionModel.objects.filter(project=project, layer_key=model.layer_key).exclude(pk=model.pk)
        Suggestion.objects.filter(model__in=older, state=SuggestionState.OPEN).delete()
        older.delete()
        for document in data.candidates:
            rows = _suggestion_rows(model, trained, document, data.rejected)
            Suggestion.objects.bulk_create(rows, batch_size=STORE_BATCH)
            stored += len(rows)
        _progress(
            model.pk, status=SuggestionModelStatus.READY, done=len(nodes) + 2, finished_at=timezone.now(), error=""
        )
    return stored


def _evaluation_json(evaluation: engine.NodeEvaluation) -> dict:
    return {
        "precision": round(evaluation.precision, 4),
        "recall": round(evaluation.recall, 4),
        "f1": round(evaluation.f1, 4),
        "threshold": evaluation.threshold,
        "target_reached": evaluation.target_reached,
        "true_positives": evaluation.true_positives,
        "false_positives": evaluation.false_positives,
        "false_negatives": evaluation.false_negatives,
        "curve": [list(point) for point in evaluation.curve],
    }


class Trained:
    """A ready model in memory: the vocabulary and each trained node's coefficients, intercept and threshold."""

    def __init__(self, vocabulary: engine.Vocabulary, classifiers: list[tuple[int, np.ndarray, float, float]]):
        self.vocabulary = vocabulary
        self.nodes = [node_id for node_id, _c, _i, _t in classifiers]
        self.coef = np.vstack([c for _n, c, _i, _t in classifiers]) if classifiers else np.zeros((0, vocabulary.size))
        self.intercepts = np.array([i for _n, _c, i, _t in classifiers], dtype=np.float32)
        self.thresholds = np.array([t for _n, _c, _i, t in classifiers])
        self.transform = engine.Transform(vocabulary)  # the word and n-gram indexes, built once per loaded model

    def scores(self, x) -> np.ndarray:
        """Probabilities: one row per unit, one column per trained node."""
        raw = np.asarray(x @ self.coef.T, dtype=np.float64) + self.intercepts
        return 1.0 / (1.0 + np.exp(-raw))


_LOADED: dict[tuple, Trained] = {}
LOADED_MODELS = 4  # models kept in memory per process


def loaded(model: SuggestionModel) -> Trained:
    """The model's arrays, read once per process (a trained model never changes; only its thresholds do)."""
    key = (model.pk, model.created_at, tuple(NodeClassifier.objects.filter(model=model).values_list("threshold")))
    if key not in _LOADED:
        if len(_LOADED) >= LOADED_MODELS:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = _load(model.pk)
    return _LOADED[key]


def _load(model_id: int) -> Trained:
    model = SuggestionModel.objects.get(pk=model_id)
    words = model.words.split(segment.WORD_SEPARATOR) if model.words else []
    chars = model.chars.split(segment.WORD_SEPARATOR) if model.chars else []
    vocabulary = engine.Vocabulary(
        words=words,
        word_idf=np.frombuffer(bytes(model.word_idf), dtype=np.float32),
        chars=chars,
        char_idf=np.frombuffer(bytes(model.char_idf), dtype=np.float32),
    )
    classifiers = [
        (node_id, np.frombuffer(bytes(coef), dtype=np.float32), intercept, threshold)
        for node_id, coef, intercept, threshold in NodeClassifier.objects.filter(model=model, trained=True)
        .order_by("node_id")
        .values_list("node_id", "coef", "intercept", "threshold")
    ]
    return Trained(vocabulary, classifiers)


def suggest(trained: Trained, document: dataset.DocumentUnits) -> list[tuple[int, int, float, list[dict]]]:
    """(unit index, node id, probability, explained words) for every unit and node at or above the store floor.

    The document is vectorized once and scored by every classifier in one product. Only the suggestions at or above
    their node's threshold — the ones pages and the API list — are explained here; the others (kept for a lower
    threshold) get their words when first shown (explain_missing)."""
    if not document.examples or not trained.nodes:
        return []
    x = trained.transform(document.examples)
    scores = trained.scores(x)
    floor = np.minimum(trained.thresholds, STORE_FLOOR)
    rows, columns = np.nonzero(scores >= floor)
    shown = scores[rows, columns] >= trained.thresholds[columns]
    explained = _explained(trained, document, x, list(zip(rows[shown].tolist(), columns[shown].tolist(), strict=True)))
    probabilities = np.round(scores[rows, columns], 4).tolist()
    return [
        (row, trained.nodes[column], probability, explained.get((row, column), []))
        for row, column, probability in zip(rows.tolist(), columns.tolist(), probabilities, strict=True)
    ]


def _explained(trained: Trained, document, x, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], list[dict]]:
    """The words that weighed most for each (row, column) pair. Where they occur in the unit is found when the
    suggestion is shown (with_spans), for the few on a page rather than every one stored."""
    explained = engine.top_features_of(trained.vocabulary, x, trained.coef, pairs, EXPLAINED_WORDS)
    return {pair: [{"word": word, "weight": weight} for word, weight in weighed] for pair, weighed in explained.items()}


def with_spans(suggestions: list[Suggestion]) -> None:
    """Give each explaining word of the suggestions about to be shown where it occurs in the unit ([start, end)
    code-point spans), reading the document text they come with (select_related("document"))."""
    for suggestion in suggestions:
        if all("spans" in word for word in suggestion.words):
            continue
        text = suggestion.document.text
        suggestion.words = [
            {**word, "spans": engine.occurrences(text, word["word"], suggestion.start, end=suggestion.end)}
            if "spans" not in word
            else word
            for word in suggestion.words
        ]


def explain_missing(suggestions: list[Suggestion]) -> None:
    """Give the suggestions about to be shown that were stored below their node's threshold (so unexplained) their
    words, and keep them (the model is loaded once per process, only their units are vectorized); then every shown
    suggestion's words their places in the unit (with_spans)."""
    missing: dict[tuple[int, int], list[Suggestion]] = {}
    for suggestion in suggestions:
        if not suggestion.words and suggestion.model_id is not None:
            missing.setdefault((suggestion.model_id, suggestion.document_id), []).append(suggestion)
    changed = []
    for (model_id, _document_id), group in missing.items():
        model = SuggestionModel.objects.filter(pk=model_id, status=SuggestionModelStatus.READY).first()
        if model is None:
            continue
        trained = loaded(model)
        column_of = {node_id: i for i, node_id in enumerate(trained.nodes)}
        group = [s for s in group if s.node_id in column_of]
        if not group:
            continue
        found = [units.Unit(s.start, s.end, "", s.label) for s in group]
        document = dataset.spans_of(group[0].document, found)
        pairs = [(i, column_of[s.node_id]) for i, s in enumerate(group)]
        explained = _explained(trained, document, trained.transform(document.examples), pairs)
        for pair, suggestion in zip(pairs, group, strict=True):
            suggestion.words = explained.get(pair, [])
        changed += group
    Suggestion.objects.bulk_update(changed, ["words"])
    with_spans(suggestions)


def _suggestion_rows(model: SuggestionModel, trained: Trained, document, rejected: set) -> list[Suggestion]:
    rows = []
    for row, node_id, probability, words in suggest(trained, document):
        unit = document.units[row]
        if (document.document_id, node_id, unit.start, unit.end) in rejected:
            continue
        rows.append(
            Suggestion(
                project_id=model.project_id,
                model=model,
                model_version=model.version,
                layer_key=model.layer_key,
                document_id=document.document_id,
                node_id=node_id,
                start=unit.start,
                end=unit.end,
                label=unit.label[:50],
                probability=probability,
                words=words,
            )
        )
    return rows


# --- review ----------------------------------------------------------------------------------------


def suggestion_accept(*, project: Project, user, suggestions: list[Suggestion]) -> dict:
    """Code each suggested unit at its node as `user`'s own coding, all in one undoable batch; the audit trail marks
    each as an accepted suggestion (model version, probability)."""
    suggestions = [s for s in suggestions if s.project_id == project.pk]
    if not suggestions:
        raise ValidationError(_("There is no open suggestion to accept."))
    items = [
        coding_services.CodingRequest(
            s.document,
            s.node,
            s.start,
            s.end,
            origin={"suggestion": s.pk, "model_version": s.model_version, "probability": s.probability},
        )
        for s in suggestions
    ]
    with transaction.atomic():
        results = coding_services.codings_create(coder=user, project=project, items=items)
        now = timezone.now()
        for suggestion, (coding, _created) in zip(suggestions, results, strict=True):
            suggestion.state, suggestion.reviewed_by, suggestion.reviewed_at = SuggestionState.ACCEPTED, user, now
            suggestion.coding_id = coding.pk
        Suggestion.objects.bulk_update(suggestions, ["state", "reviewed_by", "reviewed_at", "coding_id"])
    return {"accepted": len(suggestions), "created": sum(1 for _c, created in results if created)}


@transaction.atomic
def suggestion_reject(*, project: Project, user, suggestion: Suggestion) -> Suggestion:
    """Turn a suggestion down; it is kept, and the next model of the layer learns the unit as a negative."""
    if suggestion.project_id != project.pk:
        raise PermissionDenied
    if suggestion.state == SuggestionState.ACCEPTED and Coding.objects.filter(pk=suggestion.coding_id).exists():
        raise ValidationError(_("This suggestion was accepted: undo the coding or remove it instead."))
    suggestion.state, suggestion.reviewed_by, suggestion.reviewed_at = SuggestionState.REJECTED, user, timezone.now()
    suggestion.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    return suggestion


@transaction.atomic
def threshold_set(*, model: SuggestionModel, node_ids: list[int] | None, threshold: float) -> int:
    """Set the threshold of some nodes' classifiers (all when None); their figures are read off the stored
    precision–recall curve at the new threshold. Returns how many changed."""
    if not 0.0 < threshold < 1.0:
        raise ValidationError(_("A threshold is a probability between 0 and 1."))
    classifiers = NodeClassifier.objects.select_for_update().filter(model=model, trained=True).defer("coef")
    if node_ids is not None:
        classifiers = classifiers.filter(node_id__in=node_ids)
    changed = list(classifiers)
    for classifier in changed:
        classifier.threshold = threshold
        classifier.evaluation = engine.figures_on_curve(classifier.evaluation, threshold)
    NodeClassifier.objects.bulk_update(changed, ["threshold", "evaluation"])
    return len(changed)
