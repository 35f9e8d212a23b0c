"""Coded passages: one coder's assignment of a text span to a codebook node."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class CodingQuerySet(models.QuerySet):
    def for_coder(self, coder):
        return self.filter(coder=coder)


class Coding(models.Model):
    document = models.ForeignKey("policies.Document", models.CASCADE, related_name="codings")
    node = models.ForeignKey("framework.Node", models.CASCADE, related_name="codings")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="codings")
    start = models.PositiveIntegerField()  # code-point index into document.text, inclusive
    end = models.PositiveIntegerField()  # exclusive
    text = models.TextField()  # document.text[start:end]; the text never changes once coded
    memo = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CodingQuerySet.as_manager()

    class Meta:
        ordering = ["document", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="coding_start_before_end"),
            models.UniqueConstraint(fields=["document", "node", "coder", "start", "end"], name="coding_unique"),
        ]
        indexes = [models.Index(fields=["node", "document"], name="coding_node_document")]

    def __str__(self):
        return f"{self.node}: {self.text[:20]}"
