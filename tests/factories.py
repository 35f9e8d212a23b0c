"""One factory per model, with short Chinese sample text."""

import factory
from django.contrib.auth import get_user_model

from coding.models import Coding
from framework.models import Node
from policies.models import Document, Membership, Project, Role
from policies.services.documents import text_hash

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

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"政府数据共享开放条例{n}")
    original_name = "sample.txt"
    original = factory.django.FileField(filename="sample.txt", data=b"sample")
    file_format = "txt"
    text = factory.Sequence(lambda n: f"{SAMPLE_TEXT}附件{n}")
    char_count = factory.LazyAttribute(lambda d: len(d.text))
    text_hash = factory.LazyAttribute(lambda d: text_hash(d.text))
    province = "贵州省"


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
