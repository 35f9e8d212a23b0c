"""HTML pages for coding: the coding workspace, the node view, memos and the audit trail."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coding import layers, memos, nodeview, services, team
from coding.analysis import disagreement, matrix, reliability, reports
from coding.exchange import services as exchange_services
from coding.forms import AssignForm, MemoForm, TeamOptionsForm
from coding.models import MemoKind
from framework import panel, tree
from policies import access, corpus, error_pages, passages
from policies.models import Role


def _nodes(project) -> list[dict]:
    walked = list(tree.walk(tree.rows_for(project)))
    shades = tree.display_colors([n.row for n in walked])
    return [
        {
            "id": n.row.id,
            "parent": n.row.parent_id,
            "name": n.row.name,
            "path": n.path,
            "color": n.row.color,
            "shade": shades[n.row.id],
            "codable": n.row.codable,
        }
        for n in walked
    ]


def _messages() -> dict[str, str]:
    return {
        "coded": _("Coded."),
        "codedAt": _("Coded at %(nodes)s."),
        "fromTeam": _("%(count)s new codings from %(names)s are shown."),
        "moved": _("Coding moved."),
        "codedHits": _("Coded %(count)s hits at %(nodes)s (one undo takes them all back)."),
        "hits": _("%(at)s of %(count)s"),
        "hitsMany": _("more than %(count)s hits: narrow the search"),
        "noHits": _("no hits"),
        "allHits": _("All %(count)s hits of “%(query)s”"),
        "memoSaved": _("Memo saved."),
        "removed": _("Coding removed."),
        "undone": _("Undone."),
        "nothing": _("Select some text first."),
        "remove": _("Remove"),
        "move": _("Move to…"),
        "memo": _("Memo"),
        "save": _("Save"),
        "noCodings": _("No codings at this place."),
        "failed": _("Could not save"),
        "updated": _("New codings from your team are shown."),
        "choose": _("Choose a node."),
        "by": _("by"),
    }


@login_required
@require_GET
def workspace(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_for(request.user, document_id)
    membership = access.membership_for(request.user, document.project_id)
    project = document.project
    lines = passages.paragraphs(document.text)
    memo = document.memos.filter(kind=MemoKind.DOCUMENT).first()
    # ?layer=consensus: an adjudicator's new codings go to the consensus layer (共识) through api:consensus
    consensus = request.GET.get("layer") == "consensus" and services.may_adjudicate(
        project, request.user, membership.role
    )
    coder_choices = team.coder_choices(project)
    data = {
        "project": project.pk,
        "document": document.pk,
        "length": document.char_count,
        "me": request.user.username,
        "role": membership.role,
        "canCode": membership.allows(Role.CODER) or consensus,
        "nodes": _nodes(project),
        "codings": layers.coding_rows(layers.visible_codings(project, request.user).filter(document=document)),
        "coders": [name for name, _label in coder_choices],
        "coderLabels": dict(coder_choices),
        "layer": "consensus" if consensus else "",
        "adjudicator": services.may_adjudicate(project, request.user, membership.role),
        "consensusName": f"{services.CONSENSUS_PREFIX}{project.pk}",
        "timeZone": settings.TIME_ZONE,
        "messages": _messages(),
        "urls": {
            "write": reverse("api:consensus" if consensus else "api:codings", args=[project.pk]),
            "codings": reverse("api:codings", args=[project.pk]),
            "undo": reverse("api:codings-undo", args=[project.pk]),
            "coding": reverse("api:coding", args=[0]),
            "nodes": reverse("api:nodes", args=[project.pk]),
        },
    }
    sections = passages.outline(
        document.text, lines, passages.outline_sections(document.sections.values_list(*passages.OUTLINE_FIELDS))
    )
    context = {
        "document": document,
        "project": project,
        "membership": membership,
        "text_html": passages.paragraphs_html(lines),
        "sections": sections,
        "outline_html": passages.outline_html(sections, code_articles=data["canCode"]),
        "workspace_data": data,
        "coder_choices": coder_choices,
        "memo": memo,
        "memo_form": MemoForm(initial={"body": memo.body if memo else ""}),
        "assignment": document.assignments.filter(coder=request.user).first(),
        "can_write": membership.allows(Role.CODER),
        **panel.panel_context(project, request.user),
    }
    return render(request, "coding/workspace.html", context)


@login_required
def node_view(request: HttpRequest, project_id: int, node_id: int) -> HttpResponse:
    """Every passage coded at a node across documents; the node memo is edited here too."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    node = get_object_or_404(project.nodes, pk=node_id)
    memo = project.memos.filter(kind=MemoKind.NODE, node=node).first()
    memo_form = MemoForm(request.POST or None, initial={"body": memo.body if memo else ""})
    if request.method == "POST":
        access.membership_for(request.user, project_id, need=Role.CODER)
        if memo_form.is_valid():
            try:
                services.memo_save(
                    project=project,
                    author=request.user,
                    kind=MemoKind.NODE,
                    node=node,
                    body=memo_form.cleaned_data["body"],
                )
                messages.success(request, _("Memo saved."))
                return redirect(request.get_full_path())
            except ValidationError as error:
                memo_form.add_error(None, error)
    try:
        view = nodeview.load(project, node, request.user, request.GET, request.GET.get("page", 1))
        error = None
    except ValidationError as invalid:
        view, error = None, " ".join(invalid.messages)
    context = {
        "project": project,
        "membership": membership,
        "node": node,
        "view": view,
        "filter_error": error,
        "path": tree.paths(tree.rows_for(project)).get(node.pk, node.name),
        "memo": memo,
        "memo_form": memo_form,
        "coders": team.coder_choices(project),
        "facets": corpus.facets(project),
        "query": request.GET,
    }
    template = (
        "coding/node_view.html#passages"
        if request.htmx and request.htmx.target == "passages"
        else "coding/node_view.html"
    )
    return render(request, template, context)


