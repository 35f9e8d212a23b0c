"""Matrix coding query, attribute counts and the framework summary: pages, drill-down and their files."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coding import team
from coding.analysis import downloads, forms, matrix, matrix_table, matrix_writers, query_params
from framework import tree
from policies import access, corpus, error_pages, queries


def _matrix_context(request: HttpRequest, project) -> dict:
    """The matrix page's choices and, unless the parameters are wrong, the matrix laid out as a table."""
    params = request.GET
    nodes = [(n.row.id, n.path, n.depth + 1) for n in tree.walk(tree.rows_for(project))]
    values = [(v, downloads.value_label(v)) for v in matrix.VALUES]
    facets = corpus.facets(project)
    context = {
        "form": forms.MatrixForm(
            params, facets=facets, rows=downloads.row_choices(project), nodes=nodes, values=values
        ),
        "node_choices": nodes,
        "coder_choices": team.coder_choices(project),
        "query": params,
        "chosen_coders": params.getlist("coder"),
        "chosen_nodes": [int(n) for n in params.getlist("node") if queries.is_number(n)],
        "links": query_params.query_string(params),
        "view_links": query_params.query_string(params, keep=(*query_params.MATRIX_PARAMS, "transpose", "heat")),
        "page_url": reverse("coding:matrix", args=[project.pk]),
        "cell_url": reverse("coding:matrix-cell", args=[project.pk]),
        "heat": params.get("heat", "1") != "0",
    }
    try:
        layout = query_params.table_options(params)
        result = matrix.load_query(project, request.user, query_params.matrix_query(project, params))
    except ValidationError as invalid:
        return {**context, "error": " ".join(invalid.messages)}
    corner = downloads.row_kind_label(result.rows_by)
    view = matrix_table.table(result, transpose=layout.transpose, sort=layout.sort, corner=corner, heat=layout.heat)
    return {**context, "matrix": result, "table": view, "value_label": downloads.value_label(result.value)}


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
    if not queries.is_number(node):
        return error_pages.bad_request(request, _("“node” must be a node id."), project=project)
    try:
        query = query_params.matrix_query(project, request.GET)
        query, documents = matrix.cell_documents(project, request.user, query, int(node), request.GET.get("row", ""))
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
        query = query_params.matrix_query(project, request.GET)
        layout = query_params.table_options(request.GET)
        long = request.GET.get("format") == "long"
        return downloads.matrix_file(project, request.user, query, fmt, layout=layout, long=long)
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)


@login_required
@require_GET
def attribute_counts(request: HttpRequest, project_id: int) -> HttpResponse:
    """Documents by issuer type, province, policy type, year or a custom attribute: a table and a bar chart."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    rows = downloads.row_choices(project)
    context = {
        "project": project,
        "membership": membership,
        "form": forms.AttributeCountsForm(request.GET, rows=rows),
        "query": request.GET,
    }
    try:
        query, bars = matrix.attribute_counts(project, query_params.counts_query(project, request.GET))
    except ValidationError as invalid:
        return render(request, "coding/attribute_counts.html", {**context, "error": " ".join(invalid.messages)})
    title = _("Documents by %(attribute)s") % {"attribute": downloads.row_kind_label(query.rows_by)}
    context |= {
        "by": query.rows_by,
        "form": forms.AttributeCountsForm({"by": query.rows_by}, rows=rows),
        "lines": downloads.attribute_lines(query.rows_by, bars)[1:],
        "title": title,
        "chart": matrix_writers.bar_chart_svg(bars, title=title),
    }
    return render(request, "coding/attribute_counts.html", context)


@login_required
@require_GET
def attribute_counts_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    try:
        return downloads.attribute_file(project, query_params.counts_query(project, request.GET), fmt)
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)


@login_required
@require_GET
def framework_summary(request: HttpRequest, project_id: int) -> HttpResponse:
    """For every node in tree order, how many provinces (or other rows) mention it and which: the paper's tables."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    rows = downloads.row_choices(project)
    context = {
        "project": project,
        "membership": membership,
        "form": forms.FrameworkSummaryForm(request.GET, rows=rows),
        "query": request.GET,
        "links": query_params.query_string(request.GET),
    }
    try:
        query = query_params.matrix_query(project, request.GET)
        query, found = matrix.framework_summary(project, request.user, query)
    except ValidationError as invalid:
        return render(request, "coding/framework_summary.html", {**context, "error": " ".join(invalid.messages)})
    chosen = {"rows": query.rows_by, "provinces_only": "1" if query.provinces_only else "0"}
    context |= {
        "form": forms.FrameworkSummaryForm(chosen, rows=rows),
        "found": found,
        "rows_by": query.rows_by,
        "rows_label": downloads.row_kind_label(query.rows_by),
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
        query = query_params.matrix_query(project, request.GET)
        return downloads.summary_file(project, request.user, query, fmt)
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)
