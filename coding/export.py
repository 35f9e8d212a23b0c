"""Coded segments as CSV or .xlsx rows: a pure row builder, then one loader that streams from the database (the
downloads are coding/downloads.py)."""

import bisect
import itertools
import operator
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from coding import layers, localtime
from framework import tree
from policies import corpus, writers
from policies.models import Project, Section

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
    "article",
    "section_path",
    "text",
    "memo",
    "created_at",
]
DOCUMENT_FIELDS = ("title", "province", "issuer", "issuer_type", "issue_date", "policy_type")
CHUNK = 2000  # codings read from the database at a time


@dataclass(frozen=True)
class ExportSelection:
    """Which codings an export holds and how, parsed at the edge (coding/query_params.py)."""

    node: int | None = None  # with its descendants; None: every node
    coders: tuple[str, ...] = ()  # the layer's names; empty: the default layer
    filters: tuple[tuple[str, str], ...] = ()  # document attributes (corpus.FILTER_FIELDS)
    bom: bool = True  # CSV: UTF-8 with a BOM, for Excel


@dataclass(frozen=True)
class Context:
    """What each coding row is joined with, loaded once per export."""

    documents: dict[int, tuple]  # id -> DOCUMENT_FIELDS values + custom attribute dict
    paths: dict[int, str]
    categories: dict[int, str]
    coders: dict[int, str]
    custom_names: list[str]
    layer: object = None  # the coding.layers.Layer exported
    places: dict[int, tuple[list[int], list[tuple[str, str]]]] = field(default_factory=dict)  # see places_of


HEADINGS = ("part", "chapter", "section")  # 第X编 / 第X章 / 第X节: the section path
ARTICLES = ("article", "item")  # 第X条, or an item (一、) where the text has no articles


def places_of(sections: Iterable[tuple[int, int, str, str, int]]) -> tuple[list[int], list[tuple[str, str]]]:
    """A document's (start, end, kind, label, level) sections as breakpoints and, from each, (article, section path):
    the innermost article (else item) and the headings that contain that stretch of text."""
    events = sorted({p for s in sections for p in (s[0], s[1])})
    by_start = sorted(sections)
    places, active, next_ = [], [], 0
    for position in events:  # one sweep: the sections open at each breakpoint (a few, however long the text)
        active = [s for s in active if s[1] > position]
        while next_ < len(by_start) and by_start[next_][0] <= position:
            if by_start[next_][1] > position:
                active.append(by_start[next_])
            next_ += 1
        inside = sorted(active, key=lambda s: (s[4], s[0]))
        articles = [s[3] for s in inside if s[2] == "article"] or [s[3] for s in inside if s[2] == "item"]
        path = " / ".join(s[3] for s in inside if s[2] in HEADINGS)
        places.append((articles[-1] if articles else "", path))
    return events, places


def places_at(
    sections: Iterable[tuple[int, int, str, str, int]], starts: list[int]
) -> tuple[list[int], list[tuple[str, str]]]:
    """As places_of, but with breakpoints only at `starts` (ascending): the places of a document's coded passages,
    in one sweep over its sections however many sections it has."""
    return starts, _sweep([(0, s[4], s[0], s[1], s[2], s[3]) for s in sections], starts)


def _sweep(rows: list[tuple], starts: list[int]) -> list[tuple[str, str]]:
    """places_at's sweep over one document's (document_id, level, start, end, kind, label) section rows, as the
    database gives them (sorted here); the place is worked out again only where a section opened or closed since the
    previous start."""
    # sorting the active rows by (level, start, end, kind, label) is places_of's stable sort by (level, start) of
    # the start-ordered list
    rows.sort(key=_BY_START)
    found, active, next_, closes, count = [], [], 0, -1, len(rows)
    here = ("", "")
    for position in starts:
        changed = position >= closes
        if changed:
            active = [s for s in active if s[3] > position]
        while next_ < count and rows[next_][2] <= position:
            if rows[next_][3] > position:
                active.append(rows[next_])
            next_ += 1
            changed = True
        if changed:
            closes = min([s[3] for s in active], default=_NEVER)
            inside = sorted(active)
            articles = [s[5] for s in inside if s[4] == "article"] or [s[5] for s in inside if s[4] == "item"]
            here = (articles[-1] if articles else "", " / ".join(s[5] for s in inside if s[4] in HEADINGS))
        found.append(here)
    return found


