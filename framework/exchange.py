"""Codebook files: CSV, JSON and REFI-QDA .qdc, read into entries and written from the tree. Pure."""

import csv
import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, replace

import defusedxml
from defusedxml import ElementTree as SafeET
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from framework import tree
from policies import writers

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 10_000
MAX_DEPTH = tree.MAX_DEPTH
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
JSON_FORMAT = "policycoder-codebook"
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "qdc": ("application/xml", "qdc"),
}
FULLWIDTH_SLASH = "／"


@dataclass(frozen=True, slots=True)
class Entry:
    """One node as a file describes it: its path of names, and what it says about the node."""

    names: tuple[str, ...]
    description: str = ""
    color: str | None = None  # None: the file says nothing; keep the default
    guid: str | None = None
    note: str = ""  # something the reader changed, e.g. a “/” in a name
    ref: str = ""  # the guid attribute exactly as a REFI-QDA file wrote it (codings refer to it)
    codable: bool = True  # REFI isCodable: False for a node that only organizes others

    @property
    def path(self) -> str:
        return tree.SEPARATOR.join(self.names)


def format_of(filename: str) -> str:
    """The exchange format named by a file's extension."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FORMATS:
        raise ValidationError(
            _("“%(name)s”: import a .csv, .json or .qdc (REFI-QDA codebook) file.") % {"name": filename}
        )
    return extension


def read(data: bytes, fmt: str) -> list[Entry]:
    """Entries of a codebook file, parents before children; refuses oversized, malformed or hostile input."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The codebook file is larger than %(mb)d MB; nothing was imported.") % {"mb": MAX_BYTES // 1024 // 1024}
        )
    entries = {"csv": read_csv, "json": read_json, "qdc": read_qdc}[fmt](data)
    if len(entries) > MAX_NODES:
        raise ValidationError(_("The file holds more than %(max)d nodes; nothing was imported.") % {"max": MAX_NODES})
    return entries


# --- CSV: path, description, color (and guid) -----------------------------------------------------
CSV_HEADER = ["path", "description", "color", "guid"]
_CSV_ALIASES = {
    "path": "path",
    "路径": "path",
    "node": "path",
    "节点": "path",
    "description": "description",
    "描述": "description",
    "说明": "description",
    "color": "color",
    "colour": "color",
    "颜色": "color",
    "guid": "guid",
}


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese locales saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is not UTF-8 or GB18030 text."))


def read_csv(data: bytes) -> list[Entry]:
    """Rows of path, description, color[, guid]; a header row is optional; the path builds the hierarchy."""
    rows = [[writers.unguard(cell) for cell in row] for row in csv.reader(io.StringIO(_decode(data), newline=""))]
    columns = ["path", "description", "color", "guid"]
    if rows and rows[0] and rows[0][0].strip().lower() in ("path", "路径", "node", "节点"):
        columns = [_CSV_ALIASES.get(cell.strip().lower(), "") for cell in rows[0]]
        rows = rows[1:]
        start = 2
    else:
        start = 1
    if "path" not in columns:
        raise ValidationError(_("The CSV has no “path” column."))
    entries = []
    for number, cells in enumerate(rows, start=start):
        if not any(cell.strip() for cell in cells):
            continue
        values = {column: cell for column, cell in zip(columns, cells, strict=False) if column}
        entries.append(_csv_entry(number, values))
    return entries


def _csv_entry(number: int, values: dict[str, str]) -> Entry:
    path = values.get("path", "").strip()
    if not path:
        raise ValidationError(_("Row %(row)d: the path is empty.") % {"row": number})
    names = tree.split_path(path)
    if any(not name for name in names):
        raise ValidationError(
            _("Row %(row)d: “%(path)s” has an empty level (two “/” in a row, or one at the start or end).")
            % {"row": number, "path": path}
        )
    try:
        names = [tree.clean_name(name) for name in names]
        color = values.get("color", "").strip()
        color = tree.normalize_color(color) if color else None
        return _entry(tuple(names), values.get("description", ""), color, _guid(values.get("guid")))
    except ValidationError as error:
        raise ValidationError(
            _("Row %(row)d: %(error)s") % {"row": number, "error": " ".join(error.messages)}
        ) from None


