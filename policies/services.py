"""All writes to projects, members and documents."""

import datetime
import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from policies import control_chars, extraction, guess, hooks, inflation, structure, workers
from policies.models import (
    CustomAttribute,
    DictionaryTerm,
    Document,
    DocumentTokens,
    IssuerType,
    Membership,
    PolicyType,
    Project,
    Role,
    Section,
    Segmentation,
    SegmentationStatus,
    Stopword,
    TaskWorker,
    WordGroup,
    WordGroupKind,
)
from policies.provinces import UnknownProvince, normalize_province
from policies.text import segment


class DocumentRefused(Exception):
    """An upload that cannot become a document; `status` is the HTTP status the API answers with."""

    def __init__(self, message: str, status: int = 400, existing: Document | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.existing = existing


@dataclass
class ImportOutcome:
    name: str
    document: Document | None = None
    error: str | None = None
    status: int = 201


# --- projects and members ------------------------------------------------------------------------


@transaction.atomic
def project_create(*, user, name: str, description: str = "", templates: list[str] | tuple = ()) -> Project:
    """Create a project with its creator as owner, its codebook started from the chosen built-in templates (the
    framework app applies them, through the codebook_template_apply hook)."""
    name = name.strip()
    if not name:
        raise ValidationError(_("A project needs a name."))
    project = Project.objects.create(name=name[:200], description=description, created_by=user)
    Membership.objects.create(project=project, user=user, role=Role.OWNER)
    for template in templates:
        hooks.call("codebook_template_apply", project=project, template=template)
    return project


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError(_("Unknown role “%(role)s”: use owner, coder or viewer.") % {"role": role})
    return role


@transaction.atomic
def member_add(*, project: Project, username: str, role: str) -> Membership:
    """Add an existing user to the project with a role."""
    _check_role(role)
    try:
        user = get_user_model().objects.get(username=username.strip(), is_active=True)
    except get_user_model().DoesNotExist:  # an inactive account (a consensus layer's too) is no one to add
        raise ValidationError(_("There is no user named “%(name)s”.") % {"name": username}) from None
    if project.memberships.filter(user=user).exists():
        raise ValidationError(_("%(name)s is already a member of this project.") % {"name": user.username})
    return Membership.objects.create(project=project, user=user, role=role)


def _ensure_another_owner(membership: Membership) -> None:
    others = membership.project.memberships.select_for_update().filter(role=Role.OWNER).exclude(pk=membership.pk)
    if membership.role == Role.OWNER and not others.exists():
        raise ValidationError(_("A project needs at least one owner: make someone else owner first."))


@transaction.atomic
def member_set_role(*, membership: Membership, role: str) -> Membership:
    """Change a member's role, keeping at least one owner."""
    _check_role(role)
    if role != Role.OWNER:
        _ensure_another_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    """Remove a member, keeping at least one owner."""
    _ensure_another_owner(membership)
    membership.delete()


# --- attributes ----------------------------------------------------------------------------------

ISSUER_TYPE_ALIASES = {
    "人大常委会": IssuerType.CONGRESS,
    "人大": IssuerType.CONGRESS,
    "人民代表大会": IssuerType.CONGRESS,
    "人民代表大会常务委员会": IssuerType.CONGRESS,
    "部门": IssuerType.DEPARTMENT,
    "政府": IssuerType.GOVERNMENT,
}
ATTRIBUTE_FIELDS = ("title", "province", "issuer", "issuer_type", "issue_date", "doc_number", "policy_type")
TEXT_LIMITS = {"title": 500, "issuer": 200, "doc_number": 100}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def parse_date(value) -> datetime.date | None:
    """A date from YYYY-MM-DD (or 2021/11/25, 2021年11月25日); '' gives None; anything else is refused."""
    if value is None or isinstance(value, datetime.date):
        return value
    value = str(value).strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2021-11-25.") % {"value": value})


def _choice(value, choices: type, aliases: dict | None = None, label: str = "") -> str:
    value = str(value or "").strip()
    if not value:
        return ""
    value = (aliases or {}).get(value, value)
    if value not in choices.values:
        raise ValidationError(
            _("“%(value)s” is not a valid %(label)s. Use one of: %(choices)s.")
            % {"value": value, "label": label, "choices": "、".join(choices.values)}
        )
    return value


def _refuse_control(name: str, value: str, check=control_chars.in_text) -> None:
    if bad := check(value):
        raise ValidationError(
            _("“%(name)s” contains a control character (%(char)s), which is not allowed. Nothing was changed.")
            % {"name": control_chars.shown(name), "char": control_chars.code_point(bad)}
        )


def clean_attributes(data: dict) -> dict:
    """Validate and normalize document attributes given as strings; only the keys present are returned.
    Values may hold line breaks; a custom attribute's name may not."""
    cleaned: dict = {}
    for field in ATTRIBUTE_FIELDS:
        if field not in data or data[field] is None:
            continue
        value = data[field]
        _refuse_control(field, str(value))
        if field == "province":
            try:
                cleaned[field] = normalize_province(str(value))
            except UnknownProvince as error:
                raise ValidationError(str(error)) from None
        elif field == "issuer_type":
            cleaned[field] = _choice(value, IssuerType, ISSUER_TYPE_ALIASES, _("issuer type"))
        elif field == "policy_type":
            cleaned[field] = _choice(value, PolicyType, None, _("policy type"))
        elif field == "issue_date":
            cleaned[field] = parse_date(value)
        else:
            text = str(value).strip()
            if len(text) > TEXT_LIMITS[field]:
                raise ValidationError(
                    _("%(field)s is too long (%(length)d characters; at most %(limit)d).")
                    % {"field": field, "length": len(text), "limit": TEXT_LIMITS[field]}
                )
            if field == "title" and not text:
                raise ValidationError(_("A document needs a title."))
            cleaned[field] = text
    custom = data.get("attributes")
    if custom is not None:
        if not isinstance(custom, dict):
            raise ValidationError(_("Custom attributes must be an object of name → value."))
        clean_custom = {}
        for name, value in custom.items():
            name = str(name).strip()
            if not name or len(name) > 100:
                raise ValidationError(_("A custom attribute needs a name of 1 to 100 characters."))
            _refuse_control(name, name, control_chars.in_name)
            _refuse_control(name, "" if value is None else str(value))
            clean_custom[name] = "" if value is None else str(value).strip()[:500]
        cleaned["attributes"] = clean_custom
    return cleaned


def define_custom_attributes(project: Project, names) -> None:
    """Make sure the project defines each custom attribute name, in the order given."""
    existing = set(project.custom_attributes.values_list("name", flat=True))
    order = len(existing)
    for name in names:
        if name and name not in existing:
            CustomAttribute.objects.get_or_create(project=project, name=name, defaults={"order": order})
            existing.add(name)
            order += 1


@transaction.atomic
def document_update(*, document: Document, data: dict) -> Document:
    """Change a document's attributes (never its text)."""
    cleaned = clean_attributes(data)
    custom = cleaned.pop("attributes", None)
    for field, value in cleaned.items():
        setattr(document, field, value)
    if custom is not None:
        define_custom_attributes(document.project, custom)
        document.attributes = {**document.attributes, **custom}
    document.save()
    return document


# --- import --------------------------------------------------------------------------------------


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def size_message(name: str) -> str:
    return _("“%(name)s” is larger than the upload limit of %(limit)d MB.") % {
        "name": name,
        "limit": settings.MAX_UPLOAD_MB,
    }


def _check_size(data: bytes, name: str = "") -> None:
    if not data:
        raise DocumentRefused(_("This file is empty."), 400)
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise DocumentRefused(size_message(name), 413)


def _file_budget(archive: inflation.Budget | None = None) -> inflation.Budget:
    """What one file may unpack to (MAX_INFLATED_MB), drawing also on its archive's budget when it came in a zip."""
    return inflation.Budget(settings.MAX_INFLATED_MB * 1024 * 1024, shared=archive)


def _extract(name: str, data: bytes, budget: inflation.Budget | None = None) -> tuple[str, str]:
    _check_size(data, name)
    try:
        text = extraction.extract_text(name, data, budget=budget or _file_budget())
    except extraction.UnsupportedFormat as error:
        raise DocumentRefused(str(error), 415) from None
    except extraction.TooLarge as error:
        raise DocumentRefused(str(error), 413) from None
    except extraction.ExtractionError as error:
        raise DocumentRefused(str(error), 400) from None
    if not text.strip():
        raise DocumentRefused(_("No text could be found in this file."), 400)
    return text, PurePosixPath(name).suffix.lower().lstrip(".")


def _duplicate_of(project: Project, digest: str, exclude: int | None = None) -> Document | None:
    return project.documents.exclude(pk=exclude).filter(text_hash=digest).only("id", "title").first()


def _refuse_duplicate(existing: Document) -> DocumentRefused:
    return DocumentRefused(
        _("This text is already in the project as “%(title)s” (document %(id)d); it was not added again.")
        % {"title": existing.title, "id": existing.pk},
        409,
        existing,
    )


SECTION_BATCH = 150  # rows per INSERT: 900 parameters stays under SQLite's limit


def _store_sections(document: Document, found: list | None = None) -> None:
    """The document's sections: `found` as (kind, label, level, start, end), or detected in its text."""
    # Multi-row INSERTs: bulk_create's per-object preparation was a third of the import time,
    # and psycopg2's executemany costs a round trip per row.
    if found is None:
        found = [(s.kind, s.label, s.level, s.start, s.end) for s in structure.detect_sections(document.text)]
    rows = [(document.pk, *section) for section in found]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ("document_id", "kind", "label", "level", "start", "end"))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), SECTION_BATCH):
            batch = rows[i : i + SECTION_BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {quote(Section._meta.db_table)} ({columns}) VALUES {values}",
                [value for row in batch for value in row],
            )


