"""Coded segments as CSV or .xlsx rows: a pure row builder, then one loader that streams from the database."""

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from coding import layers
from framework import tree
from policies import corpus, writers
from policies.models import Project

COLUMNS = [
    "coding_id",
    "document_id",
    "document_title",
    "province",
    "issuer",
    "issuer_type",
    "issue_date",
    "policy_type",
    "node_id",
    "node_path",
    "category",
    "coder",
    "start",
    "end",
    "text",
    "memo",
    "created_at",
]
DOCUMENT_FIELDS = ("title", "province", "issuer", "issuer_type", "issue_date", "policy_type")
CHUNK = 2000  # codings read from the database at a time


@dataclass(frozen=True)
class Context:
    """What each coding row is joined with, loaded once per export."""

    documents: dict[int, tuple]  # id -> DOCUMENT_FIELDS values + custom attribute dict
    paths: dict[int, str]
    categories: dict[int, str]
    coders: dict[int, str]
    custom_names: list[str]
    layer: object = None  # the coding.layers.Layer exported


def header(custom_names: list[str]) -> list[str]:
    return [*COLUMNS, *custom_names]


def rows(codings: Iterable[tuple], context: Context) -> Iterator[list]:
    """One row per coding, given (id, document_id, node_id, coder_id, start, end, text, memo, created_at) tuples."""
    for coding_id, document_id, node_id, coder_id, start, end, text, memo, created_at in codings:
        *document, attributes = context.documents[document_id]
        title, province, issuer, issuer_type, issue_date, policy_type = document
        yield [
            coding_id,
            document_id,
            title,
            province,
            issuer,
            issuer_type,
            issue_date.isoformat() if issue_date else "",
            policy_type,
            node_id,
            context.paths.get(node_id, ""),
            context.categories.get(node_id, ""),
            context.coders.get(coder_id, ""),
            start,
            end,
            text,
            memo,
            created_at.isoformat(timespec="seconds"),
            *(attributes.get(name, "") for name in context.custom_names),
        ]


# --- loader: the place that queries ----------------------------------------------------------------


def selection(project: Project, params, user) -> tuple[Iterable[tuple], Context]:
    """The coding tuples to export (filters: node with descendants, the layer's coders, document attributes) and their
    context."""
    rows_ = tree.rows_for(project)
    layer = layers.layer_from_params(project, user, params)
    codings = layers.layer_codings(project, user, layer)
    if params.get("node"):
        try:
            node_id = int(params["node"])
        except ValueError:
            raise ValidationError(_("“node” must be a node id.")) from None
        if node_id not in {r.id for r in rows_}:
            raise ValidationError(_("Node %(id)s is not in this project's codebook.") % {"id": node_id})
        codings = codings.filter(node_id__in={node_id} | tree.descendants(rows_, node_id))
    documents = corpus.filter_documents(project.documents.all(), params)
    if any(params.get(f) for f in corpus.FILTER_FIELDS):
        codings = codings.filter(document__in=documents)
    custom_names = list(project.custom_attributes.values_list("name", flat=True))
    context = Context(
        documents={d[0]: d[1:] for d in documents.values_list("id", *DOCUMENT_FIELDS, "attributes")},
        paths=tree.paths(rows_),
        categories=tree.top_level_names(rows_),
        coders=dict(project.memberships.values_list("user_id", "user__username"))
        | dict(codings.order_by().values_list("coder_id", "coder__username").distinct()),
        custom_names=custom_names,
        layer=layer,
    )
    values = codings.order_by("document_id", "start", "end", "id").values_list(
        "id", "document_id", "node_id", "coder_id", "start", "end", "text", "memo", "created_at"
    )
    return values.iterator(chunk_size=CHUNK), context


def csv_response(project: Project, params, user) -> StreamingHttpResponse:
    """Stream the coded segments as CSV; UTF-8 with a BOM for Excel unless ?bom=0."""
    codings, context = selection(project, params, user)
    bom = params.get("bom", "1") not in ("0", "false", "no")
    lines = itertools.chain([header(context.custom_names)], rows(codings, context))
    name = f"project-{project.pk}-codings-{context.layer.file_tag()}.csv"
    response = writers.csv_stream_response(lines, name, bom=bom)
    response[writers.LAYER_HEADER] = context.layer.header()
    return response


def xlsx_response(project: Project, params, user) -> FileResponse:
    """The coded segments as an Excel workbook (written row by row to a temporary file)."""
    codings, context = selection(project, params, user)
    lines = itertools.chain([header(context.custom_names)], rows(codings, context))
    about = [
        [_("Layer"), context.layer.label],
        [_("Coders"), ", ".join(context.layer.names)],
        [_("Filters"), "; ".join(f"{k}={params.get(k)}" for k in ("node", *corpus.FILTER_FIELDS) if params.get(k))],
        [_("Date"), timezone.localdate().isoformat()],
        [_("Project"), project.name],
    ]
    name = f"project-{project.pk}-codings-{context.layer.file_tag()}.xlsx"
    response = writers.xlsx_response([("codings", lines), (writers.ABOUT_SHEET, about)], name)
    response[writers.LAYER_HEADER] = context.layer.header()
    return response