def write_csv(ordered: Sequence[tree.TreeNode]) -> bytes:
    """One row per node in display order; UTF-8 with a BOM so Excel reads the Chinese, cells guarded as every
    CSV the app writes (read_csv takes the guard off again)."""
    lines = [CSV_HEADER, *([node.path, node.row.description, node.row.color, node.row.guid] for node in ordered)]
    return writers.csv_text(lines).encode()


# --- JSON: nested nodes ----------------------------------------------------------------------------
def write_json(roots: Sequence[tree.TreeNode], *, name: str = "") -> bytes:
    """The nested tree as JSON; read_json reads it back unchanged."""
    top: list[dict] = []
    stack = [(root, top) for root in reversed(roots)]
    while stack:  # iterative: no recursion limit, whatever the depth
        node, siblings = stack.pop()
        entry = {
            "name": node.row.name,
            "description": node.row.description,
            "color": node.row.color,
            "guid": node.row.guid,
            "children": [],
        }
        siblings.append(entry)
        stack.extend((child, entry["children"]) for child in reversed(node.children))
    document = {"format": JSON_FORMAT, "version": 1, "name": name, "nodes": top}
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def read_json(data: bytes) -> list[Entry]:
    """Nested nodes ({"nodes": [{name, description, color, guid, children}]}, or the bare list)."""
    try:
        document = json.loads(_decode(data))
    except (json.JSONDecodeError, RecursionError) as error:
        raise ValidationError(_("The file is not valid JSON: %(error)s") % {"error": str(error)[:200]}) from None
    nodes = document.get("nodes") if isinstance(document, dict) else document
    if not isinstance(nodes, list):
        raise ValidationError(_("The JSON needs a “nodes” list of {name, description, color, children}."))
    entries: list[Entry] = []
    stack: list[tuple[object, tuple[str, ...]]] = [(item, ()) for item in reversed(nodes)]
    while stack:
        item, parent = stack.pop()
        if not isinstance(item, dict):
            raise ValidationError(_("Each node in the JSON must be an object with a “name”."))
        name, note = _foreign_name(item.get("name"), parent)
        names = (*parent, name)
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise ValidationError(_("“%(path)s”: the description must be text.") % {"path": "/".join(names)})
        color = _color(item.get("color") or item.get("colour"), names)
        entries.append(_entry(names, description, color, _guid(item.get("guid")), note))
        if len(entries) > MAX_NODES:
            break  # read() refuses the file
        children = item.get("children") or []
        if not isinstance(children, list):
            raise ValidationError(_("“%(path)s”: “children” must be a list.") % {"path": "/".join(names)})
        stack.extend((child, names) for child in reversed(children))
    return entries


# --- REFI-QDA codebook (.qdc) -----------------------------------------------------------------------
def write_qdc(roots: Sequence[tree.TreeNode], *, origin: str = "PolicyCoder") -> bytes:
    """The REFI-QDA codebook exchange file (urn:QDA-XML:codebook:1.0) that NVivo, ATLAS.ti, MAXQDA read."""
    ET.register_namespace("", QDC_NAMESPACE)
    book = codebook_element(roots, QDC_NAMESPACE)
    book.set("origin", origin)
    return ET.tostring(book, encoding="utf-8", xml_declaration=True)


# Characters XML 1.0 cannot carry (C0 controls but tab, LF and CR; surrogates; U+FFFE/FFFF): never written.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Text as XML can hold it: characters XML 1.0 forbids are dropped, so no export is ever malformed."""
    return _NOT_XML.sub("", value)