_BY_START = operator.itemgetter(2, 3, 4, 5, 1)
_NEVER = float("inf")


def place(context: "Context", document_id: int, start: int) -> tuple[str, str]:
    """The article and section path a passage starting at `start` lies in ("", "" outside any)."""
    found = context.places.get(document_id)
    if not found:
        return "", ""
    index = bisect.bisect_right(found[0], start) - 1
    return found[1][index] if index >= 0 else ("", "")


def header(custom_names: list[str]) -> list[str]:
    return [*COLUMNS, *custom_names]


def rows(codings: Iterable[tuple], context: Context) -> Iterator[list]:
    """One row per coding, given (id, document_id, node_id, coder_id, start, end, text, memo, created_at) tuples, the
    time as the database casts it to text (UTC)."""
    when = localtime.LocalTimes(UTC, seconds=True)
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
            context.coders[coder_id],
            start,
            end,
            *place(context, document_id, start),
            text,
            memo,
            when(created_at),
            *(attributes.get(name, "") for name in context.custom_names),
        ]


def csv_lines(codings: Iterable[tuple], context: Context) -> Iterator[str]:
    """The CSV lines of `rows` (the bytes writers.csv_chunks writes for them), built from cells written once per
    document, node, coder and place: per coding only the passage and memo are written, five times faster."""
    field = writers.csv_field
    when = localtime.LocalTimes(UTC, seconds=True)
    nodes: dict[int, str] = {}
    coders: dict[int, str] = {}
    places: dict[tuple[str, str], str] = {}
    current, head, tail, at = None, "", "", {}
    for coding_id, document_id, node_id, coder_id, start, end, text, memo, created_at in codings:
        if document_id != current:
            current = document_id
            *document, attributes = context.documents[document_id]
            *before, issue_date, policy_type = document
            head = ",".join(
                map(field, (document_id, *before, issue_date.isoformat() if issue_date else "", policy_type))
            )
            tail = "".join("," + field(attributes.get(name, "")) for name in context.custom_names)
            starts, found = context.places.get(document_id, ((), ()))
            at = dict(zip(starts, found, strict=True))
        node = nodes.get(node_id)
        if node is None:
            node = nodes[node_id] = ",".join(
                map(field, (node_id, context.paths.get(node_id, ""), context.categories.get(node_id, "")))
            )
        coder = coders.get(coder_id)
        if coder is None:
            coder = coders[coder_id] = field(context.coders[coder_id])
        spot = at.get(start, ("", ""))
        where = places.get(spot)
        if where is None:
            where = places[spot] = f"{field(spot[0])},{field(spot[1])}"
        passage = f"{field(text)},{field(memo)},{when(created_at)}"
        yield f"{coding_id},{head},{node},{coder},{start},{end},{where},{passage}{tail}\r\n"


# --- loader: the place that queries ----------------------------------------------------------------


class Usernames(dict):
    """User id -> username: the members', and anyone else's (a former member's codings) looked up when first met,
    instead of a DISTINCT over every coding of the export before its first row."""

    def __missing__(self, user_id: int) -> str:
        name = get_user_model().objects.filter(pk=user_id).values_list("username", flat=True).first() or ""
        self[user_id] = name
        return name


