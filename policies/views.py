"""HTML pages for projects, members and documents; htmx requests get the named partial."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from policies import (
    access,
    attribute_sheet,
    corpus,
    downloads,
    error_pages,
    hooks,
    passages,
    queries,
    uploads,
    writers,
)
from policies.forms import (
    CustomAttributeForm,
    DocumentAttributesForm,
    MemberAddForm,
    MemberRoleForm,
    ProjectCreateForm,
    ProjectForm,
)
from policies.models import Membership, Role, WordGroupKind
from policies.services import documents as document_services
from policies.services.attributes import custom_attribute_remove, define_custom_attributes, document_update
from policies.services.documents import (
    DocumentRefused,
    ImportOutcome,
    document_import,
    document_replace_file,
    size_message,
)
from policies.services.projects import member_add, member_remove, member_set_role, project_create, project_update
from policies.services.segmentation import (
    dictionary_import,
    dictionary_term_add,
    dictionary_term_remove,
    segmentation_restart,
    stopwords_set,
    word_group_remove,
    word_group_save,
)
from policies.services.workers import work_recover
from policies.text import frequency, search, segment, word_figures
from policies.text import query_params as text_params


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("policies:project-home", project.pk)
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("project")
        .annotate(document_count=Count("project__documents"))
        .order_by("-project__created_at")
    )
    return render(request, "policies/project_list.html", {"memberships": memberships, "form": form})


def _document_table_context(request: HttpRequest, membership: Membership) -> dict:
    project = membership.project
    documents = project.documents.defer("text")
    error = None
    try:
        documents = corpus.filter_documents(documents, queries.filters(request.GET))
    except ValidationError as invalid:
        error = " ".join(invalid.messages)
    documents, sort = corpus.sort_documents(documents, request.GET.get("sort"))
    return {
        "project": project,
        "membership": membership,
        "documents": documents,
        "sort": sort,
        "filters": {f: request.GET.get(f, "") for f in corpus.FILTER_FIELDS},
        "facets": corpus.facets(project),
        "filter_error": error,
        "total": project.documents.count(),
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


@login_required
def members_page(request: HttpRequest, project_id: int) -> HttpResponse:
    membership = access.membership_for(request.user, project_id)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST":
        access.membership_for(request.user, project_id, need=Role.OWNER)
        if form.is_valid():
            try:
                member_add(project=membership.project, **form.cleaned_data)
                return redirect("policies:members", project_id)
            except ValidationError as error:
                form.add_error(None, error)
    members = membership.project.memberships.select_related("user").order_by("id")
    context = {"project": membership.project, "membership": membership, "members": members, "form": form}
    return render(request, "policies/members.html", context)


@login_required
@require_POST
def member_change(request: HttpRequest, project_id: int, member_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id, need=Role.OWNER)
    target = get_object_or_404(project.memberships, pk=member_id)
    try:
        if request.POST.get("action") == "remove":
            member_remove(membership=target)
        else:
            form = MemberRoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose owner, coder or viewer."))
            member_set_role(membership=target, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("policies:members", project_id)


@login_required
def project_settings(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id, need=Role.OWNER)
    # Bind only the form that was submitted, and redirect only on success, so errors show on the right form.
    adding, renaming = "attr-name" in request.POST, "name" in request.POST
    initial = {"name": project.name, "description": project.description}
    form = ProjectForm(request.POST if renaming else None, initial=initial)
    attribute_form = CustomAttributeForm(request.POST if adding else None, prefix="attr")
    try:
        if adding and attribute_form.is_valid():
            define_custom_attributes(project, [attribute_form.cleaned_data["name"].strip()])
            return redirect("policies:project-settings", project.pk)
        if "remove_attribute" in request.POST:
            custom_attribute_remove(project=project, name=request.POST["remove_attribute"])
            return redirect("policies:project-settings", project.pk)
        if renaming and form.is_valid():
            project_update(project=project, **form.cleaned_data)
            return redirect("policies:project-settings", project.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    context = {"project": project, "form": form, "attribute_form": attribute_form}
    return render(request, "policies/project_settings.html", context)


# --- text analytics: word frequency, text search with auto-coding, the project dictionary -----------


def _analysis_context(membership: Membership) -> dict:
    project = membership.project
    return {
        "project": project,
        "membership": membership,
        "facets": corpus.facets(project),
        "node_choices": hooks.call("node_choices", project),
        "coders": list(project.memberships.values_list("user__username", flat=True)),
        "segmentation": segment.segmentation_state(project),
        "can_code": membership.allows(Role.CODER),
        "can_edit": membership.allows(Role.OWNER),
        "pos_groups": segment.POS_GROUPS,
    }


def _word_frequency(request: HttpRequest, project) -> dict:
    try:
        options = text_params.frequency_options(request.GET)
        scope = text_params.scope(request.GET)
        result = frequency.project_word_frequency(project, request.user, scope=scope, options=options)
        layer = search.scope_layer(project, request.user, scope)
    except (frequency.FrequencyError, search.SearchError) as error:
        return {"error": str(error), "query": request.GET}
    top = sorted(result.rows, key=lambda r: -r.count)[:BAR_COUNT]
    peak = top[0].count if top else 1
    bars = [
        {"word": r.word, "count": r.count, "y": i * 22, "width": round(460 * r.count / peak, 1)}
        for i, r in enumerate(top)
    ]
    return {
        "result": result,
        "layer": layer,
        "query": request.GET,
        "cloud": [[r.word, r.count] for r in result.rows],
        "bars": bars,
        "bar_height": len(bars) * 22,
        "scope_query": reports_query(request.GET, SCOPE_FIELDS),
        "export_query": reports_query(request.GET, (*SCOPE_FIELDS, "top", "min_length", "pos", "stopwords", "sort")),
    }


BAR_COUNT = 30
SCOPE_FIELDS = ("province", "issuer_type", "policy_type", "node", "coder")


def reports_query(params, keep) -> str:
    return urlencode([(k, v) for k in keep for v in params.getlist(k) if v])


@login_required
@require_GET
def word_frequency_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Word frequency query: the table, a bar chart and a word cloud; htmx refreshes only the results."""
    membership = access.membership_for(request.user, project_id)
    context = {**_analysis_context(membership), **_word_frequency(request, membership.project)}
    template = "policies/word_frequency.html"
    if request.htmx and request.htmx.target == "word-frequency-results":
        template += "#word-frequency-results"
    return render(request, template, context)


