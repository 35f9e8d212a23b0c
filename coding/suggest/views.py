"""HTML pages for suggestions: the review page (evaluation, training, the queue per document and per node) and the
suggestions panel of the coding page. Writes go through coding/suggest/services.py."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from coding import layers
from coding.forms import SuggestionFiltersForm
from coding.models import Suggestion, SuggestionModel
from coding.suggest import api, layer, review, services
from framework import tree
from policies import access, queries
from policies.models import Document, Role

QUEUE_SIZE = 100


def _number(params, name: str, kind=int):
    try:
        return api._number(params, name, kind)
    except Exception as error:  # DRF's ValidationError: the page shows the same message
        raise ValidationError(str(error.detail["detail"])) from None


def _queue(project, user, params) -> dict:
    """The review queue's context: the layer, its model and its open suggestions as filtered."""
    shown = layer.resolve(project, user, params.get("layer"))
    key = layer.key(shown.ids)
    model, latest = review.ready(project, key), review.latest(project, key)
    document, node = _number(params, "document"), _number(params, "node")
    min_probability = _number(params, "min_probability", float)
    found = []
    if model is not None:
        found = review.open_suggestions(model, document_id=document, node_id=node, min_probability=min_probability)
        found = list(found.select_related("node")[:QUEUE_SIZE])
        # each document (and its text) read once, not once per suggestion
        documents = Document.objects.in_bulk({s.document_id for s in found})
        for suggestion in found:
            suggestion.document = documents[suggestion.document_id]
        services.explain_missing(found)  # those below their node's threshold were stored without their words
    paths = tree.paths_of(project, {s.node_id for s in found})
    rows = [
        (s, paths.get(s.node_id, ""), review.marked(s.document.text, s.start, s.end, s.words), s.words) for s in found
    ]
    return {
        "layer": shown,
        "layer_label": shown.label,
        "layer_param": params.get("layer", ""),
        "model": model,
        "latest": latest,
        "rows": rows,
        "filters": {"document": document or "", "node": node or "", "min_probability": min_probability or ""},
    }


@login_required
@require_GET
def suggestions_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Suggestions learned from a layer: its evaluation per node, training, and the review queue."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    context = {"project": project, "membership": membership, "can_code": membership.allows(Role.CODER)}
    services.models_recover(project=project)  # a training whose worker died shows as failed, with a retry
    try:
        context |= _queue(project, request.user, request.GET)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "coding/suggestions.html", context, status=400)
    if context["latest"] is not None:
        context["evaluation"] = review.evaluation(context["latest"], api.missing_message)
    context["filter_form"] = SuggestionFiltersForm(
        {name: context["filters"][name] for name in ("document", "node")},
        documents=project.documents.order_by("pk").values_list("pk", "title"),
        nodes=[(n.row.id, n.path) for n in tree.walk(tree.rows_for(project))],
    )
    template = "coding/suggestions.html#suggestion-queue" if request.htmx else "coding/suggestions.html"
    return render(request, template, context)


@login_required
@require_POST
def suggestions_train(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id, need=Role.CODER)
    try:
        retry = request.POST.get("retry")
        if retry:
            failed = SuggestionModel.objects.filter(
                project=project, pk=int(retry) if queries.is_number(retry) else 0
            ).first()
            if failed is None:
                raise ValidationError(_("There is no such training to retry."))
            model = services.model_retry(project=project, user=request.user, model=failed)
        else:
            on_layer = layer.resolve(project, request.user, request.POST.get("layer"))
            model = services.model_create(project=project, user=request.user, on_layer=on_layer)
        messages.success(request, _("Training of model %(version)d is queued.") % {"version": model.version})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("coding:suggestions", project_id=project.pk)


def _answer(request: HttpRequest, project, changed: bool) -> HttpResponse:
    """The part the request came from, refreshed: the coding page's panel or the review queue."""
    document_id = request.POST.get("panel")
    if document_id:
        response = _panel(request, int(document_id) if queries.is_number(document_id) else 0)
    else:
        try:
            context = {"project": project, "can_code": True} | _queue(project, request.user, request.POST)
        except ValidationError as error:
            return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
        response = render(request, "coding/suggestions.html#suggestion-queue", context)
    if changed:
        trigger_client_event(response, "codings-changed")
    return response


