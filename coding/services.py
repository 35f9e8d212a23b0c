"""All writes to codings and memos; each action is logged in the audit trail as one undoable batch."""

import contextlib
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coding import spans
from coding.models import (
    Adjudication,
    AdjudicationDecision,
    Assignment,
    Coding,
    CodingEvent,
    CodingOptions,
    EventAction,
    Memo,
    MemoKind,
    MemoRevision,
)
from framework import tree
from framework.models import Node
from policies import rows
from policies.models import Document, Project, Role

MAX_MEMO_CHARS = 10_000


class ConcurrentWrite(ValidationError):
    """Another request wrote the same rows at the same moment, on the first try and on the retry; nothing was saved.

    A ValidationError, so pages show its message; the API answers it with 503.
    """


# PostgreSQL's SQLSTATEs for a transaction it rolled back to break a deadlock or a serialization conflict
RETRYABLE_SQLSTATES = {"40P01", "40001"}


def _retryable(error: OperationalError) -> bool:
    return getattr(error.__cause__, "pgcode", None) in RETRYABLE_SQLSTATES


def _retried(write, **kwargs):
    """Run `write(**kwargs)` in a transaction; a deadlock or serialization failure reruns the whole transaction once.

    Inside a caller's transaction only that caller can retry, so the write then simply joins it. A write of one
    statement (one_statement=True) is a transaction by itself and runs without a block around it.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            return write(**kwargs)
    block = contextlib.nullcontext if kwargs.get("one_statement") else transaction.atomic
    try:
        with block():
            return write(**kwargs)
    except OperationalError as error:
        if not _retryable(error):
            raise
    try:  # once more from the start: the transaction that won has finished by now
        with block():
            return write(**kwargs)
    except OperationalError as error:
        if not _retryable(error):
            raise
        raise ConcurrentWrite(
            _("Someone saved the same codings at the same time, so nothing was saved. Please try again in a moment.")
        ) from error


@dataclass
class CodingRequest:
    document: Document
    node: Node
    start: int
    end: int
    memo: str = ""
    origin: dict | None = None  # an accepted suggestion's id, model version and probability, for the audit trail
    # document.text[start:end] when the caller read only that from the database (the API does, rather than a
    # 60,000-character text for every save); None: it is taken from document.text
    passage: str | None = None
    path: str | None = None  # the node's path when the caller read it already (None: read with the others)


def _check_memo(memo: str) -> str:
    memo = (memo or "").strip()
    if len(memo) > MAX_MEMO_CHARS:
        raise ValidationError(
            _("A memo can hold at most %(limit)d characters; this one has %(length)d.")
            % {"limit": MAX_MEMO_CHARS, "length": len(memo)}
        )
    return memo


def _check_request(project: Project, item: CodingRequest) -> tuple[int, int, str]:
    """The passage's trimmed start and end, and its text; a ValidationError says what is wrong with it."""
    if item.document.project_id != project.pk:
        raise ValidationError(_("Document %(id)s is not in this project.") % {"id": item.document.pk})
    if item.node.project_id != project.pk:
        raise ValidationError(_("Node %(id)s is not in this project's codebook.") % {"id": item.node.pk})
    if not item.node.codable:
        raise ValidationError(
            _("“%(name)s” only organizes other nodes and is not coded: choose one of its children.")
            % {"name": item.node.name}
        )
    text, base = (item.document.text, 0) if item.passage is None else (item.passage, item.start)
    try:
        start, end = spans.trimmed(text, item.start - base, item.end - base)
    except spans.SpanError:
        if not (0 <= item.start < item.end <= item.document.char_count):
            raise ValidationError(
                _("The passage %(start)s–%(end)s lies outside the document, which has %(count)d characters.")
                % {"start": item.start, "end": item.end, "count": item.document.char_count}
            ) from None
        raise ValidationError(_("The selection holds only spaces or line breaks: select some text.")) from None
    return start + base, end + base, text[start:end]