def _original_file(name: str, data: bytes) -> ContentFile:
    suffix = re.sub(r"[^a-z0-9.]", "", PurePosixPath(name).suffix.lower())[:10]
    return ContentFile(data, name=f"{uuid.uuid4().hex}{suffix}")


def _import_one(
    *, project: Project, user, name: str, data: bytes, overrides: dict, budget: inflation.Budget | None = None
) -> Document:
    text, file_format = _extract(name, data, budget)
    digest = text_hash(text)
    existing = _duplicate_of(project, digest)
    if existing:
        raise _refuse_duplicate(existing)
    guessed = guess.guess_attributes(PurePosixPath(name).name, text)
    fields = {field: guessed.get(field) or "" for field in ATTRIBUTE_FIELDS if field != "issue_date"}
    fields["issue_date"] = guessed.get("issue_date")
    fields.update({k: v for k, v in overrides.items() if k != "attributes"})
    fields["title"] = (fields["title"] or PurePosixPath(name).stem or name)[:500]
    document = Document(
        project=project,
        original_name=PurePosixPath(name).name[:255],
        file_format=file_format,
        text=text,
        char_count=len(text),
        text_hash=digest,
        attributes=overrides.get("attributes", {}),
        uploaded_by=user,
        **fields,
    )
    document.original = _original_file(name, data)
    try:
        with transaction.atomic():
            document.save()
            _store_sections(document)
    except IntegrityError:
        existing = _duplicate_of(project, digest)
        if existing:
            raise _refuse_duplicate(existing) from None
        raise
    return document


