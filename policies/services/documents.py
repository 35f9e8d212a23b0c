"""Documents in: import (a file or a .zip), restore from normalized text, replace the file, delete."""

import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from policies import extraction, guess, inflation, structure
from policies.models import (
    Document,
    Project,
    Section,
)
from policies.services.attributes import ATTRIBUTE_FIELDS, clean_attributes, custom_attributes_define
from policies.services.bigrams import document_bigrams_store
from policies.services.segmentation import segmentation_schedule


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
            document_bigrams_store(documents=[(document.pk, text)])
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
    document_bigrams_store(documents=[(document.pk, text)])
    return document


def document_import(*, project: Project, user, filename: str, data: bytes, attributes: dict | None = None):
    """Import one uploaded file (a .zip imports each file inside); one outcome per file, each imported or refused."""
    overrides = clean_attributes(attributes or {})
    if "attributes" in overrides:
        custom_attributes_define(project, overrides["attributes"])
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
    document_bigrams_store(documents=[(document.pk, text)])
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
