"""The codebook: a tree of nodes per project."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DEFAULT_COLOR = "#4e79a7"


class NodeQuerySet(models.QuerySet):
    def roots(self):
        return self.filter(parent__isnull=True)

    def siblings_of(self, *, project_id: int, parent_id: int | None):
        return self.filter(project_id=project_id, parent_id=parent_id)


class Node(models.Model):
    project = models.ForeignKey("policies.Project", models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="children")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)  # the coding rule: definition, use, example
    color = models.CharField(_("colour"), max_length=7, default=DEFAULT_COLOR)  # lowercase #rrggbb
    order = models.PositiveIntegerField(default=0)  # among siblings, then id
    guid = models.UUIDField(default=uuid.uuid4, editable=False)  # stable identity for REFI-QDA exchange
    codable = models.BooleanField(_("codable"), default=True)  # False: it only organizes (REFI isCodable="false")

    objects = NodeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="node_unique_sibling_name"),
            models.UniqueConstraint(
                fields=["project", "name"], condition=Q(parent__isnull=True), name="node_unique_root_name"
            ),
            models.UniqueConstraint(fields=["project", "guid"], name="node_unique_guid"),
            models.CheckConstraint(condition=~Q(name=""), name="node_name_not_empty"),
        ]
        indexes = [models.Index(fields=["project", "parent", "order"], name="node_project_parent_order")]

    def __str__(self):
        return self.name