def document_restore(
    *,
    project: Project,
    user,
    text: str,
    fields: dict,
    original: tuple[str, bytes] | None = None,
    guid: uuid.UUID | None = None,
    sections: list | None = None,
) -> Document:
    """A document from text already normalized (a project being restored or imported), with cleaned attribute
    `fields`; sections as given (checked against the text) or detected. Refuses a text the project holds."""
    digest = text_hash(text)
    existing = _duplicate_of(project, digest)
    if existing:
        raise _refuse_duplicate(existing)
    name, data = original or (f"{fields.get('title') or 'document'}.txt", text.encode())
    document = Document(
        project=project,
        original_name=PurePosixPath(fields.pop("original_name", "") or name).name[:255],
        file_format=re.sub(r"[^a-z0-9]", "", str(fields.pop("file_format", "") or PurePosixPath(name).suffix))[:10],
        text=text,
        char_count=len(text),
        text_hash=digest,
        uploaded_by=user,
        **fields,
    )
    if guid is not None:
        document.guid = guid
    document.original = _original_file(name, data)
    document.save()
    _store_sections(document, sections)
    return document


def document_import(*, project: Project, user, filename: str, data: bytes, attributes: dict | None = None):
    """Import one uploaded file (a .zip imports each file inside); one outcome per file, each imported or refused."""
    overrides = clean_attributes(attributes or {})
    if "attributes" in overrides:
        define_custom_attributes(project, overrides["attributes"])
    if not filename.lower().endswith(".zip"):
        try:
            document = _import_one(project=project, user=user, name=filename, data=data, overrides=overrides)
        except DocumentRefused as refused:
            return [ImportOutcome(filename, error=refused.message, status=refused.status)]
        segmentation_schedule(project=project, documents=[document])
        return [ImportOutcome(filename, document)]
    try:
        _check_size(data, filename)
        members = extraction.iter_zip(
            data,
            max_entries=settings.MAX_ZIP_ENTRIES,
            max_unpacked_bytes=settings.MAX_ZIP_UNPACKED_MB * 1024 * 1024,
        )
    except DocumentRefused as refused:
        return [ImportOutcome(filename, error=refused.message, status=refused.status)]
    except extraction.ExtractionError as error:
        status = 413 if isinstance(error, extraction.TooLarge) else 400
        return [ImportOutcome(filename, error=str(error), status=status)]
    # The archive's budget counts its members' bytes and, on top, what each .docx or .pdf among them unpacks to.
    archive = inflation.Budget(settings.MAX_ZIP_UNPACKED_MB * 1024 * 1024)
    archive.take(sum(len(member.data) for member in members if member.data))
    outcomes = []
    for member in members:
        if member.error:
            outcomes.append(ImportOutcome(member.name, error=member.error, status=400))
            continue
        try:
            document = _import_one(
                project=project,
                user=user,
                name=member.name,
                data=member.data,
                overrides=overrides,
                budget=_file_budget(archive),
            )
            outcomes.append(ImportOutcome(member.name, document))
        except DocumentRefused as refused:
            outcomes.append(ImportOutcome(member.name, error=refused.message, status=refused.status))
    if not outcomes:
        outcomes.append(ImportOutcome(filename, error=_("This archive contains no files."), status=400))
    segmentation_schedule(project=project, documents=[o.document for o in outcomes])
    return outcomes


