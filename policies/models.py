"""Projects, their members, and the policy documents they study."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from policies.provinces import PROVINCE_CHOICES


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    CODER = "coder", _("Coder")
    VIEWER = "viewer", _("Viewer")


ROLE_RANK = {Role.VIEWER: 0, Role.CODER: 1, Role.OWNER: 2}


class IssuerType(models.TextChoices):
    GOVERNMENT = "人民政府", _("People's government")
    CONGRESS = "人大及其常委会", _("People's congress and its standing committee")
    DEPARTMENT = "政府部门", _("Government department")
    OTHER = "其他", _("Other")


class PolicyType(models.TextChoices):
    REGULATION = "条例", _("Regulation (条例)")
    MEASURES = "办法", _("Measures (办法)")
    PROVISIONS = "规定", _("Provisions (规定)")
    OPINIONS = "意见", _("Opinions (意见)")
    NOTICE = "通知", _("Notice (通知)")
    PLAN = "规划", _("Plan (规划)")
    PROGRAMME = "方案", _("Programme (方案)")
    RULES = "细则", _("Detailed rules (细则)")
    LAW = "法律", _("Law (法律)")
    DECISION = "决定", _("Decision (决定)")
    RESOLUTION = "决议", _("Resolution (决议)")
    GUIDELINES = "指引", _("Guidelines (指引)")
    STANDARD = "标准", _("Standard (标准)")
    OTHER = "其他", _("Other")


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(memberships__user=user)


class Project(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    project = models.ForeignKey(Project, models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CODER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user")]

    def __str__(self):
        return f"{self.user} @ {self.project} ({self.role})"

    def allows(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class CustomAttribute(models.Model):
    """A free document attribute an owner defines for the project (NVivo's classification attribute)."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="custom_attributes")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="custom_attribute_unique_name")]

    def __str__(self):
        return self.name


def original_upload_to(document: "Document", filename: str) -> str:
    return f"originals/project-{document.project_id}/{filename}"


class Document(models.Model):
    project = models.ForeignKey(Project, models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=500)
    original_name = models.CharField(_("original file name"), max_length=255)
    original = models.FileField(upload_to=original_upload_to, max_length=500)
    file_format = models.CharField(max_length=10)
    text = models.TextField()  # normalized once at import; never changes after the first coding
    char_count = models.PositiveIntegerField()  # code points, len(text)
    text_hash = models.CharField(max_length=64)  # sha256 of text: duplicate detection within a project
    province = models.CharField(_("province"), max_length=20, blank=True, choices=[(p, p) for p in PROVINCE_CHOICES])
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    issuer_type = models.CharField(_("issuer type"), max_length=20, blank=True, choices=IssuerType.choices)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    policy_type = models.CharField(_("policy type"), max_length=10, blank=True, choices=PolicyType.choices)
    attributes = models.JSONField(_("custom attributes"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # stable identity for REFI-QDA exchange

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "text_hash"], name="document_unique_text"),
            models.CheckConstraint(condition=~Q(text=""), name="document_text_not_empty"),
        ]
        indexes = [models.Index(fields=["project", "province"], name="document_project_province")]

    def __str__(self):
        return self.title


class DocumentBigrams(models.Model):
    """The distinct character bigrams of a document's text as integer codes (policies.ngrams) under a GIN index:
    text search looks up which documents hold a two-character term, which has no trigram for the trigram index on
    the text (migration 0008) to find. PostgreSQL only: elsewhere the table does not exist. A document without a row
    may hold any term (the search reads it), so a missing row slows a search, never changes its answer. Migration
    0009 adds the foreign key with ON DELETE CASCADE (the database deletes the row with its document; Django's
    collector must not look for it where the table is absent)."""

    document = models.OneToOneField(
        Document, models.DO_NOTHING, primary_key=True, db_constraint=False, related_name="bigrams"
    )
    codes = ArrayField(models.IntegerField())  # sorted, distinct

    class Meta:
        required_db_vendor = "postgresql"
        indexes = [GinIndex(fields=["codes"], name="document_bigrams_codes")]

    def __str__(self):
        return f"bigrams of document {self.document_id}"


class SectionKind(models.TextChoices):
    PART = "part", _("Part (编)")
    CHAPTER = "chapter", _("Chapter (章)")
    SECTION = "section", _("Section (节)")
    ARTICLE = "article", _("Article (条)")
    ITEM = "item", _("Item")


class Section(models.Model):
    """A heading found in the text (第X章, 第X条 …) and the span it governs."""

    document = models.ForeignKey(Document, models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=10, choices=SectionKind.choices)
    label = models.CharField(max_length=50)  # the heading as written: 第三条
    level = models.PositiveSmallIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        ordering = ["start", "level"]

    def __str__(self):
        return self.label


