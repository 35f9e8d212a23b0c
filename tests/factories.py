"""One factory per model, with short Chinese sample text."""

import uuid

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from coding.models import (
    Adjudication,
    Assignment,
    Coding,
    CodingEvent,
    CodingOptions,
    EventAction,
    Memo,
    MemoKind,
    MemoRevision,
    NodeClassifier,
    Suggestion,
    SuggestionModel,
    SuggestionModelStatus,
)
from framework.models import Node
from policies import ngrams, structure
from policies.models import (
    CorpusWords,
    CountedDocument,
    CustomAttribute,
    DictionaryTerm,
    Document,
    DocumentBigrams,
    DocumentTokens,
    Membership,
    Project,
    Role,
    Section,
    SectionKind,
    Segmentation,
    Stopword,
    TaskWorker,
    WordGroup,
    WordGroupKind,
)
from policies.services.bigrams import document_bigrams_store
from policies.services.documents import text_hash
from policies.text import frequency, segment

SAMPLE_TEXT = (
    "贵州省政府数据共享开放条例\n"
    "第一章　总则\n"
    "第一条　为了推动政府数据共享开放，制定本条例。\n"
    "第二条　本条例所称政府数据，是指行政机关在依法履行职责过程中制作或者获取的各类数据资源。\n"
    "第二章　数据共享\n"
    "第三条　政府数据以共享为原则，不共享为例外。\n"
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-secret-123")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"政策研究项目{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.CODER


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"政府数据共享开放条例{n}")
    original_name = "sample.txt"
    original = factory.django.FileField(filename="sample.txt", data=b"sample")
    file_format = "txt"
    text = factory.Sequence(lambda n: f"{SAMPLE_TEXT}附件{n}")
    char_count = factory.LazyAttribute(lambda d: len(d.text))
    text_hash = factory.LazyAttribute(lambda d: text_hash(d.text))
    province = "贵州省"

    @factory.post_generation
    def bigrams(document, create, extracted, **kwargs):
        """The search index's codes, as an import stores them; bigrams=False: none, as for a document stored around
        the app."""
        if create and extracted is not False:
            document_bigrams_store(documents=[(document.pk, document.text)])


class DocumentBigramsFactory(factory.django.DjangoModelFactory):
    """A document's search index codes (PostgreSQL only: the table exists nowhere else)."""

    class Meta:
        model = DocumentBigrams

    document = factory.SubFactory(DocumentFactory, bigrams=False)
    codes = factory.LazyAttribute(lambda row: ngrams.text_codes(row.document.text).tolist())


class NodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Node

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"节点{n}")


class CodingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coding

    document = factory.SubFactory(DocumentFactory)
    node = factory.SubFactory(NodeFactory, project=factory.SelfAttribute("..document.project"))
    coder = factory.SubFactory(UserFactory)
    start = 0
    end = 5
    text = factory.LazyAttribute(lambda c: c.document.text[c.start : c.end])


class CustomAttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomAttribute

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"属性{n}")


def first_article(text: str):
    """The first 第X条 span structure detection finds in a text."""
    return next(span for span in structure.detect_sections(text) if span.kind == SectionKind.ARTICLE)


class SectionFactory(factory.django.DjangoModelFactory):
    """The first article of the document (第一条 … in SAMPLE_TEXT), as structure detection stores it."""

    class Meta:
        model = Section

    document = factory.SubFactory(DocumentFactory)
    kind = SectionKind.ARTICLE
    label = factory.LazyAttribute(lambda s: first_article(s.document.text).label)
    level = factory.LazyAttribute(lambda s: first_article(s.document.text).level)
    start = factory.LazyAttribute(lambda s: first_article(s.document.text).start)
    end = factory.LazyAttribute(lambda s: first_article(s.document.text).end)


class DictionaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DictionaryTerm

    project = factory.SubFactory(ProjectFactory)
    word = factory.Sequence(lambda n: f"数据要素{n}")
    frequency = 1000
    tag = "n"


class StopwordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stopword

    project = factory.SubFactory(ProjectFactory)
    word = factory.Sequence(lambda n: f"停用{n}")


class WordGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WordGroup

    project = factory.SubFactory(ProjectFactory)
    kind = WordGroupKind.SUBJECTS
    name = factory.Sequence(lambda n: f"监管主体{n}")
    words = "网信部门 公安机关"


class SegmentationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segmentation
        django_get_or_create = ("project",)

    project = factory.SubFactory(ProjectFactory)


class TaskWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskWorker

    id = factory.Sequence(lambda n: f"worker-{n}")
    host = "worker-host"
    pid = factory.Sequence(lambda n: 1000 + n)
    started_at = factory.LazyFunction(timezone.now)
    seen_at = factory.LazyAttribute(lambda w: w.started_at)


class DocumentTokensFactory(factory.django.DjangoModelFactory):
    """A document's cached segmentation, made by the real segmenter with the project's dictionary."""

    class Meta:
        model = DocumentTokens

    document = factory.SubFactory(DocumentFactory)
    version = 1

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        document = kwargs["document"]
        segmenter = segment.segmenter_for(segment.project_terms(document.project))
        kwargs.update(segment.encode(segment.segment_text(document.text, segmenter)))
        return super()._create(model_class, *args, **kwargs)


class CodingEventFactory(factory.django.DjangoModelFactory):
    """The audit-trail row a coding's creation writes."""

    class Meta:
        model = CodingEvent

    class Params:
        coding = factory.SubFactory(CodingFactory)

    project = factory.LazyAttribute(lambda e: e.coding.document.project)
    document = factory.LazyAttribute(lambda e: e.coding.document)
    actor = factory.LazyAttribute(lambda e: e.coding.coder)
    coder = factory.LazyAttribute(lambda e: e.coding.coder)
    batch = factory.LazyFunction(uuid.uuid4)
    action = EventAction.CREATED
    coding_id = factory.LazyAttribute(lambda e: e.coding.pk)
    node_id = factory.LazyAttribute(lambda e: e.coding.node_id)
    node_path = factory.LazyAttribute(lambda e: e.coding.node.name)
    start = factory.LazyAttribute(lambda e: e.coding.start)
    end = factory.LazyAttribute(lambda e: e.coding.end)


class MemoFactory(factory.django.DjangoModelFactory):
    """A journal entry; MemoFactory(document=d) or MemoFactory(node=n) makes that kind of memo."""

    class Meta:
        model = Memo

    project = factory.SubFactory(ProjectFactory)
    author = factory.SubFactory(UserFactory)
    document = None
    node = None
    kind = factory.LazyAttribute(
        lambda m: MemoKind.DOCUMENT if m.document else MemoKind.NODE if m.node else MemoKind.JOURNAL
    )
    title = factory.LazyAttribute(lambda m: "研究日志" if m.kind == MemoKind.JOURNAL else "")
    body = "共享与开放的边界需要再讨论。"


class MemoRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemoRevision

    memo = factory.SubFactory(MemoFactory)
    editor = factory.LazyAttribute(lambda r: r.memo.author)
    previous_title = factory.LazyAttribute(lambda r: r.memo.title)
    previous_body = "初稿。"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    document = factory.SubFactory(DocumentFactory)
    project = factory.LazyAttribute(lambda a: a.document.project)
    coder = factory.SubFactory(UserFactory)
    assigned_by = factory.SubFactory(UserFactory)


class CodingOptionsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CodingOptions
        django_get_or_create = ("project",)

    project = factory.SubFactory(ProjectFactory)
    blind = True