@transaction.atomic
def document_replace_file(*, document: Document, filename: str, data: bytes) -> Document:
    """Re-import a document's file: refused once the text carries codings, since offsets point into it."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    coded = document.codings.count()
    if coded:
        raise DocumentRefused(
            _(
                "This document already has %(count)d codings, so its text can no longer change "
                "(codings point into it). Import the new version as a separate document."
            )
            % {"count": coded},
            409,
        )
    if filename.lower().endswith(".zip"):
        raise DocumentRefused(_("Replace a document with a single file, not a .zip archive."), 400)
    text, file_format = _extract(filename, data)
    digest = text_hash(text)
    existing = _duplicate_of(document.project, digest, exclude=document.pk)
    if existing:
        raise _refuse_duplicate(existing)
    old_file = document.original.name
    document.text, document.char_count, document.text_hash = text, len(text), digest
    document.file_format = file_format
    document.original_name = PurePosixPath(filename).name[:255]
    document.original = _original_file(filename, data)
    document.save()
    document.sections.all().delete()
    _store_sections(document)
    segmentation_schedule(project=document.project, documents=[document])
    # robust: a file store that cannot be reached leaves the old file behind (logged), not the replacement half done
    transaction.on_commit(lambda: document.original.storage.delete(old_file), robust=True)
    return document


@transaction.atomic
def document_delete(*, document: Document) -> None:
    """Delete a document, its codings and its stored original."""
    name, storage = document.original.name, document.original.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(name), robust=True)  # the file store down: the file stays, logged


@transaction.atomic
def project_update(*, project: Project, name: str, description: str = "") -> Project:
    """Rename or re-describe a project."""
    name = name.strip()
    if not name:
        raise ValidationError(_("A project needs a name."))
    project.name, project.description = name[:200], description
    project.save(update_fields=["name", "description"])
    return project


@transaction.atomic
def custom_attribute_remove(*, project: Project, name: str) -> None:
    """Stop defining a custom attribute; values already stored on documents are dropped with it."""
    deleted, _count = project.custom_attributes.filter(name=name).delete()
    if not deleted:
        raise ValidationError(_("There is no custom attribute named “%(name)s”.") % {"name": name})
    for document in project.documents.defer("text").filter(attributes__has_key=name):
        document.attributes.pop(name, None)
        document.save(update_fields=["attributes"])


# --- text analytics: the segmentation cache, the project dictionary and stopwords -----------------

SEGMENT_BATCH = 50  # documents per transaction while (re-)segmenting: progress moves, memory stays flat


def _segmentation(project_id: int) -> Segmentation:
    return Segmentation.objects.get_or_create(project_id=project_id)[0]


def tokens_store(*, documents, terms: tuple, version: int) -> None:
    """Segment each document with the dictionary `terms` and store (or replace) its cached tokens."""
    segmenter = segment.segmenter_for(terms)
    rows = [
        DocumentTokens(document_id=d.pk, version=version, **segment.encode(segment.segment_text(d.text, segmenter)))
        for d in documents
    ]
    DocumentTokens.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["document"],
        update_fields=["version", "words", "tags", "counts", "sequence", "wide"],
    )


def segmentation_schedule(*, project: Project, documents) -> None:
    """Segment newly imported documents: in the request when small, on the task queue when large."""
    documents = [d for d in documents if d is not None]
    if not documents:
        return
    state = _segmentation(project.pk)
    if sum(d.char_count for d in documents) <= settings.SEGMENT_INLINE_CHARS:
        tokens_store(documents=documents, terms=segment.project_terms(project), version=state.version)
    else:
        _enqueue_segmentation(state)


# The segmentation task by its dotted path, which django-tasks also stores in every queued row (so it never moves):
# policies.tasks imports this module to run the work, and this module enqueues by name rather than import it back.
SEGMENT_TASK = "policies.tasks.segment_project"


def _segment_task():
    return import_string(SEGMENT_TASK)


def _enqueue_segmentation(state: Segmentation) -> None:
    Segmentation.objects.filter(pk=state.pk).update(status=SegmentationStatus.QUEUED, done=0, total=0, error="")
    _segment_task().enqueue(state.pk, state.version)


def segmentation_restart(*, project: Project) -> Segmentation:
    """A new dictionary version: every document is re-segmented in the background (old tokens serve meanwhile)."""
    with transaction.atomic():
        state = Segmentation.objects.select_for_update().get_or_create(project_id=project.pk)[0]
        state.version += 1
        state.save(update_fields=["version"])
    _enqueue_segmentation(state)
    return state


def segmentation_run(*, project_id: int, version: int, worker: str = "") -> int:
    """Segment every document of the project not yet segmented with dictionary `version`; returns how many.

    Records `worker` and a heartbeat after every batch, so work a dead worker leaves behind is seen as stale and
    restarted (work_recover); a restart picks up where the batches stopped. Stops early when a newer version has
    been requested (its own task takes over)."""
    state = Segmentation.objects.filter(pk=project_id).first()
    if state is None or state.version != version:
        return 0
    project = state.project
    pending = Document.objects.filter(project_id=project_id).filter(
        Q(tokens__isnull=True) | ~Q(tokens__version=version)
    )
    total = pending.count()
    Segmentation.objects.filter(pk=project_id, version=version).update(
        status=SegmentationStatus.RUNNING, done=0, total=total, error="", worker=worker, heartbeat_at=timezone.now()
    )
    terms, done, last = segment.project_terms(project), 0, 0
    try:
        while True:
            batch = list(pending.filter(pk__gt=last).order_by("pk").only("id", "text")[:SEGMENT_BATCH])
            if not batch:
                break
            if not Segmentation.objects.filter(pk=project_id, version=version).exists():
                return done  # superseded by a newer dictionary version
            with transaction.atomic():
                tokens_store(documents=batch, terms=terms, version=version)
            done, last = done + len(batch), batch[-1].pk
            Segmentation.objects.filter(pk=project_id, version=version).update(
                done=min(done, total), heartbeat_at=timezone.now()
            )
    except Exception as error:
        Segmentation.objects.filter(pk=project_id).update(status=SegmentationStatus.FAILED, error=str(error)[:1000])
        raise
    Segmentation.objects.filter(pk=project_id, version=version).update(
        status=SegmentationStatus.READY, done=total, total=total
    )
    return done


# --- task workers: heartbeats, and work a dead worker left behind ---------------------------------


def worker_beat(*, worker_id: str, host: str, pid: int, started_at: datetime.datetime) -> None:
    """Record that the db_worker process `worker_id` is alive now."""
    TaskWorker.objects.update_or_create(
        pk=worker_id, defaults={"host": host[:255], "pid": pid, "started_at": started_at, "seen_at": timezone.now()}
    )


def worker_stop(*, worker_id: str) -> None:
    """A db_worker process that exits cleanly says so: the pages no longer count it."""
    TaskWorker.objects.filter(pk=worker_id).delete()


def work_recover(*, project: Project | None = None) -> int:
    """Restart what dead workers left running: their tasks are marked failed, their segmentations queued again for
    the next worker (which resumes at the first unsegmented document); returns how many were queued again.

    Called by every worker at start-up and with each heartbeat, and by the pages that show segmentation status."""
    now = timezone.now()
    alive = workers.alive_ids(now)
    if project is None:
        _task_results_orphaned_fail(now=now, alive=alive)
        TaskWorker.objects.filter(seen_at__lt=now - workers.lease()).delete()
    stale = workers.stale_segmentations(now)
    if project is not None:
        stale = stale.filter(pk=project.pk)
    queued = 0
    for state in stale:
        with transaction.atomic():
            # Compare and set: of several recoverers (workers starting, pages polling) only one queues it again.
            claimed = Segmentation.objects.filter(
                pk=state.pk, status=SegmentationStatus.RUNNING, worker=state.worker, heartbeat_at=state.heartbeat_at
            ).update(status=SegmentationStatus.QUEUED, done=0, total=0, error="", worker="")
            if claimed:
                _segment_task().enqueue(state.pk, state.version)
                queued += 1
    return queued


def _task_results_orphaned_fail(*, now: datetime.datetime, alive: set[str]) -> int:
    """Mark failed the django-tasks results still "running" on a worker that is gone, so none stays running forever."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - workers.lease())
    orphans = [r.pk for r in running.only("id", "worker_ids") if not r.worker_ids or r.worker_ids[-1] not in alive]
    if not orphans:
        return 0
    lost = workers.WorkerLost
    return DBTaskResult.objects.filter(pk__in=orphans, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{lost.__module__}.{lost.__qualname__}",
        traceback=f"{lost.__qualname__}: {lost.__doc__}",
    )


