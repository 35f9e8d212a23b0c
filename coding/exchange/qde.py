"""project.qde (REFI-QDA 1.5 Project.xsd, urn:QDA-XML:project:1.0): written and read over plain values. Pure.

The writer streams: the head, then one <TextSource> at a time, then the notes, so a project of any size is written
in flat memory. The reader matches local element names (files in the wild use project:1.0, project:1:0 or older
namespaces), refuses DTDs and entities and never touches the network.
"""

import datetime
import hashlib
import io
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

from framework import exchange as codebook_exchange

NAMESPACE = "urn:QDA-XML:project:1.0"
Q = f"{{{NAMESPACE}}}"
ORIGIN = "PolicyCoder"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "Project.xsd"
# Our GUIDs for things that have no UUID of their own (users, variables, selections, memos): uuid5 in this space.
GUID_SPACE = uuid.UUID("6f2b7a9e-3c1d-5e4f-8a0b-9c8d7e6f5a4b")

SOURCE_KINDS = ("TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource")
VALUE_TAGS = {
    "Text": "TextValue",
    "Boolean": "BooleanValue",
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Date": "DateValue",
    "DateTime": "DateTimeValue",
}


_SPACE_BYTES = GUID_SPACE.bytes


def guid_for(*parts) -> str:
    """A stable GUID for something named by `parts`: uuid5 in GUID_SPACE (the same thing gets the same GUID in
    every export), computed without uuid.UUID objects since an export makes two per coding."""
    name = "\x1f".join(part if isinstance(part, str) else str(part) for part in parts)
    digest = bytearray(hashlib.sha1(_SPACE_BYTES + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def timestamp(moment: datetime.datetime | None) -> str | None:
    """xsd:dateTime to the second, in UTC."""
    if moment is None:
        return None
    if moment.tzinfo is not datetime.UTC:
        moment = moment.astimezone(datetime.UTC)
    date = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    return f"{date}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"


# --- values the writer takes and the reader gives -------------------------------------------------------------


@dataclass
class Coding:
    guid: str
    code: str  # the code's GUID
    user: str | None = None
    created: str | None = None


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    user: str | None = None
    created: str | None = None
    description: str = ""
    codings: list[Coding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Source:
    guid: str
    name: str
    kind: str = "TextSource"
    text: str | None = None  # inline PlainTextContent
    path: str | None = None  # plainTextPath
    rich_path: str | None = None
    user: str | None = None
    created: str | None = None
    description: str = ""
    selections: list[Selection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: list[tuple[str, str, str]] = field(default_factory=list)  # (variable guid, type, value)
    has_text: bool = True


@dataclass
class Note:
    guid: str
    name: str
    text: str
    user: str | None = None
    created: str | None = None
    modified: str | None = None


@dataclass
class Variable:
    guid: str
    name: str
    kind: str = "Text"


@dataclass
class Case:
    guid: str
    name: str
    values: list[tuple[str, str, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class Head:
    name: str
    origin: str = ""
    description: str = ""
    user: str | None = None
    created: str | None = None
    modified: str | None = None
    users: list[tuple[str, str]] = field(default_factory=list)  # (guid, name)
    variables: list[Variable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the project's own NoteRefs (the journal)


@dataclass
class Parsed:
    head: Head
    codebook: list[codebook_exchange.Entry]
    code_notes: dict[str, list[str]]  # code guid → note guids
    cases: list[Case]
    sources: list[Source]
    notes: dict[str, Note]
    dropped: dict[str, int] = field(default_factory=dict)  # Sets, Links, Graphs: no place for them here


# --- writer ---------------------------------------------------------------------------------------------------

_text = codebook_exchange.xml_text


def _attrs(**values) -> dict[str, str]:
    return {key: str(value) for key, value in values.items() if value is not None}


def write(
    handle,
    head: Head,
    codebook: ET.Element | None,
    sources: Iterable[Source],
    notes: Iterable[Note],
) -> None:
    """Write project.qde into `handle`: head and codebook, then each source as it comes, then the notes."""
    sources, notes = iter(sources), iter(notes)
    with etree.xmlfile(handle, encoding="utf-8") as xf:
        xf.write_declaration()
        root_attrs = _attrs(
            name=_text(head.name),
            origin=ORIGIN,
            creatingUserGUID=head.user,
            creationDateTime=head.created,
            modifiedDateTime=head.modified,
        )
        with xf.element(f"{Q}Project", root_attrs, nsmap={None: NAMESPACE}):
            if head.users:
                users = etree.Element(f"{Q}Users")
                for guid, name in head.users:
                    etree.SubElement(users, f"{Q}User", _attrs(guid=guid, name=_text(name)))
                xf.write(users)
            if codebook is not None and len(codebook[0]):
                xf.write(etree.fromstring(ET.tostring(codebook)))
            if head.variables:
                variables = etree.Element(f"{Q}Variables")
                for variable in head.variables:
                    etree.SubElement(
                        variables,
                        f"{Q}Variable",
                        _attrs(guid=variable.guid, name=_text(variable.name), typeOfVariable=variable.kind),
                    )
                xf.write(variables)
            first = next(sources, None)
            if first is not None:
                with xf.element(f"{Q}Sources"):
                    xf.write(_source_element(first))
                    for source in sources:
                        xf.write(_source_element(source))
            first_note = next(notes, None)
            if first_note is not None:
                with xf.element(f"{Q}Notes"):
                    xf.write(_note_element(first_note))
                    for note in notes:
                        xf.write(_note_element(note))
            if head.description:
                description = etree.Element(f"{Q}Description")
                description.text = _text(head.description)
                xf.write(description)
            for note in head.notes:
                xf.write(etree.Element(f"{Q}NoteRef", targetGUID=note))


def _source_element(source: Source):
    element = etree.Element(
        f"{Q}TextSource",
        _attrs(
            guid=source.guid,
            name=_text(source.name),
            richTextPath=source.rich_path,
            plainTextPath=source.path,
            creatingUser=source.user,
            creationDateTime=source.created,
        ),
    )
    if source.description:
        etree.SubElement(element, f"{Q}Description").text = _text(source.description)
    if source.text is not None:
        etree.SubElement(element, f"{Q}PlainTextContent").text = _text(source.text)
    for selection in source.selections:
        item = etree.SubElement(
            element,
            f"{Q}PlainTextSelection",
            _attrs(
                guid=selection.guid,
                startPosition=selection.start,
                endPosition=selection.end,
                creatingUser=selection.user,
                creationDateTime=selection.created,
            ),
        )
        if selection.description:
            etree.SubElement(item, f"{Q}Description").text = _text(selection.description)
        for coding in selection.codings:
            tag = etree.SubElement(
                item, f"{Q}Coding", _attrs(guid=coding.guid, creatingUser=coding.user, creationDateTime=coding.created)
            )
            etree.SubElement(tag, f"{Q}CodeRef", targetGUID=coding.code)
        for note in selection.notes:
            etree.SubElement(item, f"{Q}NoteRef", targetGUID=note)
    for note in source.notes:
        etree.SubElement(element, f"{Q}NoteRef", targetGUID=note)
    for variable, kind, value in source.values:
        item = etree.SubElement(element, f"{Q}VariableValue")
        etree.SubElement(item, f"{Q}VariableRef", targetGUID=variable)
        etree.SubElement(item, f"{Q}{VALUE_TAGS[kind]}").text = _text(value)
    return element


def _note_element(note: Note):
    element = etree.Element(
        f"{Q}Note",
        _attrs(
            guid=note.guid,
            name=_text(note.name),
            creatingUser=note.user,
            creationDateTime=note.created,
            modifiedDateTime=note.modified,
        ),
    )
    etree.SubElement(element, f"{Q}PlainTextContent").text = _text(note.text)
    return element


def schema() -> etree.XMLSchema:
    """The standard's Project.xsd (vendored beside this module)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


# --- reader ---------------------------------------------------------------------------------------------------

MAX_ELEMENTS = 5_000_000


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


def _child_text(element, name: str) -> str | None:
    found = next((child for child in element if _local(child.tag) == name), None)
    return None if found is None else (found.text or "")


def guid_key(value: str | None) -> str:
    """A GUID as files write it ({…}, upper case) in one spelling, so references match what they point to."""
    return (value or "").strip().strip("{}").lower()


def _guid(element, attribute: str = "guid") -> str:
    return guid_key(element.get(attribute))


def _user(element, attribute: str = "creatingUser") -> str | None:
    return guid_key(element.get(attribute)) or None


def _refs(element, name: str) -> list[str]:
    return [_guid(ref, "targetGUID") for ref in _children(element, name)]


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def read(data: bytes) -> Parsed:
    """The parts of a project.qde (or a bare .qdc codebook) as plain values; malformed or hostile XML is refused."""
    if _DOCTYPE.search(data):
        raise ValidationError(_("The XML declares a DTD or entities, which a REFI-QDA file does not need."))
    parser_options = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
    head = Head(name="")
    parsed = Parsed(head=head, codebook=[], code_notes={}, cases=[], sources=[], notes={})
    count = 0
    try:
        events = etree.iterparse(io.BytesIO(data), events=("start", "end"), remove_comments=True, **parser_options)
        depth = 0
        root = None
        for event, element in events:
            if event == "start":
                depth += 1
                count += 1
                if count > MAX_ELEMENTS:
                    raise ValidationError(_("The file has too many XML elements to import."))
                if root is None:
                    root = element
                continue
            depth -= 1
            if _local(root.tag) != "Project":
                continue
            if depth == 1:
                _top_level(parsed, element)
                element.clear()
            elif depth == 2 and _local(element.getparent().tag) == "Sources":
                parsed.sources.append(_source(element))
                element.clear()
    except etree.XMLSyntaxError as error:
        raise ValidationError(_("The file is not well-formed XML: %(error)s") % {"error": str(error)[:200]}) from None
    if root is None:
        raise ValidationError(_("The file is empty."))
    kind = _local(root.tag)
    if kind == "CodeBook":
        parsed.codebook = codebook_exchange.entries_of(root)
        parsed.code_notes = _code_notes(root)
    elif kind != "Project":
        raise ValidationError(_("This is not a REFI-QDA project (.qde) or codebook (.qdc)."))
    head.name = root.get("name") or ""
    head.user, head.created = _user(root, "creatingUserGUID"), root.get("creationDateTime")
    head.origin = root.get("origin") or ""
    return parsed


def _top_level(parsed: Parsed, element) -> None:
    name = _local(element.tag)
    head = parsed.head
    if name == "Users":
        head.users = [(_guid(user), user.get("name") or "") for user in _children(element, "User")]
    elif name == "CodeBook":
        parsed.codebook = codebook_exchange.entries_of(element)
        parsed.code_notes = _code_notes(element)
    elif name == "Variables":
        head.variables = [
            Variable(_guid(v), v.get("name") or "", v.get("typeOfVariable") or "Text")
            for v in _children(element, "Variable")
        ]
    elif name == "Cases":
        parsed.cases = [
            Case(_guid(case), case.get("name") or "", _values(case), _refs(case, "SourceRef"))
            for case in _children(element, "Case")
        ]
    elif name == "Notes":
        for note in _children(element, "Note"):
            guid = _guid(note)
            parsed.notes[guid] = Note(
                guid=guid,
                name=note.get("name") or "",
                text=_child_text(note, "PlainTextContent") or "",
                user=_user(note),
                created=note.get("creationDateTime"),
                modified=note.get("modifiedDateTime"),
            )
    elif name == "Description":
        head.description = element.text or ""
    elif name in ("Sets", "Links", "Graphs"):
        parsed.dropped[name] = len(element)
    elif name == "NoteRef":
        head.notes.append(_guid(element, "targetGUID"))


def _code_notes(book) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for code in book.iter():
        if _local(code.tag) == "Code":
            refs = _refs(code, "NoteRef")
            if refs:
                found[_guid(code)] = refs
    return found


def _values(element) -> list[tuple[str, str, str]]:
    values = []
    for item in _children(element, "VariableValue"):
        ref = next(iter(_refs(item, "VariableRef")), "")
        for child in item:
            tag = _local(child.tag)
            if tag.endswith("Value"):
                values.append((ref, tag.removesuffix("Value"), child.text or ""))
    return values


def _int(value) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            _("A selection has a position that is not a whole number: “%(value)s”.") % {"value": str(value)[:40]}
        ) from None


def _selections(element) -> list[Selection]:
    found = []
    for item in _children(element, "PlainTextSelection"):
        found.append(
            Selection(
                guid=_guid(item),
                start=_int(item.get("startPosition")),
                end=_int(item.get("endPosition")),
                user=_user(item),
                created=item.get("creationDateTime"),
                description=_child_text(item, "Description") or "",
                codings=[
                    Coding(
                        guid=_guid(coding),
                        code=next(iter(_refs(coding, "CodeRef")), ""),
                        user=_user(coding),
                        created=coding.get("creationDateTime"),
                    )
                    for coding in _children(item, "Coding")
                ],
                notes=_refs(item, "NoteRef"),
            )
        )
    return found


def _source(element) -> Source:
    kind = _local(element.tag)
    source = Source(
        guid=_guid(element),
        name=element.get("name") or "",
        kind=kind,
        user=_user(element),
        created=element.get("creationDateTime"),
        description=_child_text(element, "Description") or "",
        notes=_refs(element, "NoteRef"),
        values=_values(element),
    )
    text_element = element
    if kind == "PDFSource":  # a PDF imports through its plain-text representation
        text_element = next(iter(_children(element, "Representation")), None)
    if kind not in ("TextSource", "PDFSource") or text_element is None:
        source.has_text = False
        return source
    source.text = _child_text(text_element, "PlainTextContent")
    source.path = text_element.get("plainTextPath")
    source.rich_path = element.get("richTextPath") if kind == "TextSource" else element.get("path")
    source.selections = _selections(text_element)
    source.has_text = source.text is not None or bool(source.path)
    return source