def _event(
    coding: Coding,
    *,
    actor,
    batch: uuid.UUID,
    action: str,
    path: str,
    before: dict | None = None,
    undone=False,
    origin: dict | None = None,
):
    return CodingEvent(
        project_id=coding.document.project_id,
        document_id=coding.document_id,
        actor=actor,
        batch=batch,
        action=action,
        coding_id=coding.pk,
        coder_id=coding.coder_id,
        node_id=coding.node_id,
        node_path=path[:1000],
        start=coding.start,
        end=coding.end,
        memo=coding.memo,
        before=before or {},
        undone=undone,
        origin=origin or {},
    )


def _insert(
    coder, item: CodingRequest, start: int, end: int, text: str, memo: str, careful: bool
) -> tuple[Coding, bool]:
    lookup = {"document": item.document, "node": item.node, "coder": coder, "start": start, "end": end}
    if not careful:  # a new coding, the usual case: one INSERT; a repeat fails it, and codings_create reruns carefully
        return rows.insert(Coding(**lookup, text=text, memo=memo)), True
    existing = Coding.objects.filter(**lookup).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return Coding.objects.create(**lookup, text=text, memo=memo), True
    except IntegrityError:  # the same coding saved a moment ago by a retry or a second tab
        return Coding.objects.get(**lookup), False


def codings_create(*, coder, project: Project, items: list[CodingRequest], actor=None) -> list[tuple[Coding, bool]]:
    """Code each passage at its node as `coder`, all or none; an identical existing coding is returned, not doubled.

    `actor` is who did it when that is not the coder (an adjudicator writing the consensus layer). Results come in
    the order of `items`.

    In a transaction of its own the first try only INSERTs (no look-up, no savepoint: three fewer round trips to the
    database for every save under load); when a coding exists already (a repeat, a racing second tab) the unique
    constraint fails that transaction, and it is rerun carefully: look first, insert under a savepoint. Inside a
    caller's transaction a failed INSERT would abort the caller's work, so there it is careful from the start. One
    coding on PostgreSQL, the usual save, needs no transaction at all: the coding and its event go in one statement.
    """
    write = {"coder": coder, "project": project, "items": items, "actor": actor}
    if connection.in_atomic_block:
        return _retried(_codings_create, **write, careful=True)
    try:
        if len(items) == 1 and rows.links_in_one_statement(connection.alias):
            # the coding and its event in one statement, atomic by itself: no transaction, so no BEGIN or COMMIT
            return _retried(_codings_create, **write, careful=False, one_statement=True)
        return _retried(_codings_create, **write, careful=False)
    except IntegrityError:
        return _retried(_codings_create, **write, careful=True)


def _codings_create(
    *,
    coder,
    project: Project,
    items: list[CodingRequest],
    actor=None,
    careful: bool = True,
    one_statement: bool = False,
) -> list[tuple[Coding, bool]]:
    checked = [
        (index, item, *_check_request(project, item), _check_memo(item.memo)) for index, item in enumerate(items)
    ]
    # One canonical order for the rows, so two requests writing the same codings wait on each other instead of
    # each holding a row the other needs (a deadlock).
    checked.sort(key=lambda row: (row[1].document.pk, row[1].node.pk, row[2], row[3], row[0]))
    batch = uuid.uuid4()
    paths = {item.node.pk: item.path for item in items if item.path is not None}
    unknown = [item.node.pk for item in items if item.node.pk not in paths]
    if unknown:
        paths |= tree.paths_of(project, unknown)
    results: list[tuple[Coding, bool] | None] = [None] * len(items)
    events = []
    if one_statement:  # one new coding (codings_create): it and its event in one INSERT statement (policies.rows)
        [(_index, item, start, end, text, memo)] = checked
        coding = Coding(document=item.document, node=item.node, coder=coder, start=start, end=end, text=text, memo=memo)
        event = _event(
            coding,
            actor=actor or coder,
            batch=batch,
            action=EventAction.CREATED,
            path=paths[item.node.pk],
            origin=item.origin,
        )
        rows.insert_linked(coding, event, "coding_id")
        return [(coding, True)]
    for index, item, start, end, text, memo in checked:
        coding, created = _insert(coder, item, start, end, text, memo, careful)
        results[index] = (coding, created)
        if created:
            events.append(
                _event(
                    coding,
                    actor=actor or coder,
                    batch=batch,
                    action=EventAction.CREATED,
                    path=paths[coding.node_id],
                    origin=item.origin,
                )
            )
    if len(events) == 1:  # one coding saved, the common case under load: the INSERT built once (policies.rows)
        rows.insert(events[0])
    else:
        CodingEvent.objects.bulk_create(events)
    return results