def _dictionary_error(error: segment.DictionaryError) -> ValidationError:
    return ValidationError(str(error))


@transaction.atomic
def dictionary_term_add(*, project: Project, word: str, frequency=None, tag: str = "") -> DictionaryTerm:
    """Add a word to the project dictionary (a frequency is suggested when none is given), then re-segment."""
    try:
        word = segment.check_word((word or "").strip())
        frequency = segment.check_frequency(frequency)
        tag = segment.check_tag((tag or "").strip())
    except segment.DictionaryError as error:
        raise _dictionary_error(error) from None
    if project.dictionary_terms.filter(word=word).exists():
        raise ValidationError(_("“%(word)s” is already in the project dictionary.") % {"word": word})
    suggested = frequency is None
    if suggested:
        frequency = segment.suggest_frequency(word, segment.project_terms(project))
    term = DictionaryTerm.objects.create(project=project, word=word, frequency=frequency, tag=tag, suggested=suggested)
    segmentation_restart(project=project)
    return term


@transaction.atomic
def dictionary_import(*, project: Project, data: bytes) -> int:
    """Add (or update) every line of an uploaded user dictionary, all or nothing, then re-segment; returns the count."""
    try:
        entries = segment.parse_dictionary(segment.decode_upload(data))
    except segment.DictionaryError as error:
        raise _dictionary_error(error) from None
    terms = segment.project_terms(project)
    existing = {t.word: t for t in project.dictionary_terms.select_for_update()}
    for word, frequency, tag in entries:
        suggested = frequency is None
        if suggested:
            frequency = segment.suggest_frequency(word, terms)
        terms += (segment.Term(word, frequency, tag),)
        term = existing.get(word) or DictionaryTerm(project=project, word=word)
        term.frequency, term.tag, term.suggested = frequency, tag, suggested
        term.save()
    segmentation_restart(project=project)
    return len(entries)