def _journal_post(request: HttpRequest, membership, form: MemoForm) -> bool:
    """Add a journal entry, or (with `memo`) edit one; False when the form shows what is wrong."""
    access.membership_for(request.user, membership.project_id, need=Role.CODER)
    if not form.is_valid():
        return False
    memo_id = request.POST.get("memo", "")
    try:
        if memo_id:
            memo = get_object_or_404(membership.project.memos, pk=int(memo_id) if memo_id.isdigit() else 0)
            services.memo_update(memo=memo, actor=request.user, role=membership.role, **form.cleaned_data)
            messages.success(request, _("Memo saved."))
        else:
            services.memo_save(
                project=membership.project, author=request.user, kind=MemoKind.JOURNAL, **form.cleaned_data
            )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@login_required
def journal(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project journal and a search across every memo; authors and owners edit entries, owners read histories."""
    membership = access.membership_for(request.user, project_id)
    editing = request.POST.get("memo", "") if request.method == "POST" else ""
    form = MemoForm(request.POST if request.method == "POST" and not editing else None)
    edit_form = MemoForm(request.POST) if editing else None
    if request.method == "POST" and _journal_post(request, membership, edit_form or form):
        return redirect("coding:journal", project_id)
    query = request.GET.get("q", "")
    found = memos.search(project=membership.project, query=query, kind=request.GET.get("kind", ""))
    items = []
    for memo in found.prefetch_related("revisions__editor")[:200]:
        failed = edit_form is not None and editing == str(memo.pk)
        items.append(
            {
                "memo": memo,
                "editable": memo.kind == MemoKind.JOURNAL
                and membership.allows(Role.CODER)
                and services.may_edit_memo(memo, request.user, membership.role),
                "history": memos.may_read_history(memo, request.user, membership.role),
                "edit_form": edit_form if failed else None,
                "title": edit_form.data.get("title", "") if failed else memo.title,
                "body": edit_form.data.get("body", "") if failed else memo.body,
            }
        )
    context = {
        "project": membership.project,
        "membership": membership,
        "form": form,
        "memos": items,
        "query": query,
        "kind": request.GET.get("kind", ""),
        "kinds": MemoKind.choices,
    }
    return render(request, "coding/journal.html", context)


@login_required
@require_POST
def document_memo(request: HttpRequest, document_id: int) -> HttpResponse:
    """Save the shared memo of a document (the coding page's memo panel)."""
    document = access.document_for(request.user, document_id, need=Role.CODER, defer_text=True)
    form = MemoForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            services.memo_save(
                project=document.project,
                author=request.user,
                kind=MemoKind.DOCUMENT,
                document=document,
                body=form.cleaned_data["body"],
            )
            saved = True
        except ValidationError as error:
            form.add_error(None, error)
    memo = document.memos.filter(kind=MemoKind.DOCUMENT).first()
    context = {"document": document, "memo": memo, "memo_form": form, "saved": saved, "can_write": True}
    return render(request, "coding/workspace.html#document-memo", context)


@login_required
@require_GET
def audit_page(request: HttpRequest, document_id: int) -> HttpResponse:
    """Who created, changed or removed which coding in this document, and when (owners)."""
    document = access.document_for(request.user, document_id, need=Role.OWNER, defer_text=True)
    events = Paginator(document.coding_events.select_related("actor", "coder"), 200).get_page(request.GET.get("page"))
    context = {"document": document, "project": document.project, "events": events}
    return render(request, "coding/audit.html", context)


# --- matrices and counts -------------------------------------------------------------------------


def _matrix_context(request: HttpRequest, project) -> dict:
    """The matrix page's choices and, unless the parameters are wrong, the matrix laid out as a table."""
    params = request.GET
    context = {
        "rows_choices": reports.row_choices(project),
        "value_choices": [(v, reports.value_label(v)) for v in matrix.VALUES],
        "node_choices": [(n.row.id, n.path, n.depth + 1) for n in tree.walk(tree.rows_for(project))],
        "coder_choices": team.coder_choices(project),
        "facets": corpus.facets(project),
        "query": params,
        "chosen_coders": params.getlist("coder"),
        "chosen_nodes": [int(n) for n in params.getlist("node") if n.isdigit()],
        "links": reports.query_string(params),
        "view_links": reports.query_string(params, keep=(*reports.MATRIX_PARAMS, "transpose", "heat")),
        "page_url": reverse("coding:matrix", args=[project.pk]),
        "cell_url": reverse("coding:matrix-cell", args=[project.pk]),
        "heat": params.get("heat", "1") != "0",
    }
    context["levels"] = range(1, max((depth for _i, _p, depth in context["node_choices"]), default=1) + 1)
    try:
        result = matrix.load(project, request.user, params)
    except ValidationError as invalid:
        return {**context, "error": " ".join(invalid.messages)}
    corner = reports.row_kind_label(result.rows_by)
    view = matrix.table(
        result,
        transpose=params.get("transpose") == "1",
        sort=params.get("sort", ""),
        corner=corner,
        heat=context["heat"],
    )
    return {**context, "matrix": result, "table": view, "value_label": reports.value_label(result.value)}


@login_required
@require_GET
def matrix_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Matrix coding query: document groups × nodes, with a heatmap, transpose, sort and drill-down."""
    membership = access.membership_for(request.user, project_id)
    context = {"project": membership.project, "membership": membership, **_matrix_context(request, membership.project)}
    partial = request.htmx and request.htmx.target == "matrix-table"
    return render(request, "coding/matrix.html#matrix-table" if partial else "coding/matrix.html", context)


@login_required
@require_GET
def matrix_cell(request: HttpRequest, project_id: int) -> HttpResponse:
    """The passages behind one cell: the node view filtered to the row's coded documents and the chosen coders."""
    project = access.project_for(request.user, project_id)
    node = request.GET.get("node", "")
    if not node.isdigit():
        return error_pages.bad_request(request, _("“node” must be a node id."), project=project)
    try:
        query, documents = matrix.cell_documents(
            project, request.user, request.GET, int(node), request.GET.get("row", "")
        )
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)
    target = [("documents", ",".join(map(str, documents)) or "0"), *(("coder", c) for c in query.coders)]
    return redirect(f"{reverse('coding:node-view', args=[project.pk, int(node)])}?{urlencode(target)}")


@login_required
@require_GET
def matrix_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    """The matrix as CSV (UTF-8 with BOM), .xlsx, or the heatmap as SVG."""
    project = access.project_for(request.user, project_id)
    try:
        return reports.matrix_file(project, request.user, request.GET, fmt)
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)


