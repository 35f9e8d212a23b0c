"""Coded passages: one coder's assignment of a text span to a codebook node."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _


class CodingQuerySet(models.QuerySet):
    def for_coder(self, coder):
        return self.filter(coder=coder)


class Coding(models.Model):
    # No index of their own: coding_unique leads with the document, coding_node_document_coder with the node and
    # coding_coder_node with the coder. Every index is written by every save; there were seven.
    document = models.ForeignKey("policies.Document", models.CASCADE, related_name="codings", db_index=False)
    node = models.ForeignKey("framework.Node", models.CASCADE, related_name="codings", db_index=False)
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="codings", db_index=False)
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
        indexes = [
            # covers the codebook's per-node counts (documents, references, coders) without touching the table
            models.Index(fields=["node", "document", "coder"], name="coding_node_document_coder"),
            # whether a coder holds codings in a project (the default layer): a probe per node, not a scan
            models.Index(fields=["coder", "node"], name="coding_coder_node"),
        ]

    def __str__(self):
        return f"{self.node}: {self.text[:20]}"


class EventAction(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("changed")
    DELETED = "deleted", _("removed")


class CodingEvent(models.Model):
    """The audit trail: who created, changed or removed which coding, kept after the coding is gone.

    Events written by one action share a batch, which is also the unit that undo reverses.
    """

    # no index of its own: event_undo_lookup leads with the project
    project = models.ForeignKey("policies.Project", models.CASCADE, related_name="coding_events", db_index=False)
    document = models.ForeignKey("policies.Document", models.CASCADE, related_name="coding_events")
    # actor and coder: no index of their own, as every index is written by every save. Only deleting a user looks
    # events up by them (to refuse it: PROTECT), a rare act that may read the table.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", db_index=False)
    batch = models.UUIDField(db_index=True)
    action = models.CharField(max_length=10, choices=EventAction.choices)
    coding_id = models.BigIntegerField()  # not a key: the coding may be gone
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", db_index=False)
    node_id = models.BigIntegerField()
    node_path = models.CharField(max_length=1000)  # as it was, for reading the trail later
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    memo = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)  # for "updated": the previous node_id / memo
    # an accepted suggestion: its id, model version, probability; a database default, for rows inserted in SQL
    origin = models.JSONField(default=dict, blank=True, db_default=Value({}, output_field=models.JSONField()))
    undone = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "actor", "undone", "created_at"], name="event_undo_lookup")]

    def __str__(self):
        return f"{self.actor} {self.action} coding {self.coding_id}"


class MemoKind(models.TextChoices):
    DOCUMENT = "document", _("Document memo")
    NODE = "node", _("Node memo")
    JOURNAL = "journal", _("Project journal")


class Memo(models.Model):
    """A memo on a document or a node (one each, shared by the team), or an entry in the project journal."""

    project = models.ForeignKey("policies.Project", models.CASCADE, related_name="memos")
    kind = models.CharField(max_length=10, choices=MemoKind.choices)
    document = models.ForeignKey("policies.Document", models.CASCADE, null=True, blank=True, related_name="memos")
    node = models.ForeignKey("framework.Node", models.CASCADE, null=True, blank=True, related_name="memos")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["document"], condition=Q(kind="document"), name="memo_one_per_document"),
            models.UniqueConstraint(fields=["node"], condition=Q(kind="node"), name="memo_one_per_node"),
            models.CheckConstraint(
                condition=(
                    Q(kind="document", document__isnull=False, node__isnull=True)
                    | Q(kind="node", node__isnull=False, document__isnull=True)
                    | Q(kind="journal", node__isnull=True, document__isnull=True)
                ),
                name="memo_target_matches_kind",
            ),
        ]

    def __str__(self):
        return self.title or self.body[:30]


class MemoRevision(models.Model):
    """The audit trail of a memo: each edit keeps what the memo said before it, who changed it, and when."""

    memo = models.ForeignKey(Memo, models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    previous_title = models.CharField(max_length=200, blank=True)
    previous_body = models.TextField()
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-edited_at", "-id"]

    def __str__(self):
        return f"{self.editor} edited memo {self.memo_id}"


class Assignment(models.Model):
    """A document given to a coder to code; the coder marks it done. Agreement treats unassigned as missing."""

    project = models.ForeignKey("policies.Project", models.CASCADE, related_name="assignments")
    document = models.ForeignKey("policies.Document", models.CASCADE, related_name="assignments")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "coder"]
        constraints = [models.UniqueConstraint(fields=["document", "coder"], name="assignment_unique_coder")]

    def __str__(self):
        return f"{self.document} → {self.coder}"


class CodingOptions(models.Model):
    """A project's team-coding settings: blind coding, adjudicators, and the consensus layer's coder identity."""

    project = models.OneToOneField("policies.Project", models.CASCADE, related_name="coding_options")
    blind = models.BooleanField(_("blind coding"), default=False)  # coders see only their own codings
    consensus_coder = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="consensus_for"
    )
    adjudicators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    def __str__(self):
        return f"options of {self.project}"


class AdjudicationDecision(models.TextChoices):
    NEITHER = "neither", _("resolved — neither")


class Adjudication(models.Model):
    """An adjudicator's decision on a disagreement case that writes no coding: resolved with neither coder's coding
    taken into the consensus layer. A case is named by its codings' ids, so a case whose codings change reopens."""

    project = models.ForeignKey("policies.Project", models.CASCADE, related_name="adjudications")
    document = models.ForeignKey("policies.Document", models.CASCADE, related_name="adjudications")
    case = models.CharField(max_length=1000)  # the case's coding ids, ascending, joined by commas
    decision = models.CharField(
        max_length=10, choices=AdjudicationDecision.choices, default=AdjudicationDecision.NEITHER
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "case"], name="adjudication_unique_case")]

    def __str__(self):
        return f"{self.document_id}: {self.case} {self.decision}"