@transaction.atomic
def dictionary_term_remove(*, project: Project, term_id: int) -> None:
    """Take a word out of the project dictionary, then re-segment."""
    deleted, _count = project.dictionary_terms.filter(pk=term_id).delete()
    if not deleted:
        raise ValidationError(_("That word is not in the project dictionary."))
    segmentation_restart(project=project)


MAX_GROUP_WORDS = 200


@transaction.atomic
def word_group_save(*, project: Project, kind: str, name: str, words: str, group_id: int | None = None) -> WordGroup:
    """Create a word group, or replace the kind, name and words of one (by id); nothing changes on a bad value."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the word group a name."))
    bad = control_chars.in_name(name) or control_chars.in_text(words or "")
    if bad:
        raise ValidationError(
            _("The word group contains a control character (%(char)s).") % {"char": control_chars.code_point(bad)}
        )
    if len(name) > 50:
        raise ValidationError(_("A word group's name has at most 50 characters."))
    if kind not in WordGroupKind.values:
        raise ValidationError(_("Choose the kind of word group."))
    try:
        word_list = segment.parse_words(words or "")
    except segment.DictionaryError as error:
        raise _dictionary_error(error) from None
    if not word_list:
        raise ValidationError(_("Enter at least one word for the group."))
    if len(word_list) > MAX_GROUP_WORDS:
        raise ValidationError(_("A word group holds at most %(limit)d words.") % {"limit": MAX_GROUP_WORDS})
    clash = project.word_groups.filter(name=name)
    group = WordGroup(project=project) if group_id is None else project.word_groups.filter(pk=group_id).first()
    if group is None:
        raise ValidationError(_("That word group no longer exists."))
    if clash.exclude(pk=group.pk).exists():
        raise ValidationError(_("There is already a word group named “%(name)s”.") % {"name": name})
    group.kind, group.name, group.words = kind, name, " ".join(word_list)
    group.save()
    return group


def word_group_remove(*, project: Project, group_id: int) -> None:
    if not project.word_groups.filter(pk=group_id).delete()[0]:
        raise ValidationError(_("That word group no longer exists."))


@transaction.atomic
def stopwords_set(*, project: Project, text: str) -> int:
    """Replace the project's own stopwords; word frequencies apply them at once (no re-segmentation needed)."""
    try:
        words = segment.parse_words(text or "")
    except segment.DictionaryError as error:
        raise _dictionary_error(error) from None
    project.stopwords.all().delete()
    Stopword.objects.bulk_create([Stopword(project=project, word=w) for w in words])
    return len(words)
