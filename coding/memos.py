"""Reading memos: search across a project's document memos, node memos and journal, and a memo's history."""

from django.db.models import Q, QuerySet

from coding.models import Memo
from policies.models import Project, Role


def search(*, project: Project, query: str = "", kind: str = "") -> QuerySet:
    """The project's memos, newest first, optionally of one kind and containing `query` in title or body."""
    found = project.memos.select_related("author", "document", "node")
    if kind:
        found = found.filter(kind=kind)
    query = query.strip()
    if query:
        found = found.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return found


def may_read_history(memo: Memo, user, role: str) -> bool:
    """Owners read every memo's history; an author reads the history of their own memo."""
    return role == Role.OWNER or memo.author_id == user.pk


def history(memo: Memo) -> QuerySet:
    """The memo's revisions, newest first, with their editors."""
    return memo.revisions.select_related("editor")