def coding_create(
    *, coder, document: Document, node: Node, start: int, end: int, memo: str = ""
) -> tuple[Coding, bool]:
    """Code one passage; returns the coding and whether it is new."""
    item = CodingRequest(document, node, start, end, memo)
    return codings_create(coder=coder, project=document.project, items=[item])[0]


def _check_actor(coding: Coding, actor, role: str) -> None:
    """The coder, an owner, or for the consensus layer (共识) a designated adjudicator may change a coding."""
    if coding.coder_id == actor.pk or role == Role.OWNER:
        return
    project = coding.document.project
    if coding.coder_id == options_for(project).consensus_coder_id and may_adjudicate(project, actor, role):
        return
    raise PermissionDenied(_("Only the coder who made this coding, or a project owner, can change it."))


@transaction.atomic
def coding_update(*, coding: Coding, actor, role: str, node: Node | None = None, memo: str | None = None) -> Coding:
    """Move a coding to another node and/or edit its memo."""
    _check_actor(coding, actor, role)
    coding = Coding.objects.select_for_update().select_related("document").get(pk=coding.pk)
    before = {"node_id": coding.node_id, "memo": coding.memo}
    if node is not None:
        if node.project_id != coding.document.project_id:
            raise ValidationError(_("Node %(id)s is not in this project's codebook.") % {"id": node.pk})
        clash = Coding.objects.filter(
            document_id=coding.document_id, node=node, coder_id=coding.coder_id, start=coding.start, end=coding.end
        ).exclude(pk=coding.pk)
        if clash.exists():
            raise ValidationError(
                _("This passage is already coded at “%(name)s” by the same coder.") % {"name": node.name}
            )
        coding.node = node
    if memo is not None:
        coding.memo = _check_memo(memo)
    coding.save()
    path = tree.paths_of(coding.document.project, [coding.node_id])[coding.node_id]
    _event(coding, actor=actor, batch=uuid.uuid4(), action=EventAction.UPDATED, path=path, before=before).save()
    return coding


@transaction.atomic
def coding_delete(*, coding: Coding, actor, role: str) -> None:
    """Remove a coding; the audit trail keeps a record of it."""
    _check_actor(coding, actor, role)
    path = tree.paths_of(coding.document.project, [coding.node_id])[coding.node_id]
    _event(coding, actor=actor, batch=uuid.uuid4(), action=EventAction.DELETED, path=path).save()
    coding.delete()


@transaction.atomic
def codings_undo(*, project: Project, actor) -> dict:
    """Reverse the actor's latest action in the project that is not undone yet; report what happened."""
    latest = CodingEvent.objects.select_for_update().filter(project=project, actor=actor, undone=False).first()
    if latest is None:
        raise ValidationError(_("There is nothing to undo."))
    events = list(
        CodingEvent.objects.filter(batch=latest.batch, undone=False).select_related("document").order_by("-id")
    )
    touched = {e.node_id for e in events} | {e.before["node_id"] for e in events if e.before.get("node_id")}
    paths = tree.paths_of(project, touched)
    reversal = uuid.uuid4()
    log, documents, reverted = [], set(), 0
    for event in events:
        coding = _revert(event)
        if coding is not None:
            reverted += 1
            documents.add(event.document_id)
            action = {EventAction.CREATED: EventAction.DELETED, EventAction.DELETED: EventAction.CREATED}.get(
                event.action, EventAction.UPDATED
            )
            log.append(
                _event(
                    coding,
                    actor=actor,
                    batch=reversal,
                    action=action,
                    path=paths.get(coding.node_id, ""),
                    before={"undo_of": str(event.batch)},
                    undone=True,
                )
            )
    CodingEvent.objects.filter(batch=latest.batch).update(undone=True)
    CodingEvent.objects.bulk_create(log)
    return {"action": latest.action, "reverted": reverted, "documents": sorted(documents)}