# --- coding suggestions learned from the team's own coding (coding/suggest) -----------------------


class SuggestionModelStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Training")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class SuggestionModel(models.Model):
    """A suggestion model trained on one layer's coding: its features (vocabulary and idf as plain arrays, never a
    pickle), its training progress, and its cross-validated summary. One per layer is kept once trained."""

    project = models.ForeignKey("policies.Project", models.CASCADE, related_name="suggestion_models")
    version = models.PositiveIntegerField()  # per project, increasing
    layer = models.JSONField(default=list)  # the coder user ids trained on, sorted
    layer_key = models.CharField(max_length=500)  # the ids joined by commas: finds a layer's models
    layer_label = models.CharField(max_length=500)
    nodes = models.JSONField(default=list, blank=True)  # node ids asked for; empty: every node
    min_share = models.FloatField(default=0.0)  # a unit is positive when a coding covers more than this share of it
    status = models.CharField(
        max_length=10, choices=SuggestionModelStatus.choices, default=SuggestionModelStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # micro/macro figures, unit and document counts
    words = models.TextField(blank=True)  # word and bigram features in column order, joined by U+001F
    word_idf = models.BinaryField(default=b"")  # float32 per word feature
    chars = models.TextField(blank=True)  # character n-gram features, joined by U+001F
    char_idf = models.BinaryField(default=b"")  # float32 per character feature
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="suggestion_model_unique_version")]

    def __str__(self):
        return f"suggestion model v{self.version} of {self.project}"


class NodeClassifier(models.Model):
    """One node's classifier in a suggestion model, with its cross-validated figures; or, below the minimum of
    examples, only its counts."""

    model = models.ForeignKey(SuggestionModel, models.CASCADE, related_name="classifiers")
    node = models.ForeignKey("framework.Node", models.CASCADE, related_name="+")
    trained = models.BooleanField(default=False)
    positives = models.PositiveIntegerField(default=0)  # positive units
    documents = models.PositiveIntegerField(default=0)  # documents holding them
    coef = models.BinaryField(default=b"")  # float32 per feature column
    intercept = models.FloatField(default=0.0)
    threshold = models.FloatField(default=0.5)  # suggested at or above; the user may change it
    evaluation = models.JSONField(default=dict, blank=True)  # precision, recall, f1, curve, counts

    class Meta:
        ordering = ["model", "node"]
        constraints = [models.UniqueConstraint(fields=["model", "node"], name="node_classifier_unique_node")]

    def __str__(self):
        return f"classifier of node {self.node_id} in {self.model}"


class SuggestionState(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Suggestion(models.Model):
    """A unit the model proposes for a node, with its probability and the words that weighed most. Never a coding
    until a person accepts it; a rejection is kept (past its model) and used as a negative on the next training."""

    project = models.ForeignKey("policies.Project", models.CASCADE, related_name="suggestions")
    model = models.ForeignKey(SuggestionModel, models.SET_NULL, null=True, blank=True, related_name="suggestions")
    model_version = models.PositiveIntegerField()
    layer_key = models.CharField(max_length=500)
    document = models.ForeignKey("policies.Document", models.CASCADE, related_name="+")
    node = models.ForeignKey("framework.Node", models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.CharField(max_length=50, blank=True)  # 第三条, 一、 or "" for a paragraph
    probability = models.FloatField()
    words = models.JSONField(default=list, blank=True)  # [{"word", "weight", "spans": [[start, end], …]}, …]
    state = models.CharField(max_length=10, choices=SuggestionState.choices, default=SuggestionState.OPEN)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    coding_id = models.BigIntegerField(null=True, blank=True)  # the coding an acceptance made (gone once undone)

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [models.CheckConstraint(condition=Q(start__lt=F("end")), name="suggestion_start_before_end")]
        indexes = [
            models.Index(fields=["model", "document", "start"], name="suggestion_document"),
            models.Index(fields=["model", "node", "probability"], name="suggestion_node"),
            models.Index(fields=["project", "state", "layer_key"], name="suggestion_reviewed"),
        ]

    def __str__(self):
        return f"{self.node_id} {self.start}-{self.end} p={self.probability:.2f}"