@login_required
@require_POST
def suggestion_review(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    """Accept (as the reviewer's own coding) or reject one suggestion."""
    suggestion = Suggestion.objects.select_related("document", "node").filter(pk=suggestion_id).first()
    if suggestion is None:
        raise Http404
    project = access.project_for(request.user, suggestion.project_id, need=Role.CODER)
    if not layers.sees_everyone(project, request.user) and suggestion.layer_key != layer.key([request.user.pk]):
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "accept":
            services.suggestion_accept(project=project, user=request.user, suggestions=[suggestion])
        elif action == "reject":
            services.suggestion_reject(project=project, user=request.user, suggestion=suggestion)
        else:
            return HttpResponse(_("Choose accept or reject."), status=400, content_type="text/plain; charset=utf-8")
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
    return _answer(request, project, changed=action == "accept")


@login_required
@require_POST
def suggestions_threshold(request: HttpRequest, project_id: int) -> HttpResponse:
    """Pick the threshold of one node, or one threshold for all: suggestions are listed from it."""
    project = access.project_for(request.user, project_id, need=Role.CODER)
    try:
        threshold = _number(request.POST, "threshold", float)
        if threshold is None or not 0.0 < threshold < 1.0:
            raise ValidationError(_("A threshold is a probability between 0 and 1."))
        node = _number(request.POST, "node")
        model = review.ready(project, layer.key(layer.parse(project, request.user, request.POST.get("layer"))))
        if model is None:
            raise ValidationError(_("No suggestion model is trained on this layer yet."))
        changed = services.threshold_set(model=model, node_ids=None if node is None else [node], threshold=threshold)
        messages.success(
            request,
            _("Threshold %(threshold)s set for %(count)d node(s).") % {"threshold": threshold, "count": changed},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    target = reverse("coding:suggestions", args=[project.pk])
    layer_param = request.POST.get("layer", "")
    return redirect(f"{target}?{urlencode({'layer': layer_param})}" if layer_param else target)


@login_required
@require_POST
def suggestions_accept_above(request: HttpRequest, project_id: int) -> HttpResponse:
    """Accept every open suggestion of the queue as filtered at or above a probability: one undoable batch."""
    project = access.project_for(request.user, project_id, need=Role.CODER)
    try:
        threshold = _number(request.POST, "min_probability", float)
        if threshold is None:
            raise ValidationError(_("Give the probability to accept from."))
        coder_ids = layer.parse(project, request.user, request.POST.get("layer"))
        model = review.ready(project, layer.key(coder_ids))
        if model is None:
            raise ValidationError(_("No suggestion model is trained on this layer yet."))
        found = review.open_suggestions(
            model,
            document_id=_number(request.POST, "document"),
            node_id=_number(request.POST, "node"),
            min_probability=threshold,
        ).select_related("document", "node")
        services.suggestion_accept(project=project, user=request.user, suggestions=list(found[:5000]))
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
    return _answer(request, project, changed=True)


@login_required
@require_GET
def suggestions_panel(request: HttpRequest, document_id: int) -> HttpResponse:
    """The coding page's suggestions for this document, by position: on the default layer, else on the viewer's own
    layer when only that one has a model."""
    return _panel(request, document_id)


def _panel(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_for(request.user, document_id, defer_text=True)
    membership = access.membership_for(request.user, document.project_id)
    context = {
        "document": document,
        "can_code": membership.allows(Role.CODER),
        **_queue(document.project, request.user, {"document": str(document.pk)}),
    }
    if context["model"] is None:  # nothing learned on the default layer: the viewer's own layer, if trained
        own = _queue(document.project, request.user, {"document": str(document.pk), "layer": request.user.username})
        if own["model"] is not None:
            context |= own
    context["rows"] = sorted(context["rows"], key=lambda row: (row[0].start, -row[0].probability))
    return render(request, "coding/_suggestions_panel.html", context)