@login_required
@require_GET
def attribute_counts(request: HttpRequest, project_id: int) -> HttpResponse:
    """Documents by issuer type, province, policy type, year or a custom attribute: a table and a bar chart."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    context = {
        "project": project,
        "membership": membership,
        "by_choices": [c for c in reports.row_choices(project) if c[0] != "document"],
        "query": request.GET,
    }
    try:
        query, bars = matrix.attribute_counts(project, request.GET)
    except ValidationError as invalid:
        return render(request, "coding/attribute_counts.html", {**context, "error": " ".join(invalid.messages)})
    title = _("Documents by %(attribute)s") % {"attribute": reports.row_kind_label(query.rows_by)}
    context |= {
        "by": query.rows_by,
        "lines": reports.attribute_lines(query.rows_by, bars)[1:],
        "title": title,
        "chart": matrix.bar_chart_svg(bars, title=title),
    }
    return render(request, "coding/attribute_counts.html", context)


@login_required
@require_GET
def attribute_counts_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    try:
        return reports.attribute_file(project, request.GET, fmt)
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)


@login_required
@require_GET
def framework_summary(request: HttpRequest, project_id: int) -> HttpResponse:
    """For every node in tree order, how many provinces (or other rows) mention it and which: the paper's tables."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    context = {
        "project": project,
        "membership": membership,
        "rows_choices": reports.row_choices(project),
        "query": request.GET,
        "links": reports.query_string(request.GET),
    }
    try:
        query, found = matrix.framework_summary(project, request.user, request.GET)
    except ValidationError as invalid:
        return render(request, "coding/framework_summary.html", {**context, "error": " ".join(invalid.messages)})
    context |= {
        "found": found,
        "rows_by": query.rows_by,
        "rows_label": reports.row_kind_label(query.rows_by),
        "coders": query.coders,
        "layer": query.layer,
        "provinces_only": query.provinces_only,
        "rule": matrix.provinces_rule(query),
    }
    return render(request, "coding/framework_summary.html", context)