class AdjudicationFactory(factory.django.DjangoModelFactory):
    """'Resolved — neither' on the case of two codings of one document."""

    class Meta:
        model = Adjudication

    class Params:
        first = factory.SubFactory(CodingFactory)
        second = factory.SubFactory(CodingFactory, document=factory.SelfAttribute("..first.document"), start=1, end=6)

    document = factory.LazyAttribute(lambda a: a.first.document)
    project = factory.LazyAttribute(lambda a: a.first.document.project)
    case = factory.LazyAttribute(lambda a: ",".join(str(i) for i in sorted((a.first.pk, a.second.pk))))
    decided_by = factory.LazyAttribute(lambda a: a.first.coder)


class SuggestionModelFactory(factory.django.DjangoModelFactory):
    """A finished model on one coder's layer (no classifiers unless NodeClassifierFactory adds them)."""

    class Meta:
        model = SuggestionModel

    class Params:
        coder = factory.SubFactory(UserFactory)

    project = factory.SubFactory(ProjectFactory)
    version = factory.Sequence(lambda n: n + 1)
    layer = factory.LazyAttribute(lambda m: [m.coder.pk])
    layer_key = factory.LazyAttribute(lambda m: str(m.coder.pk))
    layer_label = factory.LazyAttribute(lambda m: m.coder.username)
    status = SuggestionModelStatus.READY


class NodeClassifierFactory(factory.django.DjangoModelFactory):
    """A node that had too few examples to train (trained=False needs no coefficients)."""

    class Meta:
        model = NodeClassifier

    model = factory.SubFactory(SuggestionModelFactory)
    node = factory.SubFactory(NodeFactory, project=factory.SelfAttribute("..model.project"))
    trained = False


class SuggestionFactory(factory.django.DjangoModelFactory):
    """An open suggestion over SAMPLE_TEXT's first article."""

    class Meta:
        model = Suggestion

    model = factory.SubFactory(SuggestionModelFactory)
    project = factory.LazyAttribute(lambda s: s.model.project)
    model_version = factory.LazyAttribute(lambda s: s.model.version)
    layer_key = factory.LazyAttribute(lambda s: s.model.layer_key)
    document = factory.SubFactory(DocumentFactory, project=factory.SelfAttribute("..model.project"))
    node = factory.SubFactory(NodeFactory, project=factory.SelfAttribute("..model.project"))
    start = factory.LazyAttribute(lambda s: first_article(s.document.text).start)
    end = factory.LazyAttribute(lambda s: first_article(s.document.text).end)
    label = factory.LazyAttribute(lambda s: first_article(s.document.text).label)
    probability = 0.87


class CorpusWordsFactory(factory.django.DjangoModelFactory):
    """A project's running word sums, as the first whole-corpus word frequency makes them: over one segmented
    document unless the project has others."""

    class Meta:
        model = CorpusWords

    project = factory.SubFactory(ProjectFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        project = kwargs["project"]
        DocumentTokensFactory(document__project=project)
        frequency.corpus_totals(project)
        return model_class.objects.get(project=project)


class CountedDocumentFactory(factory.django.DjangoModelFactory):
    """A segmented document's share of its project's word sums, as the sums record it."""

    class Meta:
        model = CountedDocument

    project = factory.SubFactory(ProjectFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        project = kwargs["project"]
        tokens = DocumentTokensFactory(document__project=project)
        frequency.corpus_totals(project)
        return model_class.objects.get(project=project, document_id=tokens.document_id)


def documents_in_bulk(project, count: int, **attributes) -> list:
    """`count` documents of a project in one INSERT, titled 文件000, 文件001 … in id order (for page sizes and query
    counts; no file is stored, as the document table never reads it)."""
    start = project.documents.count()
    return Document.objects.bulk_create(
        Document(
            project=project,
            title=f"文件{start + i:03d}",
            original_name=f"{start + i}.txt",
            original=f"bulk/{start + i}.txt",
            file_format="txt",
            text=f"第一条　文件{start + i}。",
            char_count=len(f"第一条　文件{start + i}。"),
            text_hash=text_hash(f"第一条　文件{start + i}。"),
            **attributes,
        )
        for i in range(count)
    )
