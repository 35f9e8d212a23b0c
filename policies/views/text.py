"""Text analytics pages: word frequency (table, figures, files), text search, the project dictionary and the
segmentation progress panel."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import trigger_client_event

from policies import access, corpus, error_pages, hooks, queries, writers
from policies.forms import WordGroupForm
from policies.models import Membership, Role
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
from policies.text import forms as text_forms
from policies.text import frequency, search, segment, word_figures
from policies.text import query_params as text_params


def _analysis_context(membership: Membership) -> dict:
    project = membership.project
    return {
        "project": project,
        "membership": membership,
        "segmentation": segment.segmentation_state(project),
        "can_code": membership.allows(Role.CODER),
        "can_edit": membership.allows(Role.OWNER),
    }


def _scope_choices(project) -> dict:
    """What a scope form offers: the attribute facets, the nodes and the coders."""
    return {
        "facets": corpus.facets(project),
        "nodes": hooks.call("node_choices", project),
        "coders": list(project.memberships.values_list("user__username", flat=True)),
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
    context["form"] = text_forms.WordFrequencyForm(request.GET, **_scope_choices(membership.project))
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
    choices = _scope_choices(membership.project)
    context["form"] = text_forms.TextSearchForm(request.GET, **choices)
    context["autocode_form"] = text_forms.AutocodeForm(nodes=choices["nodes"])
    template = "policies/text_search.html"
    if request.htmx and request.htmx.target == "search-results":
        template += "#search-results"
    return render(request, template, context)


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
        "group_form": WordGroupForm(auto_id=False, use_required_attribute=False),
        "builtin_terms": segment.builtin_lexicon(),
        "builtin_stopwords": sorted(segment.builtin_stopwords()),
    }
    return render(request, "policies/dictionary.html", context)


def _group_id(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not queries.is_number(raw):
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
