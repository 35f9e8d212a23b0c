"""Documents: the project's document table, upload, a document's page and row, its original file, replace and
delete, and the attribute sheet; htmx requests get the named partial."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from policies import access, attribute_sheet, corpus, downloads, hooks, passages, queries, uploads
from policies.forms import DocumentAttributesForm, DocumentTableForm
from policies.models import Membership, Role
from policies.services import documents as document_services
from policies.services.attributes import document_update
from policies.services.documents import (
    DocumentRefused,
    ImportOutcome,
    document_import,
    document_replace_file,
    size_message,
)


def _document_table_context(request: HttpRequest, membership: Membership) -> dict:
    project = membership.project
    query = queries.document_query(request.GET, lenient=True)
    table = corpus.document_table(project, query)
    chosen = request.GET.copy()
    chosen["page_size"] = str(query.page_size)
    page = table.page
    return {
        "project": project,
        "membership": membership,
        "table": table,
        "page": page,
        "documents": page.object_list,
        "sort": query.sort,
        # thousands separated in both languages (zh-hans formats numbers without a separator)
        "shown": {
            "first": f"{page.start_index():,}",
            "last": f"{page.end_index():,}",
            "total": f"{page.paginator.count:,}",
            "all": f"{table.project_total:,}",
        },
        "filter_form": DocumentTableForm(chosen, facets=table.facets, blank=_("(none)")),
        "filter_error": table.error,
        "total": table.project_total,
        "can_edit": membership.allows(Role.OWNER),
    }


@login_required
@require_GET
def project_home(request: HttpRequest, project_id: int) -> HttpResponse:
    membership = access.membership_for(request.user, project_id)
    context = _document_table_context(request, membership)
    template = "policies/project_home.html"
    if request.htmx and request.htmx.target == "document-table":
        template += "#document-table"
    return render(request, template, context)


@login_required
@require_POST
def document_upload(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id, need=Role.OWNER)
    files = request.FILES.getlist("file")  # parses the body, which fills oversized_uploads and upload_refused
    if refused := uploads.refusal(request):
        outcomes = [ImportOutcome("", error=refused, status=413)]
        context = {"project": project, "outcomes": outcomes}
        return render(request, "policies/project_home.html#upload-results", context, status=413)
    outcomes = [
        ImportOutcome(name, error=size_message(name), status=413) for name in getattr(request, "oversized_uploads", [])
    ]
    for upload in files:
        outcomes += document_import(project=project, user=request.user, filename=upload.name, data=upload.read())
    if not outcomes:
        outcomes = [ImportOutcome("", error=_("Choose one or more files first."), status=400)]
    response = render(request, "policies/project_home.html#upload-results", {"project": project, "outcomes": outcomes})
    if any(o.document for o in outcomes):
        trigger_client_event(response, "documents-changed")
    return response


@login_required
def document_row(request: HttpRequest, document_id: int) -> HttpResponse:
    """A row of the document table: GET ?edit=1 gives its form (owners), POST saves it."""
    editing = request.method == "POST" or request.GET.get("edit") == "1"
    need = Role.OWNER if editing else Role.VIEWER
    document = access.document_for(request.user, document_id, need=need, defer_text=True)
    form = _attributes_form(request, document)
    if request.method == "POST" and form.is_valid() and _save_attributes(form, document):
        editing = False
    template = "policies/project_home.html#document-row-form" if editing else "policies/project_home.html#document-row"
    can_edit = access.membership_for(request.user, document.project_id).allows(Role.OWNER)
    return render(
        request, template, {"document": document, "form": form, "project": document.project, "can_edit": can_edit}
    )


def _attributes_form(request: HttpRequest, document) -> DocumentAttributesForm:
    custom_names = list(document.project.custom_attributes.values_list("name", flat=True))
    initial = DocumentAttributesForm.initial_for(document)
    initial.update({f"custom_{i}": document.attributes.get(n, "") for i, n in enumerate(custom_names)})
    data = request.POST if request.method == "POST" else None
    return DocumentAttributesForm(data, initial=initial, custom_names=custom_names)


def _save_attributes(form: DocumentAttributesForm, document) -> bool:
    try:
        document_update(document=document, data=form.attribute_data())
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@login_required
def document_page(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_for(request.user, document_id)
    membership = access.membership_for(request.user, document.project_id)
    form = _attributes_form(request, document)
    if request.method == "POST":
        membership = access.membership_for(request.user, document.project_id, need=Role.OWNER)
        if form.is_valid() and _save_attributes(form, document):
            messages.success(request, _("Attributes saved."))
        if request.htmx:
            return render(
                request,
                "policies/document_page.html#attributes-panel",
                _document_context(request, document, membership, form),
            )
    return render(request, "policies/document_page.html", _document_context(request, document, membership, form))


def _document_context(request: HttpRequest, document, membership: Membership, form) -> dict:
    lines = passages.paragraphs(document.text)
    sections = passages.outline(
        document.text, lines, passages.outline_sections(document.sections.values_list(*passages.OUTLINE_FIELDS))
    )
    return {
        "document": document,
        "project": document.project,
        "membership": membership,
        "text_html": passages.paragraphs_html(lines),
        "sections": sections,
        "outline_html": passages.outline_html(sections),
        "form": form,
        "coding_count": hooks.call("document_coding_count", document, request.user),
    }


@login_required
@require_GET
def document_original(request: HttpRequest, document_id: int) -> HttpResponse:
    return downloads.original_response(access.document_for(request.user, document_id, defer_text=True))


@login_required
@require_POST
def document_replace(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_for(request.user, document_id, need=Role.OWNER)
    upload = request.FILES.get("file")  # parses the body, which fills oversized_uploads and upload_refused
    if refused := uploads.refusal(request):
        messages.error(request, refused)
    elif getattr(request, "oversized_uploads", None):
        messages.error(request, size_message(request.oversized_uploads[0]))
    elif upload is None:
        messages.error(request, _("Choose a file first."))
    else:
        try:
            document_replace_file(document=document, filename=upload.name, data=upload.read())
            messages.success(request, _("The document's text was replaced."))
        except DocumentRefused as refused:
            messages.error(request, refused.message)
    return redirect("policies:document", document.pk)


@login_required
@require_POST
def document_delete(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_for(request.user, document_id, need=Role.OWNER, defer_text=True)
    project_id = document.project_id
    document_services.document_delete(document=document)
    messages.success(request, _("Document “%(title)s” deleted.") % {"title": document.title})
    return redirect("policies:project-home", project_id)


@login_required
@require_GET
def attribute_sheet_download(request: HttpRequest, project_id: int) -> HttpResponse:
    return attribute_sheet.csv_response(access.project_for(request.user, project_id))


@login_required
@require_POST
def attribute_sheet_upload(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id, need=Role.OWNER)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Choose the CSV sheet to import first."))
        updated = attribute_sheet.apply_csv(project=project, data=upload.read())
        messages.success(request, _("%(count)d documents updated from the sheet.") % {"count": updated})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("policies:project-home", project.pk)
