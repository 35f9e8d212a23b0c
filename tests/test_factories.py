"""The factories: one for every model of the project's apps, each making a row the database and the model's own
validation accept, with the same invariants the app keeps (a coding's text is its slice of the document, a section
or suggestion covers a real article, a token cache decodes back to the text)."""

import inspect

import factory
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

from coding.models import MemoKind
from policies.models import CorpusWords, DocumentTokens
from policies.text import segment
from tests import factories

pytestmark = pytest.mark.django_db

APPS = ("policies", "coding", "framework")


def all_factories() -> list[type[factory.django.DjangoModelFactory]]:
    """The factories of the models this database has (DocumentBigrams exists on PostgreSQL only)."""
    return [
        value
        for _name, value in inspect.getmembers(factories, inspect.isclass)
        if issubclass(value, factory.django.DjangoModelFactory)
        and value._meta.model is not None
        and value._meta.model._meta.can_migrate(connection)
    ]


def test_every_model_has_exactly_one_factory():
    models = {model for name in APPS for model in apps.get_app_config(name).get_models()} | {get_user_model()}
    models = {model for model in models if model._meta.can_migrate(connection)}
    made = [f._meta.model for f in all_factories()]
    missing = sorted(m.__name__ for m in models - set(made))
    doubled = sorted({m.__name__ for m in made if made.count(m) > 1})
    assert missing == [], f"models without a factory in tests/factories.py: {missing}"
    assert doubled == [], f"models with two factories: {doubled}"


@pytest.mark.parametrize("maker", all_factories(), ids=lambda f: f.__name__)
def test_factory_makes_a_valid_row(maker):
    model = maker._meta.model
    before = model.objects.count()
    row = maker()
    # field validators, choices and constraints, as a form would check them; "who did it" links the app leaves empty
    # when that user is gone (null=True, on_delete SET_NULL) are not required
    unset = [f.name for f in model._meta.concrete_fields if f.null and getattr(row, f.attname) is None]
    row.full_clean(exclude=unset)
    assert model.objects.count() == before + 1
    assert model.objects.filter(pk=row.pk).exists()


def test_two_rows_of_each_factory_do_not_collide():
    """Sequences keep unique names and texts unique, so a test can make several of anything."""
    for maker in all_factories():
        first, second = maker(), maker()
        assert first.pk != second.pk, maker.__name__


def test_coding_text_is_its_slice_of_the_document():
    coding = factories.CodingFactory(start=3, end=9)
    assert coding.text == coding.document.text[3:9]
    assert coding.node.project_id == coding.document.project_id


def test_section_and_suggestion_cover_the_first_article():
    section = factories.SectionFactory()
    assert section.document.text[section.start : section.end].startswith(section.label)
    assert section.label == "第一条"
    suggestion = factories.SuggestionFactory()
    assert suggestion.document.text[suggestion.start : suggestion.end].startswith("第一条")
    assert suggestion.node.project_id == suggestion.project_id == suggestion.document.project_id
    assert suggestion.model_version == suggestion.model.version


def test_memo_kind_follows_its_target():
    document = factories.DocumentFactory()
    node = factories.NodeFactory(project=document.project)
    assert factories.MemoFactory(project=document.project).kind == MemoKind.JOURNAL
    assert factories.MemoFactory(project=document.project, document=document).kind == MemoKind.DOCUMENT
    assert factories.MemoFactory(project=document.project, node=node).kind == MemoKind.NODE


def test_token_cache_decodes_back_to_the_text():
    tokens = factories.DocumentTokensFactory()
    words = tokens.words.split("\x1f")
    sequence = segment.decode_sequence(tokens.sequence, tokens.wide)
    assert "".join(words[i] for i in sequence) == tokens.document.text


def test_adjudication_names_its_two_codings():
    adjudication = factories.AdjudicationFactory()
    ids = [int(i) for i in adjudication.case.split(",")]
    assert ids == sorted(ids)
    assert len(ids) == 2
    assert {c.document_id for c in adjudication.document.codings.filter(pk__in=ids)} == {adjudication.document_id}


def test_word_sums_hold_the_segmented_document():
    share = factories.CountedDocumentFactory()
    sums = CorpusWords.objects.get(project=share.project)
    tokens = DocumentTokens.objects.get(document_id=share.document_id)
    assert sums.counted == 1
    assert sorted(sums.words.split("\x1f")) == sorted(tokens.words.split("\x1f"))
    assert share.version == tokens.version
