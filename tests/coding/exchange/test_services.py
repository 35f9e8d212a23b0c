"""Import of .qdpx as a new project: our own files come back whole; hostile files are refused with nothing stored."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from coding.exchange import services
from coding.models import Assignment, Coding, CodingEvent, CodingOptions, Memo
from policies.models import Document, Project, Section
from tests.coding.exchange.conftest import export_bytes
from tests.factories import UserFactory

TIMESTAMPS = re.compile(rb' (modifiedDateTime)="[^"]*"')


def _counts(project) -> dict:
    codings = Coding.objects.filter(document__project=project)
    options = CodingOptions.objects.filter(project=project).first()
    return {
        "documents": project.documents.count(),
        "per_coder": sorted(
            ((c.coder.first_name == "共识" and "共识") or c.coder.username, c.start, c.end, c.memo) for c in codings
        ),
        "memos": sorted((m.kind, m.title, m.body) for m in Memo.objects.filter(project=project)),
        "attributes": sorted(
            (d.title, d.province, str(d.issue_date), str(d.attributes)) for d in project.documents.all()
        ),
        "sections": Section.objects.filter(document__project=project).count(),
        "assignments": sorted(
            (a.coder.username, a.done_at is not None) for a in Assignment.objects.filter(project=project)
        ),
        "events": CodingEvent.objects.filter(project=project).count(),
        "blind": bool(options and options.blind),
        "adjudicators": sorted(u.username for u in options.adjudicators.all()) if options else [],
        "stopwords": list(project.stopwords.values_list("word", flat=True)),
        "dictionary": list(project.dictionary_terms.values_list("word", "frequency")),
        "custom": list(project.custom_attributes.values_list("name", flat=True)),
        "nodes": sorted(project.nodes.values_list("name", "guid", "description")),
    }


def _qde(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("project.qde")


@pytest.mark.django_db
def test_round_trip_into_an_empty_database_loses_nothing(rich_project, django_user_model):
    project, owner = rich_project["project"], rich_project["owner"]
    first = export_bytes(project, owner)
    before = _counts(project)
    # an empty database but the importer's account: the project, its documents and the other accounts are gone
    Project.objects.filter(pk=project.pk).delete()
    django_user_model.objects.exclude(pk=owner.pk).delete()
    report = services.project_import(user=owner, filename="backup.qdpx", data=first, match_users=True)
    restored = report.project
    assert _counts(restored) == before
    second = export_bytes(restored, owner)
    assert TIMESTAMPS.sub(b"", _qde(second)) == TIMESTAMPS.sub(b"", _qde(first))
    assert report.skipped == []


@pytest.mark.django_db
def test_restore_beside_the_original_gives_placeholder_coders_their_own_layers(rich_project):
    project, owner = rich_project["project"], rich_project["owner"]
    importer = UserFactory(username="restorer")
    report = services.project_import(user=importer, filename="backup.qdpx", data=export_bytes(project, owner))
    restored = report.project
    coders = sorted(set(Coding.objects.filter(document__project=restored).values_list("coder__username", flat=True)))
    assert coders == ["alice-imported", f"consensus-{restored.pk}", "owner-imported"]
    assert not restored.memberships.get(user__username="alice-imported").user.is_active
    assert restored.memberships.get(user=importer).role == "owner"
    assert {d.guid for d in restored.documents.all()}.isdisjoint({d.guid for d in project.documents.all()})
    assert report.counts["codings"] == 4


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _refused(user, data: bytes, message: str) -> None:
    projects, documents = Project.objects.count(), Document.objects.count()
    files = _media_files()
    with pytest.raises(ValidationError) as caught:
        services.project_import(user=user, filename="x.qdpx", data=data)
    assert message in " ".join(caught.value.messages)
    assert (Project.objects.count(), Document.objects.count()) == (projects, documents)
    assert _media_files() == files  # a source saved before the refusal leaves no file behind


def _media_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="外部项目">
<Users><User guid="11111111-1111-1111-1111-111111111111" name="Ann"/></Users>
<CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="数据" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="33333333-3333-3333-3333-333333333333" name="文件" plainTextPath="internal://a.txt">
<PlainTextSelection guid="44444444-4444-4444-4444-444444444444" startPosition="{start}" endPosition="{end}">
<Coding guid="55555555-5555-5555-5555-555555555555" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>
</PlainTextSelection></TextSource></Sources></Project>"""


def _foreign(start=0, end=2, user="11111111-1111-1111-1111-111111111111", code="22222222-2222-2222-2222-222222222222"):
    return QDE.format(start=start, end=end, user=user, code=code).encode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"project.qde": _foreign(0, 99)}, "lies outside its text"),
        ({"project.qde": _foreign(code="99999999-2222-2222-2222-222222222222")}, "which the codebook does not define"),
        ({"project.qde": _foreign(user="99999999-1111-1111-1111-111111111111")}, "whom the file does not define"),
        ({"project.qde": _foreign(), "../evil.txt": b"x"}, "Unsafe path"),
        ({"project.qde": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Project name="x"/>'}, "DTD"),
        ({"project.qde": b"<Project name="}, "not well-formed"),
        ({"project.qde": _foreign().replace("外部项目".encode(), "外部\x1b项目".encode())}, "not well-formed"),
        ({"project.qde": _foreign().replace(b'name="Ann"', b'name="A&#x85;nn"')}, "control character"),
        ({"readme.txt": b"x"}, "no project.qde"),
    ],
    ids=[
        "out-of-range",
        "unknown-code",
        "unknown-user",
        "traversal",
        "dtd",
        "broken",
        "raw-control",
        "c1-in-name",
        "no-qde",
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(owner, entries, message):
    entries.setdefault("sources/a.txt", "政策文本".encode())
    _refused(owner, _zip(entries), message)


@pytest.mark.django_db
def test_a_coding_lands_on_the_same_characters_through_bom_crlf_and_astral_characters(owner):
    text = "\ufeff第一行\r\n𠮷数据开放\r\n结尾"
    start = text.index("𠮷") - 1  # positions count code points after the BOM
    end = start + len("𠮷数据")
    data = _zip({"project.qde": _foreign(start, end), "sources/a.txt": text.encode("utf-8")})
    report = services.project_import(user=owner, filename="x.qdpx", data=data)
    coding = Coding.objects.get(document__project=report.project)
    assert coding.text == "𠮷数据"
    assert coding.document.text[coding.start : coding.end] == "𠮷数据"
    assert coding.document.text == "第一行\n𠮷数据开放\n结尾"


@pytest.mark.django_db
def test_matching_by_name_never_reaches_accounts_outside_the_importers_teams(rich_project):
    project, owner = rich_project["project"], rich_project["owner"]
    data = export_bytes(project, owner)
    stranger = UserFactory(username="newcomer-owner")
    report = services.project_import(user=stranger, filename="x.qdpx", data=data, match_users=True)
    members = set(report.project.memberships.values_list("user__username", flat=True))
    assert members == {"newcomer-owner", "owner-imported", "alice-imported", "viewer-imported"}
    assert not Coding.objects.filter(document__project=report.project, coder=owner).exists()
