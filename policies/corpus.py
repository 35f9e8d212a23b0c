"""The document table: filters, sorting and facet counts over a project's documents (pages and API)."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet

from policies.models import Project
from policies.provinces import UnknownProvince, normalize_province

FILTER_FIELDS = ("province", "issuer_type", "policy_type")
SORT_FIELDS = (
    "title",
    "province",
    "issuer",
    "issuer_type",
    "issue_date",
    "doc_number",
    "policy_type",
    "char_count",
    "id",
)


def filter_documents(documents: QuerySet, filters: Mapping[str, str]) -> QuerySet:
    """Apply the attribute filters {field: value} of FILTER_FIELDS (policies.queries.filters reads them from a request;
    province in any common form: 浙江, Zhejiang …)."""
    for field in FILTER_FIELDS:
        value = (filters.get(field) or "").strip()
        if not value:
            continue
        if field == "province":
            try:
                value = normalize_province(value)
            except UnknownProvince as error:
                raise ValidationError(str(error)) from None
        documents = documents.filter(**{field: value})
    return documents


def sort_documents(documents: QuerySet, sort: str | None) -> tuple[QuerySet, str]:
    """Order by a whitelisted column; a leading '-' sorts descending. Returns the queryset and the sort used."""
    key = (sort or "id").strip()
    if key.removeprefix("-") not in SORT_FIELDS:  # one '-' only: '--title' is not a field
        key = "id"
    return documents.order_by(key, "id"), key


def facets(project: Project) -> dict[str, list[tuple[str, int]]]:
    """For each filter field, its values in the project with document counts."""
    return {
        field: [
            (row[field], row["n"]) for row in project.documents.values(field).annotate(n=Count("id")).order_by(field)
        ]
        for field in FILTER_FIELDS
    }
