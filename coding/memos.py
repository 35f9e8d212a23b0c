"""Reading memos: search across a project's document memos, node memos and journal."""

from django.db.models import Q, QuerySet

from policies.models import Project


def search(*, project: Project, query: str = "", kind: str = "") -> QuerySet:
    """The project's memos, newest first, optionally of one kind and containing `query` in title or body."""
    found = project.memos.select_related("author", "document", "node")
    if kind:
        found = found.filter(kind=kind)
    query = query.strip()
    if query:
        found = found.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return found