# --- text analytics: the project dictionary, stopwords and the cached segmentation ---------------


class DictionaryTerm(models.Model):
    """A word the researchers add to the project's segmentation dictionary (a line of jieba's user dictionary)."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="dictionary_terms")
    word = models.CharField(_("word"), max_length=30)
    frequency = models.PositiveIntegerField(_("frequency"))  # jieba's suggestion when the researcher gives none
    tag = models.CharField(_("part of speech"), max_length=5, blank=True)
    suggested = models.BooleanField(default=False)  # the frequency was suggested, not given
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["project", "word"], name="dictionary_term_unique_word")]

    def __str__(self):
        return self.word


class Stopword(models.Model):
    """A word the project leaves out of word frequencies, on top of the built-in list."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="stopwords")
    word = models.CharField(_("word"), max_length=30)

    class Meta:
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["project", "word"], name="stopword_unique_word")]

    def __str__(self):
        return self.word


class WordGroupKind(models.TextChoices):
    """The four kinds of word group of the paper's high-frequency word table (2.1)."""

    SUBJECTS = "subjects", _("Subjects")
    ACTIONS = "actions", _("Actions")
    FOCUS = "focus", _("Focus")
    DATA = "data", _("Data activities")


class WordGroup(models.Model):
    """A named group of words the owners define (e.g. subjects: 政府 部门 单位), counted together in reports."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="word_groups")
    kind = models.CharField(_("kind"), max_length=10, choices=WordGroupKind.choices)
    name = models.CharField(_("name"), max_length=50)
    words = models.TextField(_("words"))  # one space between words, order kept, no duplicates
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="word_group_unique_name")]

    def __str__(self):
        return self.name

    @property
    def word_list(self) -> list[str]:
        return self.words.split()


class SegmentationStatus(models.TextChoices):
    READY = "ready", _("Ready")
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Segmenting")
    FAILED = "failed", _("Failed")


class Segmentation(models.Model):
    """A project's segmentation state: the dictionary version in force and the progress of segmenting documents."""

    project = models.OneToOneField(Project, models.CASCADE, primary_key=True, related_name="segmentation")
    version = models.PositiveIntegerField(default=1)  # bumped by every dictionary edit
    status = models.CharField(max_length=10, choices=SegmentationStatus.choices, default=SegmentationStatus.READY)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=64, blank=True)  # the task worker running it (TaskWorker.id)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # when the running task last finished a batch
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.project} v{self.version} {self.status}"


class TaskWorker(models.Model):
    """A running `manage.py db_worker` process; a heartbeat older than WORKER_LEASE_SECONDS means it is gone."""

    id = models.CharField(max_length=64, primary_key=True)  # the worker id django-tasks records on what it runs
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"worker {self.id} (pid {self.pid} on {self.host})"


class DocumentTokens(models.Model):
    """A document's cached segmentation: distinct words with their tags and counts, and the token sequence."""

    document = models.OneToOneField(Document, models.CASCADE, primary_key=True, related_name="tokens")
    version = models.PositiveIntegerField()  # the project dictionary version it was segmented with
    words = models.TextField()  # distinct words in first-seen order, joined by U+001F
    tags = models.TextField()  # their parts of speech, space-separated
    counts = models.BinaryField()  # uint32 per distinct word
    sequence = models.BinaryField()  # every token as an index into words: uint16, or uint32 when wide
    wide = models.BooleanField(default=False)

    def __str__(self):
        return f"tokens of document {self.document_id}"


class CorpusWords(models.Model):
    """Word counts summed over a project's segmented documents, brought up to date one document at a time
    (policies.text.frequency.corpus_totals): the word frequency of the whole corpus reads these sums."""

    project = models.OneToOneField(Project, models.CASCADE, primary_key=True, related_name="corpus_words")
    words = models.TextField(default="")  # every word counted so far, joined by U+001F; positions never move
    tags = models.TextField(default="")  # their parts of speech, space-separated
    counts = models.BinaryField(default=b"")  # int64 per word: occurrences in the counted documents
    documents = models.BinaryField(default=b"")  # int64 per word: counted documents holding it
    counted = models.PositiveIntegerField(default=0)  # counted documents with at least one word

    def __str__(self):
        return f"word counts of project {self.project_id}"


class CountedDocument(models.Model):
    """A document's segmentation as added to its project's CorpusWords, kept to take it back out when the document
    is re-segmented or deleted."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="+")
    document_id = models.BigIntegerField()  # not a key: the counts come back out after the document is gone
    version = models.PositiveIntegerField()  # the DocumentTokens version counted
    ids = models.BinaryField()  # uint32 per distinct word: its position in CorpusWords.words
    counts = models.BinaryField()  # uint32 per distinct word

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "document_id"], name="counted_document_unique")]

    def __str__(self):
        return f"counted words of document {self.document_id}"