@login_required
@require_GET
def framework_summary_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    """The summary as CSV or .xlsx, or the codebook figure with the counts and names on it as SVG."""
    project = access.project_for(request.user, project_id)
    try:
        return reports.summary_file(project, request.user, request.GET, fmt)
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)


# --- team coding: assignments, progress, blind coding ---------------------------------------------


def _team_forms(request: HttpRequest, project):
    members = [m.user for m in project.memberships.select_related("user").order_by("user__username")]
    coders = [m.user for m in project.memberships.select_related("user").filter(role__in=[Role.CODER, Role.OWNER])]
    documents = list(project.documents.defer("text").order_by("id"))
    options = services.options_for(project)
    data = request.POST if request.method == "POST" else None
    assign = AssignForm(
        data if data and data.get("action") in ("assign", "unassign") else None, documents=documents, coders=coders
    )
    initial = {"blind": options.blind, "adjudicators": [u.pk for u in options.adjudicators.all()]}
    settings_form = TeamOptionsForm(
        data if data and data.get("action") == "options" else None, members=members, initial=initial
    )
    return assign, settings_form, documents, {u.pk: u for u in members}


def _apply_team_action(request: HttpRequest, project, assign, settings_form, documents, users) -> None:
    action = request.POST.get("action")
    if action in ("assign", "unassign") and assign.is_valid():
        chosen = (
            documents
            if assign.cleaned_data["all_documents"]
            else [d for d in documents if str(d.pk) in assign.cleaned_data["documents"]]
        )
        coders = [users[int(pk)] for pk in assign.cleaned_data["coders"]]
        if action == "assign":
            added = services.assignments_add(project=project, documents=chosen, coders=coders, actor=request.user)
            messages.success(request, _("%(count)d assignments added.") % {"count": added})
        else:
            for document in chosen:
                for coder in coders:
                    services.assignment_remove(project=project, document=document, coder=coder)
            messages.success(request, _("Assignments removed."))
    elif action == "options" and settings_form.is_valid():
        chosen = [users[int(pk)] for pk in settings_form.cleaned_data["adjudicators"]]
        services.options_update(project=project, blind=settings_form.cleaned_data["blind"], adjudicators=chosen)
        messages.success(request, _("Team settings saved."))
    else:
        raise ValidationError(_("Choose the documents and coders first."))


