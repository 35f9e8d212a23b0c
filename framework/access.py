"""Resolving a node for a user: the node's project decides, as for documents (404 for outsiders, 403 below the role)."""

from django.http import Http404

from framework.models import Node
from policies import access
from policies.models import Role


def node_for(user, node_id: int, *, need: str = Role.VIEWER) -> Node:
    """The node, if the user's role in its project is at least `need`."""
    try:
        node = Node.objects.select_related("project").get(pk=node_id)
    except (Node.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access.membership_for(user, node.project_id, need=need)
    return node