def _revert(event: CodingEvent) -> Coding | None:
    if event.action == EventAction.CREATED:
        coding = Coding.objects.filter(pk=event.coding_id).select_related("document").first()
        if coding:
            snapshot = Coding(
                pk=coding.pk,
                document=coding.document,
                node_id=coding.node_id,
                coder_id=coding.coder_id,
                start=coding.start,
                end=coding.end,
                memo=coding.memo,
            )
            coding.delete()
            return snapshot
        return None
    if event.action == EventAction.DELETED:
        if not Node.objects.filter(pk=event.node_id).exists():
            return None
        lookup = {
            "document_id": event.document_id,
            "node_id": event.node_id,
            "coder_id": event.coder_id,
            "start": event.start,
            "end": event.end,
        }
        if Coding.objects.filter(**lookup).exists() or Coding.objects.filter(pk=event.coding_id).exists():
            return None
        # The same id again, so later events that name this coding (a move, a memo edit) still find it.
        return Coding.objects.create(
            pk=event.coding_id, **lookup, text=event.document.text[event.start : event.end], memo=event.memo
        )
    coding = Coding.objects.filter(pk=event.coding_id).first()
    if coding is None or not Node.objects.filter(pk=event.before.get("node_id")).exists():
        return None
    coding.node_id, coding.memo = event.before["node_id"], event.before.get("memo", "")
    try:
        with transaction.atomic():
            coding.save()
    except IntegrityError:
        return None
    return coding


# --- memos ---------------------------------------------------------------------------------------


# Journal entries belong to their author; document and node memos are shared by the team (one each).
AUTHOR_ONLY_MEMOS = (MemoKind.JOURNAL,)


def may_edit_memo(memo: Memo, user, role: str) -> bool:
    """A journal entry: its author or an owner; a shared document or node memo: anyone who codes."""
    return memo.kind not in AUTHOR_ONLY_MEMOS or memo.author_id == user.pk or role == Role.OWNER


def _revise(memo: Memo, *, editor, body: str, title: str | None) -> Memo:
    """Change a memo's text, keeping what it said before as a revision (nothing is recorded when nothing changed)."""
    previous = (memo.title, memo.body)
    memo.body = body
    if title is not None:
        memo.title = title.strip()[:200]
    if (memo.title, memo.body) == previous:
        return memo
    memo.full_clean(exclude=["author"])
    memo.save()
    MemoRevision.objects.create(memo=memo, editor=editor, previous_title=previous[0], previous_body=previous[1])
    return memo


def _checked_body(body: str) -> str:
    body = _check_memo(body)
    if not body:
        raise ValidationError(_("A memo needs some text."))
    return body


@transaction.atomic
def memo_save(
    *,
    project: Project,
    author,
    kind: str,
    body: str,
    title: str = "",
    document: Document | None = None,
    node: Node | None = None,
) -> Memo:
    """Write a journal entry, or the shared memo of a document or a node (created, or edited with a revision)."""
    body = _checked_body(body)
    if (document and document.project_id != project.pk) or (node and node.project_id != project.pk):
        raise ValidationError(_("That document or node is not in this project."))
    if kind in (MemoKind.DOCUMENT, MemoKind.NODE):
        target = {"document": document} if kind == MemoKind.DOCUMENT else {"node": node}
        shared = Memo.objects.select_for_update().filter(project=project, kind=kind, **target).first()
        if shared is not None:
            return _revise(shared, editor=author, body=body, title=title)
    memo = Memo(project=project, kind=kind, document=document, node=node, author=author)
    memo.title, memo.body = title.strip()[:200], body
    memo.full_clean(exclude=["author"])
    memo.save()
    return memo


