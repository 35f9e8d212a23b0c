"""A project as a REFI-QDA .qdpx zip: project.qde, sources/ and the policycoder/ extension. The loader of this package.

Layout: `project.qde` (valid against Project.xsd), `sources/<document guid>.txt` (the stored text, UTF-8) with the
original upload beside it, and `policycoder/` (JSON) holding what the standard has no place for: members and roles,
blind coding and adjudicators, custom attribute order, sections, assignments, the project dictionary and stopwords,
the audit trail. Texts go into the zip one document at a time, codings are read in one ordered pass: memory stays
flat however large the project.
"""

import datetime
import json
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from django.contrib.auth import get_user_model
from django.utils import timezone

from coding import layers
from coding.exchange import qde
from coding.models import Assignment, Coding, CodingEvent, CodingOptions, Memo, MemoKind
from framework import exchange as codebook_exchange
from framework import tree
from policies import writers
from policies.models import Document, Membership, Section

FORMAT = "policycoder-project"
VERSION = 1
CONSENSUS_NAME = "共识"
# (document field, variable name, REFI type): the standard attributes, by their Chinese names
STANDARD_VARIABLES = (
    ("province", "省份", "Text"),
    ("issuer", "发布机关", "Text"),
    ("issuer_type", "发布机关类型", "Text"),
    ("issue_date", "发布日期", "Date"),
    ("doc_number", "文号", "Text"),
    ("policy_type", "政策类型", "Text"),
)
DOCUMENT_FIELDS = ("title", "original_name", "file_format", *(field for field, _name, _kind in STANDARD_VARIABLES))
BATCH = 200
TEXTS = 50  # document texts read at a time (15,000 characters each: under 3 MB)


def user_guid(username: str) -> str:
    """A member's GUID: uuid5 of the username in PolicyCoder's GUID space (the same in every export)."""
    return qde.guid_for("user", username)


CONSENSUS_GUID = qde.guid_for("consensus")


def variable_guid(name: str) -> str:
    return qde.guid_for("variable", name)


def text_path(document_guid: str) -> str:
    return f"sources/{document_guid}.txt"


class _People:
    """User id → (guid, name) for everyone the project mentions; the consensus user is 共识."""

    def __init__(self, project):
        options = CodingOptions.objects.filter(project=project).first()
        self.consensus_id = options.consensus_coder_id if options else None
        self.by_id: dict[int, tuple[str, str]] = {}
        # order_by(): with the models' default orderings, DISTINCT would be over (coder, document, start, end, id),
        # every coding of the project read into memory (77 MB of RSS at 400,000 codings, kept after)
        ids = set(project.memberships.values_list("user_id", flat=True))
        for found, column in (
            (Coding.objects.filter(document__project=project), "coder_id"),
            (Memo.objects.filter(project=project), "author_id"),
            (Assignment.objects.filter(project=project), "coder_id"),
            (CodingEvent.objects.filter(project=project), "actor_id"),
        ):
            ids |= set(found.order_by().values_list(column, flat=True).distinct())
        if self.consensus_id:
            ids.add(self.consensus_id)
        for pk, username in get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"):
            self.by_id[pk] = (
                (CONSENSUS_GUID, CONSENSUS_NAME) if pk == self.consensus_id else (user_guid(username), username)
            )

    def guid(self, user_id: int | None) -> str | None:
        return self.by_id[user_id][0] if user_id in self.by_id else None

    def listed(self) -> list[tuple[str, str]]:
        return sorted(self.by_id.values(), key=lambda item: (item[1] != CONSENSUS_NAME, item[1]))


def write(handle, project, user, *, now: datetime.datetime | None = None) -> None:
    """Write the project as a .qdpx zip into `handle` (a file opened for binary writing), as `user` sees it."""
    now = now or timezone.now()
    people = _People(project)
    rows = tree.rows_for(project)
    node_guids = {row.id: row.guid for row in rows}
    place = {node.row.id: index for index, node in enumerate(tree.walk(rows))}
    rank = {MemoKind.NODE: 0, MemoKind.DOCUMENT: 1, MemoKind.JOURNAL: 2}
    # one order whatever the ids: node memos in codebook order, document memos in document order, then the journal
    memos = sorted(
        Memo.objects.filter(project=project).order_by("created_at", "id"),
        key=lambda m: (rank[m.kind], place.get(m.node_id, 0), m.document_id or 0),
    )
    notes, document_notes, node_notes, journal = _notes(memos, people, node_guids)
    # level 1: several times faster than the default on a large project.qde, for a file a fifth larger
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        originals = _write_texts(archive, project)
        roots = tree.build(rows)
        book = codebook_exchange.codebook_element(roots, qde.NAMESPACE, notes=node_notes) if rows else None
        custom = list(project.custom_attributes.values_list("name", flat=True))
        head = qde.Head(
            name=project.name,
            description=project.description,
            user=people.guid(project.created_by_id),
            created=qde.timestamp(project.created_at),
            modified=qde.timestamp(now),
            users=people.listed(),
            variables=[qde.Variable(variable_guid(name), name, kind) for _f, name, kind in STANDARD_VARIABLES]
            + [qde.Variable(variable_guid(name), name, "Text") for name in custom],
            notes=journal,
        )
        with archive.open("project.qde", "w", force_zip64=True) as stream:
            sources = _sources(project, user, people, node_guids, document_notes, custom, originals)
            qde.write(stream, head, book, sources, notes)
        _write_extension(archive, project, people, node_guids, originals)


