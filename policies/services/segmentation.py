"""Text analytics state: the segmentation cache and its background runs, the project dictionary, word groups and
stopwords."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from policies import control_chars
from policies.models import (
    DictionaryTerm,
    Document,
    DocumentTokens,
    Project,
    Segmentation,
    SegmentationStatus,
    Stopword,
    WordGroup,
    WordGroupKind,
)
from policies.text import frequency, segment

SEGMENT_BATCH = 50  # documents per transaction while (re-)segmenting: progress moves, memory stays flat


def _segmentation(project_id: int) -> Segmentation:
    return Segmentation.objects.get_or_create(project_id=project_id)[0]


def tokens_store(*, documents, terms: tuple, version: int) -> None:
    """Segment each document with the dictionary `terms` and store (or replace) its cached tokens."""
    segmenter = segment.segmenter_for(terms)
    rows = [
        DocumentTokens(document_id=d.pk, version=version, **segment.encode(segment.segment_text(d.text, segmenter)))
        for d in documents
    ]
    DocumentTokens.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["document"],
        update_fields=["version", "words", "tags", "counts", "sequence", "wide"],
    )


def segmentation_schedule(*, project: Project, documents) -> None:
    """Segment newly imported documents: in the request when small, on the task queue when large."""
    documents = [d for d in documents if d is not None]
    if not documents:
        return
    state = _segmentation(project.pk)
    if sum(d.char_count for d in documents) <= settings.SEGMENT_INLINE_CHARS:
        tokens_store(documents=documents, terms=segment.project_terms(project), version=state.version)
        frequency.corpus_totals(project)  # the word sums take them in now, so reading them stays a read
    else:
        _enqueue_segmentation(state)


# The segmentation task by its dotted path, which django-tasks also stores in every queued row (so it never moves):
# policies.tasks imports this module to run the work, and this module enqueues by name rather than import it back.
SEGMENT_TASK = "policies.tasks.segment_project"


def segment_task():
    return import_string(SEGMENT_TASK)


def _enqueue_segmentation(state: Segmentation) -> None:
    Segmentation.objects.filter(pk=state.pk).update(status=SegmentationStatus.QUEUED, done=0, total=0, error="")
    segment_task().enqueue(state.pk, state.version)


def segmentation_restart(*, project: Project) -> Segmentation:
    """A new dictionary version: every document is re-segmented in the background (old tokens serve meanwhile)."""
    with transaction.atomic():
        state = Segmentation.objects.select_for_update().get_or_create(project_id=project.pk)[0]
        state.version += 1
        state.save(update_fields=["version"])
    _enqueue_segmentation(state)
    return state


def segmentation_run(*, project_id: int, version: int, worker: str = "") -> int:
    """Segment every document of the project not yet segmented with dictionary `version`; returns how many.

    Records `worker` and a heartbeat after every batch, so work a dead worker leaves behind is seen as stale and
    restarted (work_recover); a restart picks up where the batches stopped. Stops early when a newer version has
    been requested (its own task takes over)."""
    state = Segmentation.objects.filter(pk=project_id).first()
    if state is None or state.version != version:
        return 0
    project = state.project
    pending = Document.objects.filter(project_id=project_id).filter(
        Q(tokens__isnull=True) | ~Q(tokens__version=version)
    )
    total = pending.count()
    Segmentation.objects.filter(pk=project_id, version=version).update(
        status=SegmentationStatus.RUNNING, done=0, total=total, error="", worker=worker, heartbeat_at=timezone.now()
    )
    terms, done, last = segment.project_terms(project), 0, 0
    try:
        while True:
            batch = list(pending.filter(pk__gt=last).order_by("pk").only("id", "text")[:SEGMENT_BATCH])
            if not batch:
                break
            if not Segmentation.objects.filter(pk=project_id, version=version).exists():
                return done  # superseded by a newer dictionary version
            with transaction.atomic():
                tokens_store(documents=batch, terms=terms, version=version)
            done, last = done + len(batch), batch[-1].pk
            Segmentation.objects.filter(pk=project_id, version=version).update(
                done=min(done, total), heartbeat_at=timezone.now()
            )
        # The corpus word sums take the new segmentations in here, in the worker: otherwise the first word-frequency
        # request after a re-segmentation would recount every document (about 34 s at 20,000 documents).
        frequency.corpus_totals(project)
    except Exception as error:
        Segmentation.objects.filter(pk=project_id).update(status=SegmentationStatus.FAILED, error=str(error)[:1000])
        raise
    Segmentation.objects.filter(pk=project_id, version=version).update(
        status=SegmentationStatus.READY, done=total, total=total
    )
    return done


def _dictionary_error(error: segment.DictionaryError) -> ValidationError:
    return ValidationError(str(error))


@transaction.atomic
def dictionary_term_add(*, project: Project, word: str, frequency=None, tag: str = "") -> DictionaryTerm:
    """Add a word to the project dictionary (a frequency is suggested when none is given), then re-segment."""
    try:
        word = segment.check_word((word or "").strip())
        frequency = segment.check_frequency(frequency)
        tag = segment.check_tag((tag or "").strip())
    except segment.DictionaryError as error:
        raise _dictionary_error(error) from None
    if project.dictionary_terms.filter(word=word).exists():
        raise ValidationError(_("“%(word)s” is already in the project dictionary.") % {"word": word})
    suggested = frequency is None
    if suggested:
        frequency = segment.suggest_frequency(word, segment.project_terms(project))
    term = DictionaryTerm.objects.create(project=project, word=word, frequency=frequency, tag=tag, suggested=suggested)
    segmentation_restart(project=project)
    return term


@transaction.atomic
def dictionary_import(*, project: Project, data: bytes) -> int:
    """Add (or update) every line of an uploaded user dictionary, all or nothing, then re-segment; returns the count."""
    try:
        entries = segment.parse_dictionary(segment.decode_upload(data))
    except segment.DictionaryError as error:
        raise _dictionary_error(error) from None
    terms = segment.project_terms(project)
    existing = {t.word: t for t in project.dictionary_terms.select_for_update()}
    for word, weight, tag in entries:
        suggested = weight is None
        if suggested:
            weight = segment.suggest_frequency(word, terms)
        terms += (segment.Term(word, weight, tag),)
        term = existing.get(word) or DictionaryTerm(project=project, word=word)
        term.frequency, term.tag, term.suggested = weight, tag, suggested
        term.save()
    segmentation_restart(project=project)
    return len(entries)


@transaction.atomic
def dictionary_term_remove(*, project: Project, term_id: int) -> None:
    """Take a word out of the project dictionary, then re-segment."""
    deleted, _count = project.dictionary_terms.filter(pk=term_id).delete()
    if not deleted:
        raise ValidationError(_("That word is not in the project dictionary."))
    segmentation_restart(project=project)


MAX_GROUP_WORDS = 200


@transaction.atomic
def word_group_save(*, project: Project, kind: str, name: str, words: str, group_id: int | None = None) -> WordGroup:
    """Create a word group, or replace the kind, name and words of one (by id); nothing changes on a bad value."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the word group a name."))
    bad = control_chars.in_name(name) or control_chars.in_text(words or "")
    if bad:
        raise ValidationError(
            _("The word group contains a control character (%(char)s).") % {"char": control_chars.code_point(bad)}
        )
    if len(name) > 50:
        raise ValidationError(_("A word group's name has at most 50 characters."))
    if kind not in WordGroupKind.values:
        raise ValidationError(_("Choose the kind of word group."))
    try:
        word_list = segment.parse_words(words or "")
    except segment.DictionaryError as error:
        raise _dictionary_error(error) from None
    if not word_list:
        raise ValidationError(_("Enter at least one word for the group."))
    if len(word_list) > MAX_GROUP_WORDS:
        raise ValidationError(_("A word group holds at most %(limit)d words.") % {"limit": MAX_GROUP_WORDS})
    clash = project.word_groups.filter(name=name)
    group = WordGroup(project=project) if group_id is None else project.word_groups.filter(pk=group_id).first()
    if group is None:
        raise ValidationError(_("That word group no longer exists."))
    if clash.exclude(pk=group.pk).exists():
        raise ValidationError(_("There is already a word group named “%(name)s”.") % {"name": name})
    group.kind, group.name, group.words = kind, name, " ".join(word_list)
    group.save()
    return group


def word_group_remove(*, project: Project, group_id: int) -> None:
    if not project.word_groups.filter(pk=group_id).delete()[0]:
        raise ValidationError(_("That word group no longer exists."))


@transaction.atomic
def stopwords_set(*, project: Project, text: str) -> int:
    """Replace the project's own stopwords; word frequencies apply them at once (no re-segmentation needed)."""
    try:
        words = segment.parse_words(text or "")
    except segment.DictionaryError as error:
        raise _dictionary_error(error) from None
    project.stopwords.all().delete()
    Stopword.objects.bulk_create([Stopword(project=project, word=w) for w in words])
    return len(words)