@login_required
@require_GET
def word_frequency_figure(request: HttpRequest, project_id: int, figure: str, fmt: str) -> HttpResponse:
    """The word cloud or the bar chart as SVG, or as PNG at 300 dpi, for the same query as the page."""
    project = access.project_for(request.user, project_id)
    found = _word_frequency(request, project)
    if "error" in found:
        return error_pages.bad_request(request, found["error"], project=project)
    words = [(r.word, r.count) for r in found["result"].rows]
    if figure == "cloud":
        svg = word_figures.cloud_svg(words, title=f"{project.name} · {_('Word cloud')}")
    else:
        svg = word_figures.bars_svg(words, title=f"{project.name} · {_('Most frequent words')}")
    name = f"{_('word-frequency')}-{figure}"
    layer = found["layer"]
    if layer is not None:
        name = f"{name}-{layer.file_tag()}"
    if fmt == "png":
        response = writers.png_response(svg, f"{name}.png")
    else:
        response = writers.file_response(svg.encode(), f"{name}.svg", "image/svg+xml; charset=utf-8")
    if layer is not None:
        response[writers.LAYER_HEADER] = layer.header()
    return response


@login_required
@require_GET
def word_frequency_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    """The word frequency table as CSV (UTF-8 with BOM) or .xlsx."""
    project = access.project_for(request.user, project_id)
    found = _word_frequency(request, project)
    if "error" in found:
        return error_pages.bad_request(request, found["error"], project=project)
    lines = [[_("Word"), _("Count"), _("Weighted percentage"), _("Documents"), _("Part of speech")]]
    lines += [[r.word, r.count, round(r.percent, 4), r.documents, r.tag] for r in found["result"].rows]
    layer = found["layer"]  # scoped by node or coder: the coding layer read, named like every export's
    if layer is None:
        return writers.table_response(fmt, _("word-frequency"), lines)
    name = f"{_('word-frequency')}-{layer.file_tag()}"
    return writers.table_response(fmt, name, lines, headers={writers.LAYER_HEADER: layer.header()})


