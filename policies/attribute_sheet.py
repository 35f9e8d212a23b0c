"""The attribute sheet (NVivo's classification sheet): one CSV row per document, exported and re-imported."""

import csv
import io
import itertools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from policies import writers
from policies.models import Document, Project
from policies.services.attributes import ATTRIBUTE_FIELDS, clean_attributes, custom_attributes_define

ID_COLUMN = "id"
READ_ONLY_COLUMNS = ("original_name", "char_count")
FIXED_COLUMNS = (ID_COLUMN, *ATTRIBUTE_FIELDS, *READ_ONLY_COLUMNS)
MAX_REPORTED_ERRORS = 20


def header(custom_names: list[str]) -> list[str]:
    return [*FIXED_COLUMNS, *custom_names]


def rows(documents, custom_names: list[str]):
    """One list of cell strings per document, in `header` order."""
    for d in documents:
        yield [
            d.pk,
            d.title,
            d.province,
            d.issuer,
            d.issuer_type,
            d.issue_date.isoformat() if d.issue_date else "",
            d.doc_number,
            d.policy_type,
            d.original_name,
            d.char_count,
            *(d.attributes.get(name, "") for name in custom_names),
        ]


def decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), or GB18030 as Excel on Chinese Windows saves it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # NUL means binary or UTF-16, and PostgreSQL refuses it in text columns
            return text
    raise ValidationError(_("This CSV file is neither UTF-8 nor GBK text."))


def parse(text: str, known_ids: set[int]) -> dict[int, dict]:
    """Validate every row; return document id → cleaned attributes, or raise listing the bad rows by line."""
    try:
        return _parse(text, known_ids)
    except csv.Error as error:  # e.g. an unclosed quote that swallows the rest of the file into one cell
        raise ValidationError(
            _("This file cannot be read as a CSV sheet (%(error)s). Export the sheet again and edit that.")
            % {"error": error}
        ) from None


def _parse(text: str, known_ids: set[int]) -> dict[int, dict]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [writers.unguard(c.strip()) for c in (reader.fieldnames or [])]
    if ID_COLUMN not in columns:
        raise ValidationError(_("The sheet has no “id” column. Export the sheet first, edit it, and import it again."))
    reader.fieldnames = columns
    custom_columns = [c for c in columns if c and c not in FIXED_COLUMNS]
    changes: dict[int, dict] = {}
    errors: list[str] = []
    for row in reader:
        line = reader.line_num
        try:
            document_id = int(str(row.get(ID_COLUMN) or "").strip())
        except ValueError:
            errors.append(_("line %(line)d: “%(id)s” is not a document id.") % {"line": line, "id": row.get(ID_COLUMN)})
            continue
        if document_id not in known_ids:
            errors.append(
                _("line %(line)d: there is no document %(id)d in this project.") % {"line": line, "id": document_id}
            )
            continue
        # cells the export guarded against formulas (a ' before =, +, -, @) come back as they were
        values = {f: writers.unguard(row[f]) for f in ATTRIBUTE_FIELDS if f in columns and row.get(f) is not None}
        values["attributes"] = {c: writers.unguard(row.get(c) or "") for c in custom_columns}
        try:
            changes[document_id] = clean_attributes(values)
        except ValidationError as error:
            errors.append(_("line %(line)d: %(error)s") % {"line": line, "error": " ".join(error.messages)})
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        if len(errors) > MAX_REPORTED_ERRORS:
            shown.append(_("… and %(count)d more.") % {"count": len(errors) - MAX_REPORTED_ERRORS})
        raise ValidationError(
            _("Nothing was changed. Fix these rows and import again: %(errors)s") % {"errors": " ".join(shown)}
        )
    return changes


# --- loaders: the places that query ----------------------------------------------------------------


def csv_response(project: Project) -> HttpResponse:
    """The project's attribute sheet as a UTF-8 CSV with BOM, so Excel shows the Chinese."""
    custom_names = list(project.custom_attributes.values_list("name", flat=True))
    documents = project.documents.defer("text").order_by("id")
    lines = itertools.chain([header(custom_names)], rows(documents, custom_names))
    return writers.csv_response(lines, f"project-{project.pk}-attributes.csv")


@transaction.atomic
def apply_csv(*, project: Project, data: bytes) -> int:
    """Apply an edited sheet to the project's documents: all rows or none."""
    documents = {d.pk: d for d in project.documents.defer("text").select_for_update()}
    changes = parse(decode(data), set(documents))
    custom_names = {name for cleaned in changes.values() for name in cleaned.get("attributes", {})}
    custom_attributes_define(project, sorted(custom_names))
    fields: set[str] = set()
    for document_id, cleaned in changes.items():
        document = documents[document_id]
        custom = cleaned.pop("attributes", {})
        for field, value in cleaned.items():
            setattr(document, field, value)
            fields.add(field)
        if custom:
            document.attributes = {**document.attributes, **custom}
            fields.add("attributes")
    if fields:
        Document.objects.bulk_update([documents[i] for i in changes], sorted(fields), batch_size=500)
    return len(changes)
