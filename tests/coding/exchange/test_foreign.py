# ruff: noqa: E501 - the fixtures are XML as the tools write it, one element a line
"""Projects written by other tools import with every code and coding on the same characters.

The files are hand-built in the shapes NVivo, MAXQDA, ATLAS.ti and QualCoder write (checked against real exports
in public repositories: upper-case GUIDs, internal:// paths, a Sources/ folder, Cases carrying variables, Sets,
texts saved with a BOM and CRLF line breaks, ATLAS.ti counting a CRLF as one character), small enough to read.
"""

import io
import zipfile

import pytest

from coding.exchange import services
from coding.models import Coding, Memo, MemoKind

TEXT = "第一章　总则\r\n第一条　为了促进𠮷数据开放，制定本条例。\r\n第二条　本条例适用于贵州省。\r\n"
NORMALIZED = "第一章　总则\n第一条　为了促进𠮷数据开放，制定本条例。\n第二条　本条例适用于贵州省。"
PASSAGES = ("促进𠮷数据开放", "本条例适用于贵州省", "总则")


def _span(text: str, passage: str) -> tuple[int, int]:
    start = text.index(passage)
    return start, start + len(passage)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


CODES = """<CodeBook><Codes>
  <Code guid="{A1B2C3D4-0000-4000-8000-000000000001}" name="数据开放" isCodable="true" color="#FF0000">
    <Description>开放的规则</Description>
    <NoteRef targetGUID="{A1B2C3D4-0000-4000-8000-0000000000F1}"/>
    <Code guid="{A1B2C3D4-0000-4000-8000-000000000002}" name="适用范围" isCodable="true"/>
  </Code>
  <Code guid="{A1B2C3D4-0000-4000-8000-000000000003}" name="结构" isCodable="true"/>
</Codes></CodeBook>"""
PLAIN_CODES = CODES.replace('<NoteRef targetGUID="{A1B2C3D4-0000-4000-8000-0000000000F1}"/>', "")


def _selections(text: str, user: str) -> str:
    parts = []
    for number, (passage, code) in enumerate(zip(PASSAGES, ("1", "2", "3"), strict=True)):
        start, end = _span(text, passage)
        parts.append(
            f'<PlainTextSelection guid="B0000000-0000-4000-8000-00000000000{number}" startPosition="{start}" '
            f'endPosition="{end}" creatingUser="{user}"><Description>理由{number}</Description>'
            f'<Coding guid="C0000000-0000-4000-8000-00000000000{number}" creatingUser="{user}">'
            f'<CodeRef targetGUID="A1B2C3D4-0000-4000-8000-00000000000{code}"/></Coding></PlainTextSelection>'
        )
    return "".join(parts)


def _nvivo() -> bytes:
    user = "D0000000-0000-4000-8000-000000000001"
    source = "E0000000-0000-4000-8000-000000000001"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="NVivo 项目" origin="NVivo 14" xmlns="urn:QDA-XML:project:1.0">
<Users><User guid="{user}" name="Li Wei"/></Users>
{CODES}
<Variables>
  <Variable guid="F0000000-0000-4000-8000-000000000001" name="省份" typeOfVariable="Text"/>
  <Variable guid="F0000000-0000-4000-8000-000000000002" name="发布日期" typeOfVariable="Date"/>
  <Variable guid="F0000000-0000-4000-8000-000000000003" name="领域" typeOfVariable="Text"/>
</Variables>
<Cases><Case guid="F1000000-0000-4000-8000-000000000001" name="贵州">
  <VariableValue><VariableRef targetGUID="F0000000-0000-4000-8000-000000000001"/><TextValue>贵州</TextValue></VariableValue>
  <VariableValue><VariableRef targetGUID="F0000000-0000-4000-8000-000000000002"/><DateValue>2021-11-25</DateValue></VariableValue>
  <VariableValue><VariableRef targetGUID="F0000000-0000-4000-8000-000000000003"/><TextValue>数据</TextValue></VariableValue>
  <SourceRef targetGUID="{source}"/>
</Case></Cases>
<Sources><TextSource guid="{source}" name="贵州省数据条例" plainTextPath="internal://{source}.txt"
  richTextPath="internal://{source}.docx" creatingUser="{user}">
{_selections(TEXT, user)}
<NoteRef targetGUID="A1B2C3D4-0000-4000-8000-0000000000F2"/>
</TextSource></Sources>
<Notes>
  <Note guid="A1B2C3D4-0000-4000-8000-0000000000F1" name="编码备忘" creatingUser="{user}"><PlainTextContent>关于开放</PlainTextContent></Note>
  <Note guid="A1B2C3D4-0000-4000-8000-0000000000F2" name="文件备忘" creatingUser="{user}"><PlainTextContent>重要文件</PlainTextContent></Note>