@login_required
@require_GET
def segmentation_status(request: HttpRequest, project_id: int) -> HttpResponse:
    """The segmentation progress panel, polled while a (re-)segmentation runs; tells the page when it is done."""
    project = access.project_for(request.user, project_id)
    work_recover(project=project)  # a segmentation its dead worker left running is queued again
    state = segment.segmentation_state(project)
    response = render(request, "policies/_segmentation_status.html", {"project": project, "segmentation": state})
    if request.GET.get("was") in ("queued", "running") and state["status"] == "ready":
        trigger_client_event(response, "segmentation-finished")
    return response


def _text_search(request: HttpRequest, project) -> dict:
    if not request.GET.get("q"):
        return {"query": request.GET}
    try:
        query = search.parse_query(request.GET["q"], request.GET.get("mode", "terms"), request.GET.get("whole") == "1")
        scope = text_params.scope(request.GET)
        result = search.text_search(
            project,
            request.user,
            query=query,
            scope=scope,
            sort=request.GET.get("sort", ""),
            boundaries=segment.word_boundaries(project),
        )
        layer = search.scope_layer(project, request.user, scope)
    except search.SearchError as error:
        return {"error": str(error), "query": request.GET}
    truncation = search.truncation_message(result)
    return {"result": result, "layer": layer, "query": request.GET, "truncation": truncation}


@login_required
@require_GET
def text_search_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Text search as keyword-in-context lines, with counts and auto-coding of the hits."""
    membership = access.membership_for(request.user, project_id)
    context = {**_analysis_context(membership), **_text_search(request, membership.project)}
    context["spreads"] = [(s, SPREAD_LABELS[s]) for s in search.SPREADS]
    template = "policies/text_search.html"
    if request.htmx and request.htmx.target == "search-results":
        template += "#search-results"
    return render(request, template, context)


SPREAD_LABELS = {
    "hit": gettext_lazy("the hit itself"),
    "sentence": gettext_lazy("its sentence"),
    "paragraph": gettext_lazy("its paragraph"),
    "article": gettext_lazy("its article (第X条)"),
}


@login_required
def dictionary_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project dictionary and stopwords: everyone reads them, owners edit (each edit re-segments)."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    if request.method == "POST":
        access.membership_for(request.user, project_id, need=Role.OWNER)
        try:
            messages.success(request, _dictionary_action(request, project))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("policies:dictionary", project.pk)
    context = {
        **_analysis_context(membership),
        "terms": project.dictionary_terms.all(),
        "stopwords": " ".join(project.stopwords.values_list("word", flat=True)),
        "word_groups": project.word_groups.all(),
        "word_group_kinds": WordGroupKind.choices,
        "builtin_terms": segment.builtin_lexicon(),
        "builtin_stopwords": sorted(segment.builtin_stopwords()),
    }
    return render(request, "policies/dictionary.html", context)


def _group_id(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError(_("That word group no longer exists."))
    return int(raw)


def _dictionary_action(request: HttpRequest, project) -> str:
    action = request.POST.get("action")
    if action == "add":
        term = dictionary_term_add(
            project=project,
            word=request.POST.get("word", ""),
            frequency=request.POST.get("frequency") or None,
            tag=request.POST.get("tag", ""),
        )
        return _("“%(word)s” added; the documents are being re-segmented.") % {"word": term.word}
    if action == "upload":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError(_("Choose a dictionary file first."))
        count = dictionary_import(project=project, data=upload.read())
        return _("%(count)d words added; the documents are being re-segmented.") % {"count": count}
    if action == "remove":
        dictionary_term_remove(project=project, term_id=int(request.POST.get("term") or 0))
        return _("Word removed; the documents are being re-segmented.")
    if action == "stopwords":
        count = stopwords_set(project=project, text=request.POST.get("stopwords", ""))
        return _("%(count)d stopwords saved; word frequencies use them at once.") % {"count": count}
    if action == "group-save":
        group = word_group_save(
            project=project,
            kind=request.POST.get("kind", ""),
            name=request.POST.get("name", ""),
            words=request.POST.get("words", ""),
            group_id=_group_id(request.POST.get("group")),
        )
        return _("Word group “%(name)s” saved.") % {"name": group.name}
    if action == "group-remove":
        word_group_remove(project=project, group_id=_group_id(request.POST.get("group")) or 0)
        return _("Word group removed.")
    if action == "resegment":
        segmentation_restart(project=project)
        return _("Re-segmenting every document in the background.")
    raise ValidationError(_("Unknown action."))