def _write_texts(archive: zipfile.ZipFile, project) -> dict[int, str]:
    """Each document's text as sources/<guid>.txt and its original upload beside it; document id → original path."""
    originals: dict[int, str] = {}
    # TEXTS at a time, each batch after the last one's id: neither OFFSET (which scans the skipped rows again) nor a
    # server-side cursor (which PostgreSQL fills with every text before the first: a temporary file of them all)
    documents = project.documents.order_by("id").values_list("id", "guid", "original", "text")
    last = 0
    while batch := list(documents.filter(id__gt=last)[:TEXTS]):
        last = batch[-1][0]
        for pk, guid, original, text in batch:
            archive.writestr(text_path(str(guid)), text.encode("utf-8"))
            if original:
                suffix = PurePosixPath(original).suffix.lower()
                name = f"sources/{guid}-original{suffix}"
                try:
                    field = Document._meta.get_field("original")
                    with field.storage.open(original, "rb") as file, archive.open(name, "w", force_zip64=True) as out:
                        while chunk := file.read(1024 * 1024):
                            out.write(chunk)
                    originals[pk] = name
                except OSError:
                    continue  # the file is gone from storage: the text is what counts
    return originals


def _notes(memos, people: _People, node_guids: dict[int, str]):
    notes, document_notes, node_notes, journal = [], {}, {}, []
    document_guids = dict(
        Document.objects.filter(pk__in=[m.document_id for m in memos if m.document_id]).values_list("id", "guid")
    )
    entries = 0
    for memo in memos:
        if memo.kind == MemoKind.DOCUMENT:
            guid = qde.guid_for("memo", document_guids[memo.document_id])
            document_notes.setdefault(memo.document_id, []).append(guid)
        elif memo.kind == MemoKind.NODE:
            guid = qde.guid_for("memo", node_guids[memo.node_id])
            node_notes.setdefault(node_guids[memo.node_id], []).append(guid)
        else:
            guid = qde.guid_for("journal", entries)
            journal.append(guid)
            entries += 1
        notes.append(
            qde.Note(
                guid=guid,
                name=memo.title,
                text=memo.body,
                user=people.guid(memo.author_id),
                created=qde.timestamp(memo.created_at),
                modified=qde.timestamp(memo.updated_at),
            )
        )
    return notes, document_notes, node_notes, journal


def _value(document: dict, field: str) -> str:
    value = document[field]
    return value.isoformat() if isinstance(value, datetime.date) else (value or "")


def _rich_path(original: str) -> str | None:
    """A .docx original is the source's rich text in REFI's sense; a PDF or .txt is not."""
    return "internal://" + original.removeprefix("sources/") if original.endswith(".docx") else None


def _sources(project, user, people, node_guids, document_notes, custom, originals) -> Iterator[qde.Source]:
    """One TextSource per document with its codings, read in one ordered pass over the codings the user may see."""
    codings = (
        layers.visible_codings(project, user)
        .order_by("document_id", "start", "end", "id")
        .values_list("document_id", "node_id", "coder_id", "start", "end", "memo", "created_at")
        .iterator(chunk_size=5000)
    )
    pending = next(codings, None)
    fields = ("id", "guid", "uploaded_by_id", "created_at", "attributes", *DOCUMENT_FIELDS)
    for document in project.documents.order_by("id").values(*fields).iterator(chunk_size=BATCH):
        guid = str(document["guid"])
        values = [
            (variable_guid(name), kind, _value(document, field))
            for field, name, kind in STANDARD_VARIABLES
            if _value(document, field)
        ]
        values += [
            (variable_guid(name), "Text", str(document["attributes"][name]))
            for name in custom
            if str(document["attributes"].get(name) or "")
        ]
        source = qde.Source(
            guid=guid,
            name=document["title"],
            path=f"internal://{guid}.txt",
            rich_path=_rich_path(originals.get(document["id"], "")),
            user=people.guid(document["uploaded_by_id"]),
            created=qde.timestamp(document["created_at"]),
            notes=document_notes.get(document["id"], []),
            values=values,
        )
        while pending is not None and pending[0] < document["id"]:
            pending = next(codings, None)
        while pending is not None and pending[0] == document["id"]:
            _document_id, node_id, coder_id, start, end, memo, created = pending
            coder, code = people.guid(coder_id), node_guids[node_id]
            created_at = qde.timestamp(created)
            source.selections.append(
                qde.Selection(
                    guid=qde.guid_for("selection", guid, code, coder, start, end),
                    start=start,
                    end=end,
                    user=coder,
                    created=created_at,
                    description=memo,
                    codings=[
                        qde.Coding(qde.guid_for("coding", guid, code, coder, start, end), code, coder, created_at)
                    ],
                )
            )
            pending = next(codings, None)
        yield source