@transaction.atomic
def memo_update(*, memo: Memo, actor, role: str, body: str, title: str | None = None) -> Memo:
    """Edit a memo (a journal entry: its author or an owner); the previous text is kept in its history."""
    if not may_edit_memo(memo, actor, role):
        raise PermissionDenied(_("Only the author of this journal entry, or a project owner, can change it."))
    body = _checked_body(body)
    memo = Memo.objects.select_for_update().get(pk=memo.pk)
    return _revise(memo, editor=actor, body=body, title=title)


@transaction.atomic
def memo_delete(*, memo: Memo, actor, role: str) -> None:
    """Delete a memo: its author or an owner."""
    if memo.author_id != actor.pk and role != Role.OWNER:
        raise PermissionDenied(_("Only the memo's author or a project owner can delete it."))
    memo.delete()


def codebook_change_log(*, actor, project: Project, codings, action: str, path: str, before: dict) -> int:
    """Record in the audit trail each of `codings` (a queryset) that a codebook merge or delete is about to change.

    One INSERT … SELECT, so merging a node with 10,000 codings stays fast. These events are not undone by
    coding undo (the node operation is what changed them), so they are written as already undone.
    """
    event, coding = CodingEvent._meta, Coding._meta
    prep = {f: event.get_field(f) for f in ("batch", "before", "created_at")}
    quote = connection.ops.quote_name
    columns = [
        "project_id",
        "document_id",
        "actor_id",
        "batch",
        "action",
        "coding_id",
        "coder_id",
        "node_id",
        "node_path",
        "start",
        "end",
        "memo",
        "before",
        "undone",
        "created_at",
    ]
    chosen, chosen_params = codings.order_by().values("id").query.sql_with_params()
    sql = (
        f"INSERT INTO {quote(event.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT %s, c.document_id, %s, %s, %s, c.id, c.coder_id, c.node_id, %s, c.start, c.{quote('end')}, c.memo, "
        f"%s, %s, %s FROM {quote(coding.db_table)} c WHERE c.id IN ({chosen})"
    )
    params = [
        project.pk,
        actor.pk,
        prep["batch"].get_db_prep_value(uuid.uuid4(), connection),
        action,
        path[:1000],
        prep["before"].get_db_prep_value(before, connection),
        True,
        prep["created_at"].get_db_prep_value(timezone.now(), connection),
        *chosen_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# --- team coding: assignments, options, the consensus layer ---------------------------------------


@transaction.atomic
def assignments_add(*, project: Project, documents: list[Document], coders: list, actor) -> int:
    """Assign each document to each coder (existing assignments stay as they are); returns how many were new."""
    members = set(project.memberships.filter(role__in=[Role.CODER, Role.OWNER]).values_list("user_id", flat=True))
    for coder in coders:
        if coder.pk not in members:
            raise ValidationError(_("Only coders and owners of this project can be assigned documents."))
    existing = set(
        Assignment.objects.filter(document__in=documents, coder__in=coders).values_list("document_id", "coder_id")
    )
    new = [
        Assignment(project=project, document=d, coder=c, assigned_by=actor)
        for d in documents
        for c in coders
        if (d.pk, c.pk) not in existing and d.project_id == project.pk
    ]
    Assignment.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def assignment_remove(*, project: Project, document: Document, coder) -> None:
    """Take a document back from a coder (their codings stay)."""
    project.assignments.filter(document=document, coder=coder).delete()


@transaction.atomic
def assignment_mark(*, document: Document, coder, done: bool) -> Assignment:
    """The coder marks an assigned document done (or not done again)."""
    assignment = Assignment.objects.select_for_update().filter(document=document, coder=coder).first()
    if assignment is None:
        raise ValidationError(_("This document is not assigned to you."))
    assignment.done_at = timezone.now() if done else None
    assignment.save(update_fields=["done_at"])
    return assignment


def options_for(project: Project) -> CodingOptions:
    """The project's team-coding options, a read: the defaults, unsaved, until an owner first changes them."""
    return CodingOptions.objects.filter(project=project).first() or CodingOptions(project=project)


def adjudicator_ids(project: Project) -> list[int]:
    """The users an owner named as adjudicators (a read: no options row is created)."""
    found = CodingOptions.adjudicators.through.objects.filter(codingoptions__project=project)
    return sorted(found.values_list("user_id", flat=True))


def _options_locked(project: Project) -> CodingOptions:
    """The project's options row, created with the defaults on the first write, locked for this transaction."""
    CodingOptions.objects.get_or_create(project=project)
    return CodingOptions.objects.select_for_update().get(project=project)


@transaction.atomic
def options_update(*, project: Project, blind: bool | None = None, adjudicators: list | None = None) -> CodingOptions:
    """Turn blind coding on or off (off reveals everyone's codings) and name the adjudicators."""
    options = _options_locked(project)
    if blind is not None:
        options.blind = blind
        options.save(update_fields=["blind"])
    if adjudicators is not None:
        options.adjudicators.set(adjudicators)
    return options


CONSENSUS_PREFIX = "consensus-"


@transaction.atomic
def consensus_coder(project: Project):
    """The user that owns the project's consensus layer (共识); it cannot log in."""
    options = _options_locked(project)
    if options.consensus_coder_id is None:
        user_model = get_user_model()
        user = user_model(username=f"{CONSENSUS_PREFIX}{project.pk}", first_name="共识", is_active=False)
        user.set_unusable_password()
        user.save()
        options.consensus_coder = user
        options.save(update_fields=["consensus_coder"])
    return options.consensus_coder


def may_adjudicate(project: Project, user, role: str) -> bool:
    """An owner, or a member named an adjudicator (one query; a project without options has no adjudicators)."""
    if role == Role.OWNER:
        return True
    return CodingOptions.adjudicators.through.objects.filter(codingoptions__project=project, user_id=user.pk).exists()


def adjudicate(*, project: Project, actor, role: str, items: list[CodingRequest]) -> list[tuple[Coding, bool]]:
    """Accept passages into the consensus layer, as the adjudicator `actor`; undoable like any coding."""
    return _retried(_adjudicate, project=project, actor=actor, role=role, items=items)


def _adjudicate(*, project: Project, actor, role: str, items: list[CodingRequest]) -> list[tuple[Coding, bool]]:
    if not may_adjudicate(project, actor, role):
        raise PermissionDenied(_("Only an owner or a designated adjudicator can write the consensus layer."))
    return codings_create(coder=consensus_coder(project), project=project, items=items, actor=actor)


@transaction.atomic
def adjudication_record(*, project: Project, actor, role: str, document: Document, case: str) -> Adjudication:
    """Resolve a disagreement case with neither coder's coding: recorded, no coding written."""
    if not may_adjudicate(project, actor, role):
        raise PermissionDenied(_("Only an owner or a designated adjudicator can write the consensus layer."))
    found, _created = Adjudication.objects.get_or_create(
        project=project,
        document=document,
        case=case,
        defaults={"decision": AdjudicationDecision.NEITHER, "decided_by": actor},
    )
    return found


@transaction.atomic
def adjudication_delete(*, project: Project, actor, role: str, document: Document, case: str) -> int:
    """Reopen a case resolved as neither; returns how many decisions were removed (0 or 1)."""
    if not may_adjudicate(project, actor, role):
        raise PermissionDenied(_("Only an owner or a designated adjudicator can write the consensus layer."))
    removed, _by_model = Adjudication.objects.filter(project=project, document=document, case=case).delete()
    return removed