def codebook_element(
    roots: Sequence[tree.TreeNode], namespace: str, *, notes: dict[str, list[str]] | None = None
) -> ET.Element:
    """The <CodeBook><Codes> tree in `namespace` (codebook or project), with each code's NoteRefs from `notes`."""
    q = f"{{{namespace}}}"
    book = ET.Element(f"{q}CodeBook")
    codes = ET.SubElement(book, f"{q}Codes")
    stack = [(codes, root) for root in reversed(roots)]
    while stack:
        parent, node = stack.pop()
        code = ET.SubElement(
            parent,
            f"{q}Code",
            {
                "guid": node.row.guid,
                "name": xml_text(node.row.name),
                "isCodable": "true" if node.row.codable else "false",
                "color": node.row.color,
            },
        )
        if node.row.description:
            ET.SubElement(code, f"{q}Description").text = xml_text(node.row.description)
        for note in (notes or {}).get(node.row.guid, ()):
            ET.SubElement(code, f"{q}NoteRef", {"targetGUID": note})
        stack.extend((code, child) for child in reversed(node.children))
    return book


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def read_qdc(data: bytes) -> list[Entry]:
    """Codes of a .qdc codebook (or the CodeBook inside a .qde project); DTDs and entities are refused."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException:
        raise ValidationError(
            _("The XML declares a DTD or entities, which a codebook does not need; nothing was imported.")
        ) from None
    except ET.ParseError as error:
        raise ValidationError(_("The file is not well-formed XML: %(error)s") % {"error": error}) from None
    book = root if _local(root.tag) == "CodeBook" else next((e for e in root if _local(e.tag) == "CodeBook"), None)
    return entries_of(book)


def entries_of(book) -> list[Entry]:
    """Entries of a parsed <CodeBook> element (ElementTree or lxml), parents first; `ref` keeps each code's guid."""
    codes = next((e for e in book if _local(e.tag) == "Codes"), None) if book is not None else None
    if codes is None:
        raise ValidationError(_("This is not a REFI-QDA codebook: no <CodeBook><Codes> element."))
    entries: list[Entry] = []
    stack = [(code, ()) for code in reversed([c for c in codes if _local(c.tag) == "Code"])]
    while stack:
        code, parent = stack.pop()
        name, note = _foreign_name(code.get("name"), parent)
        names = (*parent, name)
        description = next((e.text or "" for e in code if _local(e.tag) == "Description"), "")
        entry = _entry(names, description, _color(code.get("color"), names), _guid(code.get("guid")), note)
        codable = (code.get("isCodable") or "true").strip().lower() not in ("false", "0")
        entries.append(replace(entry, ref=code.get("guid") or "", codable=codable))
        if len(entries) > MAX_NODES:
            break  # read() refuses the file
        stack.extend((child, names) for child in reversed([c for c in code if _local(c.tag) == "Code"]))
    return entries


# --- shared checks --------------------------------------------------------------------------------
def _entry(names: tuple[str, ...], description: str, color: str | None, guid: str | None, note: str = "") -> Entry:
    """An entry of any format, through the checks every format shares: the depth limit and a clean description."""
    tree.check_depth(len(names))
    try:
        description = tree.clean_description(description)
    except ValidationError as error:
        raise ValidationError(f"“{'/'.join(names)}”: {' '.join(error.messages)}") from None
    return Entry(names, description, color, guid, note)


def _foreign_name(value, parent: tuple[str, ...]) -> tuple[str, str]:
    """A name from a nested file; a “/” (allowed by NVivo) becomes a full-width “／” so paths stay unambiguous."""
    if not isinstance(value, str) or not value.strip():
        where = "/".join(parent) or _("the top level")
        raise ValidationError(_("A node under %(where)s has no name.") % {"where": where})
    note = ""
    if tree.SEPARATOR in value:
        value, note = value.replace(tree.SEPARATOR, FULLWIDTH_SLASH), _("“/” in the name became “／”")
    try:
        return tree.clean_name(value), note
    except ValidationError as error:
        where = "/".join(parent) or _("the top level")
        raise ValidationError(
            _("A node under %(where)s: %(error)s") % {"where": where, "error": " ".join(error.messages)}
        ) from None


def _color(value, names: tuple[str, ...]) -> str | None:
    if value in (None, ""):
        return None
    try:
        return tree.normalize_color(str(value))
    except ValidationError as error:
        raise ValidationError(f"“{'/'.join(names)}”: {' '.join(error.messages)}") from None


def _guid(value) -> str | None:
    try:
        return str(uuid.UUID(str(value).strip())) if value else None
    except ValueError:
        return None  # a foreign or broken guid: the node gets a fresh one
