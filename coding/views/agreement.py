"""Inter-coder agreement, one document's disagreements and adjudication into the consensus layer (共识)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coding import layers, services, team
from coding.analysis import disagreement, forms, query_params, reliability
from framework import tree
from policies import access, corpus, queries


def _agreement_context(request: HttpRequest, project) -> dict:
    """The agreement page's choices and, once coders are chosen, the report laid out for the page."""
    params = request.GET
    choices = dict(team.coder_choices(project)) | {team.consensus_username(project): "共识"}
    units = [("character", _("Character")), ("article", _("Article (条)")), ("document", _("Document"))]
    nodes = [(n.row.id, n.path) for n in tree.walk(tree.rows_for(project))]
    facets = corpus.facets(project)
    context = {
        "form": forms.AgreementForm(params, facets=facets, coders=list(choices.items()), units=units, nodes=nodes),
        "unit_choices": units,
        "query": params,
        "legend": reliability.legend(),
        "links": urlencode([(k, v) for k, v in params.items() if k != "sort"]),
        "links_used": urlencode([(k, v) for k, v in params.items() if k not in ("sort", "unused")]),
        "sort": "tree" if params.get("sort") == "tree" else "kappa",
    }
    if not any(params.get(k) for k in ("coders", "a", "all", "group_a", "group_b")):
        return context
    try:
        result = reliability.run(
            project, request.user, reliability.resolve(project, query_params.agreement_query(params))
        )
    except ValidationError as invalid:
        return {**context, "error": " ".join(invalid.messages)}
    context |= {
        "result": result,
        "unit_label": dict(context["unit_choices"]).get(result.report.unit, result.report.unit),
        "rows": reliability.node_rows(result, context["sort"], unused=params.get("unused") == "1"),
        "show_unused": params.get("unused") == "1",
        "nodes_compared": reliability.nodes_compared(result),
        "nodes_unused": len(result.report.nodes) - reliability.nodes_compared(result),
        "overall_band": reliability.band(result.report.overall.pooled_kappa),
    }
    if len(result.report.coders) > 2:
        context["matrix_rows"] = reliability.matrix_rows(result)
    return context


@login_required
@require_GET
def agreement_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Coding comparison: choose coders, documents, nodes and unit; per node kappa, alpha and agreement."""
    membership = access.membership_for(request.user, project_id)
    if not layers.sees_everyone(membership.project, request.user):
        raise PermissionDenied(_("While the project codes blind, only owners and adjudicators can compare coders."))
    context = {"project": membership.project, "membership": membership}
    context |= _agreement_context(request, membership.project)
    partial = request.htmx and request.htmx.target == "agreement-report"
    return render(request, "coding/agreement.html#agreement-report" if partial else "coding/agreement.html", context)


def _accept(request: HttpRequest, membership, document) -> int:
    """Copy the chosen codings of A and B into the consensus layer; returns how many were new there."""
    chosen = [int(i) for i in request.POST.getlist("coding") if queries.is_number(i)]
    names = team.resolve_coders(membership.project, [request.GET.get("a", ""), request.GET.get("b", "")])
    codings = layers.visible_codings(membership.project, request.user).filter(
        document=document, pk__in=chosen, coder__username__in=names
    )
    if not chosen or len(codings) != len(set(chosen)):
        raise ValidationError(_("Choose codings of the two compared coders in this document."))
    items = [services.CodingRequest(document, c.node, c.start, c.end) for c in codings.select_related("node")]
    results = services.adjudicate(project=membership.project, actor=request.user, role=membership.role, items=items)
    return sum(1 for _coding, new in results if new)


def _decide(request: HttpRequest, membership, document, action: str) -> str:
    """Record (or withdraw) "resolved — neither" for one of the document's current cases; returns the action."""
    params = request.GET
    node = int(params["node"]) if queries.is_number(params.get("node", "")) else None
    view = disagreement.load(membership.project, request.user, document, params.get("a", ""), params.get("b", ""), node)
    case = request.POST.get("case", "")
    if case not in {c.key for c in view.cases}:
        raise ValidationError(_("This case is not among the document's disagreements any more: reload the page."))
    decide = services.adjudication_record if action == "neither" else services.adjudication_delete
    decide(project=membership.project, actor=request.user, role=membership.role, document=document, case=case)
    return action


@login_required
def disagreement_page(request: HttpRequest, project_id: int, document_id: int) -> HttpResponse:
    """One document's A-only, B-only and shared codings; adjudicators accept them into the consensus layer."""
    membership = access.membership_for(request.user, project_id)
    project, params = membership.project, request.GET
    document = get_object_or_404(project.documents, pk=document_id)
    adjudicator = services.may_adjudicate(project, request.user, membership.role)
    context = {"project": project, "membership": membership, "document": document, "adjudicator": adjudicator}
    if request.method == "POST" and not adjudicator:
        raise PermissionDenied(_("Only an owner or a designated adjudicator can write the consensus layer."))
    try:
        if request.method == "POST" and request.POST.get("action") in ("neither", "reopen"):
            context["decided"] = _decide(request, membership, document, request.POST["action"])
            if not request.htmx:
                return redirect(request.get_full_path())
        elif request.method == "POST":
            context["accepted"] = _accept(request, membership, document)
            if not request.htmx:
                messages.success(request, _("Accepted into the consensus layer (共识)."))
                return redirect(request.get_full_path())
    except ValidationError as invalid:
        context["error"] = " ".join(invalid.messages)
    try:
        node = int(params["node"]) if queries.is_number(params.get("node", "")) else None
        context["view"] = disagreement.load(
            project, request.user, document, params.get("a", ""), params.get("b", ""), node
        )
    except ValidationError as invalid:
        context["error"] = " ".join(invalid.messages)
    context |= {
        "side": params.get("layout") == "side",
        "links": urlencode([(k, v) for k, v in params.items() if k != "layout"]),
        "layout_query": "&layout=side" if params.get("layout") == "side" else "",
    }
    template = "coding/disagreement.html#disagreement" if request.htmx else "coding/disagreement.html"
    return render(request, template, context, status=400 if "error" in context else 200)
