"""The document table: filters, sorting, pages and facet counts over a project's documents (pages and API)."""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
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
PAGE_SIZES = (50, 100, 200)  # the rows per page the project page offers; the first is its default
API_PAGE_SIZE = 200
API_MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class DocumentQuery:
    """Which of a project's documents to list: attribute filters, a sort key of SORT_FIELDS (a leading '-' for
    descending) and the 1-based page of page_size rows (policies.queries.document_query reads it from a request)."""

    filters: tuple[tuple[str, str], ...] = ()
    sort: str = "id"
    page: int = 1
    page_size: int = PAGE_SIZES[0]


@dataclass(frozen=True)
class DocumentTable:
    """The project page's table: one page of documents, the facet counts of the filter selects, the project's total,
    whether filters narrowed the list, and the message of a filter that could not be applied (then left out)."""

    page: Page
    facets: dict[str, list[tuple[str, int]]]
    project_total: int
    filtered: bool
    error: str | None = None


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


def documents_page(project: Project, query: DocumentQuery) -> Page:
    """One page of the project's documents (without their text) after filters and sort: a count, then a slice when
    the page is read. A page past the end is the last one (Paginator.get_page: the project page shows it, the API
    refuses it). An unknown filter value raises ValidationError before any query."""
    documents = filter_documents(project.documents.defer("text"), dict(query.filters))
    documents, _sort = sort_documents(documents, query.sort)
    return Paginator(documents, query.page_size).get_page(query.page)


def document_table(project: Project, query: DocumentQuery) -> DocumentTable:
    """The project page's document table in five queries whatever the project's size: the three facet counts (whose
    sum is the project's total), the filtered count and the page."""
    counts = facets(project)
    project_total = sum(n for _value, n in counts["province"])
    try:
        page = documents_page(project, query)
    except ValidationError as invalid:
        page = documents_page(project, replace(query, filters=()))
        return DocumentTable(page, counts, project_total, filtered=False, error=" ".join(invalid.messages))
    return DocumentTable(page, counts, project_total, filtered=bool(query.filters))