def _json(archive: zipfile.ZipFile, name: str, value) -> None:
    archive.writestr(f"policycoder/{name}", json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode())


def _write_documents(archive: zipfile.ZipFile, project, originals) -> None:
    """policycoder/documents.json: each document's attributes and sections, written one document at a time from one
    ordered pass over the sections (a list of them all would hold millions of rows on a large project)."""
    sections = (
        Section.objects.filter(document__project=project)
        .order_by("document_id", "start", "level", "id")
        .values_list("document_id", "kind", "label", "level", "start", "end")
        .iterator(chunk_size=5000)
    )
    pending = next(sections, None)
    documents = project.documents.order_by("id").values("id", "guid", "attributes", *DOCUMENT_FIELDS)
    with archive.open("policycoder/documents.json", "w", force_zip64=True) as out:
        out.write(b"[")
        for index, document in enumerate(documents.iterator(chunk_size=BATCH)):
            while pending is not None and pending[0] < document["id"]:
                pending = next(sections, None)
            found = []
            while pending is not None and pending[0] == document["id"]:
                found.append(list(pending[1:]))
                pending = next(sections, None)
            entry = {field: _value(document, field) for field in DOCUMENT_FIELDS}
            entry.update(
                guid=str(document["guid"]),
                attributes=document["attributes"],
                original=originals.get(document["id"]),
                sections=found,
            )
            text = json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True)
            out.write(("," if index else "").encode() + b"\n" + text.encode())
        out.write(b"\n]")


def _write_extension(archive: zipfile.ZipFile, project, people: _People, node_guids, originals) -> None:
    options = CodingOptions.objects.filter(project=project).first()
    members = [
        {"user": people.guid(user_id), "username": username, "role": role}
        for user_id, username, role in Membership.objects.filter(project=project)
        .order_by("id")
        .values_list("user_id", "user__username", "role")
    ]
    _json(
        archive,
        "project.json",
        {
            "format": FORMAT,
            "version": VERSION,
            "members": members,
            "consensus": CONSENSUS_GUID if people.consensus_id else None,
            "blind": bool(options and options.blind),
            "adjudicators": sorted(people.guid(pk) for pk in options.adjudicators.values_list("pk", flat=True))
            if options
            else [],
            "custom_attributes": list(project.custom_attributes.values_list("name", flat=True)),
            "dictionary": [
                {"word": w, "frequency": f, "tag": t, "suggested": s}
                for w, f, t, s in project.dictionary_terms.values_list("word", "frequency", "tag", "suggested")
            ],
            "stopwords": list(project.stopwords.values_list("word", flat=True)),
        },
    )
    guids = dict(project.documents.values_list("id", "guid"))
    _write_documents(archive, project, originals)
    _json(
        archive,
        "assignments.json",
        [
            {
                "document": str(guids[document_id]),
                "coder": people.guid(coder_id),
                "assigned_by": people.guid(by_id),
                "assigned_at": qde.timestamp(assigned),
                "done_at": qde.timestamp(done),
            }
            for document_id, coder_id, by_id, assigned, done in Assignment.objects.filter(project=project)
            .order_by("document_id", "coder__username")
            .values_list("document_id", "coder_id", "assigned_by_id", "assigned_at", "done_at")
        ],
    )
    with archive.open("policycoder/audit.jsonl", "w", force_zip64=True) as out:
        events = (
            CodingEvent.objects.filter(project=project)
            .order_by("created_at", "id")
            .values_list(
                "document_id",
                "actor_id",
                "batch",
                "action",
                "coder_id",
                "node_id",
                "node_path",
                "start",
                "end",
                "memo",
                "before",
                "undone",
                "created_at",
            )
            .iterator(chunk_size=5000)
        )
        for document_id, actor, batch, action, coder, node, path, start, end, memo, before, undone, created in events:
            line = {
                "document": str(guids.get(document_id, "")),
                "actor": people.guid(actor),
                "batch": str(batch),
                "action": action,
                "coder": people.guid(coder),
                "node": node_guids.get(node),
                "node_path": path,
                "start": start,
                "end": end,
                "memo": memo,
                "before": {**before, "node_id": node_guids.get(before["node_id"])} if "node_id" in before else before,
                "undone": undone,
                "created_at": qde.timestamp(created),
            }
            out.write(json.dumps(line, ensure_ascii=False, sort_keys=True).encode() + b"\n")


def download(project, user):
    """The project as a .qdpx download, written to a temporary file and streamed from there."""
    return writers.written_file_response(
        lambda handle: write(handle, project, user), f"{project.name}.qdpx", writers.ZIP_TYPE
    )