</Notes>
</Project>"""
    return _zip({"project.qde": qde.encode(), f"sources/{source}.txt": ("\ufeff" + TEXT).encode()})


def _maxqda() -> bytes:
    user = "D0000000-0000-4000-8000-000000000002"
    source = "E0000000-0000-4000-8000-000000000002"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:QDA-XML:project:1.0" origin="MAXQDA 24" name="MAXQDA 项目">
 <Users><User guid="{user}" name="johnb"/></Users>
 {PLAIN_CODES}
 <Sources><TextSource guid="{source}" name="条例" plainTextPath="internal://{source}.txt" creatingUser="{user}">
 {_selections(TEXT, user)}
 </TextSource></Sources>
 <Sets><Set guid="45FE4439-9BF4-47FC-AFAF-D87305293172" name="2024"><MemberSource targetGUID="{source}"/></Set></Sets>
</Project>"""
    return _zip({"project.qde": qde.encode(), f"Sources/{source}.txt": TEXT.encode()})


def _atlas() -> bytes:
    user = "088B08AC-D5CD-4ADB-8B71-B4F3459C177F"
    source = "E0000000-0000-4000-8000-000000000003"
    counted = TEXT.replace("\r\n", "\n")  # ATLAS.ti counts CRLF as one character
    qde = f"""<?xml version="1.0" encoding="utf-8"?>\r
<Project origin="ATLAS.ti for Windows 23.2.3.27778" name="atlas" creatingUserGUID="{user}" xmlns="urn:QDA-XML:project:1:0">\r
  <Users><User guid="{user}" name="Enric"/><User guid="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B" name="ATLAS.ti"/></Users>\r
  {PLAIN_CODES}
  <Sources><TextSource guid="{source}" name="条例" plainTextPath="internal://{source}.txt">{_selections(counted, user)}</TextSource></Sources>
</Project>"""
    return _zip({"project.qde": qde.encode(), f"sources/{source}.txt": TEXT.encode()})


def _qualcoder() -> bytes:
    user = "d0000000-0000-4000-8000-000000000004"
    source = "e0000000-0000-4000-8000-000000000004"
    text = TEXT.replace("\r\n", "\n")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="qualcoder" origin="QualCoder 3.6" xmlns="urn:QDA-XML:project:1.0">
<Users><User guid="{user}" name="default"/></Users>
{PLAIN_CODES.replace("{", "").replace("}", "")}
<Sources><PDFSource guid="{source}" name="条例.pdf" path="internal://{source}.pdf">
<Representation guid="e1000000-0000-4000-8000-000000000004" plainTextPath="internal://{source}.txt">
{_selections(text, user)}
</Representation></PDFSource>
<PictureSource guid="e2000000-0000-4000-8000-000000000004" name="图.png" path="internal://x.png"/>
</Sources>
</Project>"""
    return _zip({"project.qde": qde.encode(), f"sources/{source}.txt": ("\ufeff" + text).encode()})


@pytest.mark.django_db
@pytest.mark.parametrize("build", [_nvivo, _maxqda, _atlas, _qualcoder], ids=["nvivo", "maxqda", "atlas", "qualcoder"])
def test_every_code_and_coding_lands_on_the_same_characters(owner, build):
    report = services.project_import(user=owner, filename="foreign.qdpx", data=build())
    project = report.project
    assert sorted(project.nodes.values_list("name", flat=True)) == ["数据开放", "结构", "适用范围"]
    document = project.documents.get()
    assert document.text == NORMALIZED
    codings = {c.node.name: c for c in Coding.objects.filter(document=document)}
    assert {name: c.text for name, c in codings.items()} == {
        "数据开放": "促进𠮷数据开放",
        "适用范围": "本条例适用于贵州省",
        "结构": "总则",
    }
    assert all(document.text[c.start : c.end] == c.text for c in codings.values())
    assert codings["数据开放"].memo == "理由0"
    assert report.counts["codings"] == 3


@pytest.mark.django_db
def test_nvivo_cases_give_attributes_and_notes_become_memos(owner):
    project = services.project_import(user=owner, filename="nvivo.qdpx", data=_nvivo()).project
    document = project.documents.get()
    assert (document.province, str(document.issue_date), document.attributes) == (
        "贵州省",
        "2021-11-25",
        {"领域": "数据"},
    )
    assert Memo.objects.get(project=project, kind=MemoKind.DOCUMENT).body == "重要文件"
    assert Memo.objects.get(project=project, kind=MemoKind.NODE).node.name == "数据开放"
    coder = Coding.objects.filter(document=document).first().coder
    assert coder.username == "Li_Wei"
    assert not coder.is_active


@pytest.mark.django_db
def test_what_has_no_place_here_is_listed_in_the_report(owner):
    maxqda = services.project_import(user=owner, filename="m.qdpx", data=_maxqda()).as_dict()
    assert any("Sets" in line for line in maxqda["skipped"])
    qualcoder = services.project_import(user=owner, filename="q.qdpx", data=_qualcoder()).as_dict()
    assert any("图.png" in line and "no plain text" in line for line in qualcoder["skipped"])
    atlas = services.project_import(user=owner, filename="a.qdpx", data=_atlas()).as_dict()
    assert any("ATLAS.ti" in line for line in atlas["changed"])


@pytest.mark.django_db
def test_a_bare_codebook_imports_as_a_new_project(owner):
    qdc = f'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">{PLAIN_CODES[10:-11]}</CodeBook>'
    report = services.project_import(user=owner, filename="codes.qdc", data=qdc.encode())
    assert report.project.nodes.count() == 3
    assert report.project.documents.count() == 0