@login_required
def team_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Assignments and progress (documents × coders); owners assign and set blind coding."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    assign, settings_form, documents, users = _team_forms(request, project)
    if request.method == "POST":
        access.membership_for(request.user, project_id, need=Role.OWNER)
        try:
            _apply_team_action(request, project, assign, settings_form, documents, users)
            return redirect("coding:team", project.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    context = {
        "project": project,
        "membership": membership,
        "progress": team.progress(project, request.user),
        "assign_form": assign,
        "settings_form": settings_form,
        "options": services.options_for(project),
        "queue": team.queue(project, request.user),
    }
    return render(request, "coding/team.html", context)


@login_required
@require_POST
def assignment_done(request: HttpRequest, document_id: int) -> HttpResponse:
    """The coder marks an assigned document done, or not done again."""
    document = access.document_for(request.user, document_id, need=Role.CODER, defer_text=True)
    try:
        services.assignment_mark(document=document, coder=request.user, done=request.POST.get("done") == "1")
        messages.success(request, _("Saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    target = request.POST.get("next", "")
    inside = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(target if inside else reverse("coding:workspace", args=[document.pk]))


# --- inter-coder agreement, disagreements and adjudication -----------------------------------------


def _agreement_context(request: HttpRequest, project) -> dict:
    """The agreement page's choices and, once coders are chosen, the report laid out for the page."""
    params = request.GET
    choices = dict(team.coder_choices(project)) | {team.consensus_username(project): "共识"}
    context = {
        "coder_choices": list(choices.items()),
        "node_choices": [(n.row.id, n.path) for n in tree.walk(tree.rows_for(project))],
        "unit_choices": [("character", _("Character")), ("article", _("Article (条)")), ("document", _("Document"))],
        "facets": corpus.facets(project),
        "query": params,
        "legend": reliability.legend(),
        "links": urlencode([(k, v) for k, v in params.items() if k != "sort"]),
        "links_used": urlencode([(k, v) for k, v in params.items() if k not in ("sort", "unused")]),
        "sort": "tree" if params.get("sort") == "tree" else "kappa",
    }
    if not any(params.get(k) for k in ("coders", "a", "all", "group_a", "group_b")):
        return context
    try:
        result = reliability.run(project, request.user, reliability.parse(project, params))
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
    chosen = [int(i) for i in request.POST.getlist("coding") if i.isdigit()]
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
    node = int(params["node"]) if params.get("node", "").isdigit() else None
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
        node = int(params["node"]) if params.get("node", "").isdigit() else None
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


@login_required
def project_import(request: HttpRequest) -> HttpResponse:
    """Upload a .qdpx/.qde/.qdc and see the import report; the new project is the importer's."""
    report, error = None, None
    if request.method == "POST":
        files = request.FILES.getlist("file")
        if getattr(request, "oversized_uploads", []):
            error = _("The file is larger than %(mb)d MB.") % {"mb": settings.QDPX_MAX_MB}
        elif len(files) != 1:
            error = _("Send one .qdpx, .qde or .qdc file (form field “file”).")
        else:
            try:
                report = exchange_services.project_import(
                    user=request.user,
                    filename=files[0].name,
                    data=files[0].read(),
                    match_users=bool(request.POST.get("match_users")),
                ).as_dict()
            except ValidationError as refused:
                error = " ".join(refused.messages)
    status = 400 if error else 200
    return render(request, "coding/project_import.html", {"report": report, "error": error}, status=status)
