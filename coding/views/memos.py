"""The node view, the project journal, the document memo and the coding audit trail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coding import memos, nodeview, query_params, services, team
from coding.forms import JournalSearchForm, MemoForm, NodeViewForm
from coding.models import MemoKind
from framework import tree
from policies import access, corpus, queries
from policies.models import Role


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
        view = nodeview.load(project, node, request.user, query_params.node_view_query(request.GET))
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
        "form": NodeViewForm(request.GET, facets=corpus.facets(project), coders=team.coder_choices(project)),
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
            memo = get_object_or_404(membership.project.memos, pk=int(memo_id) if queries.is_number(memo_id) else 0)
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
        "search_form": JournalSearchForm(request.GET),
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