def selection(project: Project, chosen: ExportSelection, user) -> tuple[Iterable[tuple], Context]:
    """The coding tuples to export (filters: node with descendants, the layer's coders, document attributes) and their
    context."""
    rows_ = tree.rows_for(project)
    layer = layers.layer_for(project, user, chosen.coders)
    codings = layers.layer_codings(project, user, layer)
    if chosen.node is not None:
        node_id = chosen.node
        if node_id not in {r.id for r in rows_}:
            raise ValidationError(_("Node %(id)s is not in this project's codebook.") % {"id": node_id})
        codings = codings.filter(node_id__in={node_id} | tree.descendants(rows_, node_id))
    documents = corpus.filter_documents(project.documents.all(), dict(chosen.filters))
    if chosen.filters:
        codings = codings.filter(document__in=documents)
    custom_names = list(project.custom_attributes.values_list("name", flat=True))
    context = Context(
        documents={d[0]: d[1:] for d in documents.values_list("id", *DOCUMENT_FIELDS, "attributes")},
        paths=tree.paths(rows_),
        categories=tree.top_level_names(rows_),
        coders=Usernames(project.memberships.values_list("user_id", "user__username")),
        custom_names=custom_names,
        layer=layer,
    )
    # Ordered by document only, the database reads the codings in index order instead of sorting every coding of
    # the project (with its text) before the first row; each document's codings are then sorted here.
    values = codings.order_by("document_id").values_list(
        "id", "document_id", "node_id", "coder_id", "start", "end", "text", "memo", Cast("created_at", TextField())
    )
    sections = (
        Section.objects.filter(document__in=documents.order_by().values("id"))
        .order_by("document_id")
        .values_list("document_id", "level", "start", "end", "kind", "label")
    )
    return in_document_order(_cursor_rows(values, CHUNK), _cursor_rows(sections, CHUNK * 5), context.places), context


def _cursor_rows(queryset, chunk: int) -> Iterator[tuple]:
    """The queryset's rows as the database cursor gives them, `chunk` at a time from a server-side cursor where the
    database has one (as QuerySet.iterator reads them, without its per-row Python: a fifth of the export's time).

    On PostgreSQL the next chunk is fetched in a thread while this one is written out, so the database's work and
    the CSV's overlap instead of taking turns (the thread waits on the server without holding the GIL)."""
    sql, params = queryset.query.sql_with_params()
    connection = connections[queryset.db]
    chunked = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    with connection.chunked_cursor() if chunked else connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            yield from _read_ahead(cursor.fetchmany, chunk)
            return
        while found := cursor.fetchmany(chunk):
            yield from found


def _read_ahead(fetch, chunk: int) -> Iterator[tuple]:
    """The rows of fetch(chunk), called until it returns none, read one chunk ahead in a thread. An error there is
    raised here; closing this generator early (a client gone) stops the thread before the cursor closes."""
    ready: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item) -> None:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def read() -> None:
        try:
            while not stop.is_set():
                found = fetch(chunk)
                hand_over(found)
                if not found:
                    return
        except Exception as error:  # given to the reader, which raises it in the request's thread
            hand_over(error)

    reader = threading.Thread(target=read, name="export-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            found = ready.get()
            if isinstance(found, Exception):
                raise found
            if not found:
                return
            yield from found
    finally:
        stop.set()
        reader.join()


def in_document_order(codings: Iterable[tuple], sections: Iterable[tuple], places: dict) -> Iterator[tuple]:
    """Coding tuples that come grouped by document, each document's sorted by start, end and id; while a document's
    codings go out, `places` holds the places of their starts (and only that document's: memory stays flat), from
    `sections`, (document_id, level, start, end, kind, label) tuples in document order."""
    sections = iter(sections)
    pending = next(sections, None)
    for document_id, group in itertools.groupby(codings, key=operator.itemgetter(1)):
        ordered = sorted(group, key=operator.itemgetter(4, 5, 0))
        while pending is not None and pending[0] < document_id:
            pending = next(sections, None)
        found = []
        while pending is not None and pending[0] == document_id:
            found.append(pending)
            pending = next(sections, None)
        places.clear()
        if found:
            starts = sorted({coding[4] for coding in ordered})
            places[document_id] = (starts, _sweep(found, starts))
        yield from ordered
