"""Import a REFI-QDA project (.qdpx, or a bare .qde/.qdc) as a new project owned by the importer: all or nothing.

A .qdpx written by PolicyCoder comes back whole (its policycoder/ folder restores what the standard cannot hold);
one from NVivo, ATLAS.ti, MAXQDA or QualCoder brings its sources, codes, codings, users, variables and notes.
Hostile input is refused with a message and nothing stored: unsafe zip entries, DTDs, control characters in names,
selections outside their text, references to GUIDs the file does not define.
"""

import datetime
import json
import re
import uuid
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from coding import services as coding_services
from coding.exchange import offsets, qde, qdpx
from coding.models import Assignment, Coding, CodingEvent, Memo, MemoKind
from framework import services as framework_services
from framework import tree
from policies import control_chars, extraction
from policies.models import DictionaryTerm, Document, Membership, Project, Role
from policies.provinces import UnknownProvince
from policies.services.attributes import ATTRIBUTE_FIELDS, clean_attributes, custom_attributes_define
from policies.services.documents import DocumentRefused, document_restore
from policies.services.projects import project_create
from policies.services.segmentation import stopwords_set

ATTRIBUTE_NAMES = {
    "province": ("省份", "省", "province", "省份/地区", "地区"),
    "issuer": ("发布机关", "发文机关", "issuer", "发布单位"),
    "issuer_type": ("发布机关类型", "issuer type", "issuer_type"),
    "issue_date": ("发布日期", "发文日期", "issue date", "issue_date", "date"),
    "doc_number": ("文号", "发文字号", "document number", "doc_number"),
    "policy_type": ("政策类型", "policy type", "policy_type"),
}
_FIELD_OF = {name.casefold(): field for field, names in ATTRIBUTE_NAMES.items() for name in names}
MAX_USERS = 1000
INSERT_BATCH = 100  # rows per multi-row INSERT: under SQLite's 999 parameters
USERNAME_CHARS = re.compile(r"[^\w.@+-]")


@dataclass
class ImportReport:
    project: Project | None = None
    counts: dict = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "project": self.project.pk if self.project else None,
            "detail": _(
                "Imported %(sources)d sources, %(codes)d codes, %(codings)d codings, %(users)d users, %(notes)d notes."
            )
            % self.counts,
            "counts": self.counts,
            "skipped": self.skipped,
            "changed": self.changed,
        }


def _refuse(message: str) -> ValidationError:
    return ValidationError(message)


def _clean_name(value: str, what: str) -> str:
    if bad := control_chars.in_name(value or ""):
        raise _refuse(
            _("%(what)s “%(name)s” contains a control character (%(char)s); nothing was imported.")
            % {"what": what, "name": control_chars.shown(value), "char": control_chars.code_point(bad)}
        )
    return (value or "").strip()


def _clean_text(value: str, what: str) -> str:
    if bad := control_chars.in_text(value or ""):
        raise _refuse(
            _("%(what)s contains a control character (%(char)s); nothing was imported.")
            % {"what": what, "char": control_chars.code_point(bad)}
        )
    return value or ""


def _moment(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


# --- the file --------------------------------------------------------------------------------------------------


def _unpack(filename: str, data: bytes) -> tuple[bytes, dict[str, bytes]]:
    """project.qde's bytes and the zip's other files by name (none for a bare .qde/.qdc)."""
    limit = settings.QDPX_MAX_MB * 1024 * 1024
    if not data:
        raise _refuse(_("This file is empty."))
    if len(data) > limit:
        raise _refuse(_("The file is larger than %(mb)d MB; nothing was imported.") % {"mb": settings.QDPX_MAX_MB})
    if not data.startswith(b"PK"):
        return data, {}
    try:
        members = extraction.iter_zip(data, max_entries=settings.QDPX_MAX_ENTRIES, max_unpacked_bytes=limit)
    except extraction.ExtractionError as error:
        raise _refuse(str(error)) from None
    files = {}
    for member in members:
        if member.error:
            raise _refuse(
                _("“%(name)s” in the archive: %(error)s Nothing was imported.")
                % {"name": control_chars.shown(member.name), "error": member.error}
            )
        files[member.name.replace("\\", "/")] = member.data
    projects = sorted(name for name in files if name.lower().endswith(".qde"))
    if not projects:
        raise _refuse(_("The archive holds no project.qde: is it a REFI-QDA project (.qdpx)?"))
    return files.pop(projects[0]), files


def _extension(files: dict[str, bytes]) -> dict:
    """The policycoder/ folder of our own exports, checked for shape; {} for other tools' files."""
    raw = files.get("policycoder/project.json")
    if raw is None:
        return {}
    try:
        project = json.loads(raw)
        documents = json.loads(files.get("policycoder/documents.json", b"[]"))
        assignments = json.loads(files.get("policycoder/assignments.json", b"[]"))
        audit = [json.loads(line) for line in files.get("policycoder/audit.jsonl", b"").splitlines() if line.strip()]
    except (ValueError, RecursionError):
        raise _refuse(_("The policycoder/ folder of this file is damaged; nothing was imported.")) from None
    if not (isinstance(project, dict) and project.get("format") == qdpx.FORMAT):
        return {}
    if not (isinstance(documents, list) and isinstance(assignments, list)):
        raise _refuse(_("The policycoder/ folder of this file is damaged; nothing was imported."))
    project["documents"] = {d.get("guid"): d for d in documents if isinstance(d, dict)}
    project["assignments"], project["audit"] = assignments, audit
    return project


# --- the import ------------------------------------------------------------------------------------------------


def project_import(*, user, filename: str, data: bytes, match_users: bool = False) -> ImportReport:
    """Import a REFI-QDA project or codebook as a new project owned by `user`; refuses (ValidationError) or
    imports everything it can, listing what it skipped or changed and why."""
    qde_bytes, files = _unpack(filename, data)
    parsed = qde.read(qde_bytes)
    extension = _extension(files)
    importer = _Importer(user, filename, parsed, files, extension, match_users)
    try:
        with transaction.atomic():
            return importer.run()
    except BaseException:
        importer.delete_saved_files()  # the rows rolled back; the files their documents saved go with them
        raise


class _Importer:
    def __init__(self, user, filename, parsed: qde.Parsed, files, extension, match_users):
        self.user, self.parsed, self.files, self.ext, self.match_users = user, parsed, files, extension, match_users
        self.filename = filename
        self.report = ImportReport()
        self.users: dict[str, object] = {}
        self.codes: dict[str, int] = {}
        self.documents: dict[str, Document] = {}
        self.coding_ids: dict[tuple, int] = {}
        self.memo_notes: set[str] = set()
        self.saved_files: list = []  # (storage, name) of each original file written, removed if the import fails
        self.folded = {name.lower(): name for name in files}
        # ATLAS.ti counts a CRLF line break as one character in its positions (its .txt files keep CRLF)
        self.crlf_is_one = "atlas.ti" in parsed.head.origin.lower()

    def delete_saved_files(self) -> None:
        for storage, name in self.saved_files:
            storage.delete(name)

    def run(self) -> ImportReport:
        head = self.parsed.head
        name = _clean_name(head.name, _("The project name")) or PurePosixPath(self.filename).stem or "REFI-QDA"
        project = project_create(
            user=self.user, name=name, description=_clean_text(head.description, _("The project description"))
        )
        self.project = self.report.project = project
        if created := _moment(head.created):
            Project.objects.filter(pk=project.pk).update(created_at=created)
            project.created_at = created
        for what, count in self.parsed.dropped.items():
            self.report.skipped.append(
                _("%(count)d %(what)s: PolicyCoder has no place for them.") % {"count": count, "what": what}
            )
        self._users()
        self._codebook()
        custom_attributes_define(project, self.ext.get("custom_attributes") or [])
        counts = self._sources()
        notes = self._notes()
        self._extras()
        self.report.counts = {
            "sources": len(self.documents),
            "codes": len(set(self.codes.values())),
            "codings": counts,
            "users": len(self.users),
            "notes": notes,
        }
        return self.report

    # users → members (placeholders unless matched by name) ---------------------------------------------------
    def _users(self) -> None:
        if len(self.parsed.head.users) > MAX_USERS:
            raise _refuse(_("The file names more than %(max)d users.") % {"max": MAX_USERS})
        roles = {m.get("user"): m for m in self.ext.get("members", []) if isinstance(m, dict)}
        user_model = get_user_model()
        # matched by name only among the importer's own teams (members of projects the importer owns), so a file
        # cannot put codings or a membership on an account of someone the importer does not work with
        team = user_model.objects.filter(
            memberships__project__memberships__user=self.user, memberships__project__memberships__role=Role.OWNER
        )
        for guid, name in self.parsed.head.users:
            if not guid:
                raise _refuse(_("A user in the file has no GUID; nothing was imported."))
            name = _clean_name(name, _("The user"))
            if guid == self.ext.get("consensus"):
                self.users[guid] = coding_services.consensus_coder(self.project)
                continue
            username = str(roles.get(guid, {}).get("username") or name or "coder")[:150]
            account = None
            if self.match_users:
                account = self.user if username == self.user.get_username() else team.filter(username=username).first()
            if account is None:
                account = self._placeholder(username)
            self.users[guid] = account
            role = roles.get(guid, {}).get("role", Role.CODER)
            if account.pk != self.user.pk:
                Membership.objects.get_or_create(
                    project=self.project,
                    user=account,
                    defaults={"role": role if role in Role.values else Role.CODER},
                )

    def _placeholder(self, username: str):
        user_model = get_user_model()
        base = USERNAME_CHARS.sub("_", username)[:120] or "coder"
        candidate, number = base, 1
        while user_model.objects.filter(username=candidate).exists():
            number += 1
            candidate = f"{base}-imported{'' if number == 2 else f'-{number - 1}'}"
        if candidate != username:
            self.report.changed.append(
                _("User “%(name)s” became the placeholder account “%(new)s”.") % {"name": username, "new": candidate}
            )
        account = user_model(username=candidate, is_active=False)
        account.set_unusable_password()
        account.save()
        return account

    def _user(self, guid: str | None, where: str):
        if not guid:
            return self.user
        if guid not in self.users:
            raise _refuse(
                _("%(where)s refers to user %(guid)s, whom the file does not define; nothing was imported.")
                % {"where": where, "guid": control_chars.shown(guid, 40)}
            )
        return self.users[guid]

    # codebook ---------------------------------------------------------------------------------------------------
    def _codebook(self) -> None:
        entries = self.parsed.codebook
        if not entries:
            return
        refs: dict[str, str] = {}
        for entry in entries:
            entry = replace(entry, ref=qde.guid_key(entry.ref))
            if entry.ref in refs:
                self.report.changed.append(
                    _("Code GUID %(guid)s appears twice (“%(a)s”, “%(b)s”); codings go to the first.")
                    % {"guid": entry.ref, "a": refs[entry.ref], "b": entry.path}
                )
                continue
            refs[entry.ref] = entry.path
        result = framework_services.codebook_import(project=self.project, entries=entries)
        for path, why in result.skipped:
            self.report.skipped.append(_("Code “%(path)s”: %(why)s") % {"path": path, "why": why})
        for path, what in result.notes:
            self.report.changed.append(_("Code “%(path)s”: %(why)s") % {"path": path, "why": what})
        by_path = {node.path: node.row.id for node in tree.walk(tree.rows_for(self.project))}
        self.codes = {ref: by_path[path] for ref, path in refs.items() if ref}

    # sources and their codings ----------------------------------------------------------------------------------
    def _raw_text(self, source: qde.Source) -> str | None:
        if source.text is not None:
            return source.text.removeprefix("\ufeff")
        path = (source.path or "").strip()
        if path.startswith("internal://"):
            path = "sources/" + path.removeprefix("internal://")
        elif "://" in path or path.startswith("/") or re.match(r"[A-Za-z]:", path):
            self.report.skipped.append(
                _("Source “%(name)s”: its text is outside the file (%(path)s).")
                % {"name": source.name, "path": control_chars.shown(path)}
            )
            return None
        # the standard says sources/, some tools write Sources/: file names match without regard to case
        data = self.files.get(path.removeprefix("./")) or self.files.get(
            self.folded.get(path.removeprefix("./").lower())
        )
        if data is None:
            self.report.skipped.append(
                _("Source “%(name)s”: its text %(path)s is not in the file.")
                % {"name": source.name, "path": control_chars.shown(path)}
            )
            return None
        for encoding in ("utf-8", "utf-16", "gb18030"):
            try:
                return data.decode(encoding).removeprefix("\ufeff")
            except UnicodeDecodeError:
                continue
        self.report.skipped.append(_("Source “%(name)s”: its text is not UTF-8.") % {"name": source.name})
        return None

    def _values(self, source: qde.Source, case_values: dict) -> tuple[dict, dict]:
        variables = {v.guid: v for v in self.parsed.head.variables}
        standard, custom = {}, {}
        for ref, _kind, value in [*case_values.get(source.guid, []), *source.values]:
            if ref not in variables:
                raise _refuse(
                    _("Source “%(name)s” refers to variable %(guid)s, which the file does not define.")
                    % {"name": source.name, "guid": control_chars.shown(ref, 40)}
                )
            name = _clean_name(variables[ref].name, _("The variable"))
            target = _FIELD_OF.get(name.casefold())
            try:
                if target:
                    standard.update(clean_attributes({target: value}))
                    continue
            except (ValidationError, UnknownProvince) as error:
                self.report.changed.append(
                    _("Source “%(name)s”: %(variable)s “%(value)s” kept as a custom attribute (%(why)s).")
                    % {"name": source.name, "variable": name, "value": value, "why": " ".join(error.messages)}
                )
            custom[name] = value
        if custom:
            custom = clean_attributes({"attributes": custom})["attributes"]
        return standard, custom

    def _document_fields(self, source: qde.Source, case_values: dict) -> tuple[dict, list | None, tuple | None]:
        saved = self.ext.get("documents", {}).get(source.guid)
        if saved:  # our own export: the attributes exactly as they were
            fields = clean_attributes(
                {key: saved.get(key) for key in ATTRIBUTE_FIELDS} | {"attributes": saved["attributes"]}
            )
            fields["original_name"] = str(saved.get("original_name") or "")
            fields["file_format"] = str(saved.get("file_format") or "")
            original = saved.get("original")
            data = self.files.get(original) if isinstance(original, str) else None
            return fields, saved.get("sections"), (fields["original_name"] or original, data) if data else None
        standard, custom = self._values(source, case_values)
        title = _clean_name(source.name, _("The source"))[:500] or _("Untitled source")
        fields = {**standard, "title": title, "attributes": custom}
        custom_attributes_define(self.project, custom)
        return fields, None, None

    def _sources(self) -> int:
        case_values: dict[str, list] = {}
        for case in self.parsed.cases:
            for ref in case.sources:
                case_values.setdefault(ref, []).extend(case.values)
        known = {source.guid for source in self.parsed.sources}
        for ref in case_values:
            if ref not in known:
                raise _refuse(_("A case refers to source %(guid)s, which the file does not define.") % {"guid": ref})
        rows: dict[tuple, tuple] = {}
        for source in self.parsed.sources:
            if not source.has_text:
                self.report.skipped.append(
                    _("Source “%(name)s” (%(kind)s): it has no plain text to code.")
                    % {"name": source.name, "kind": source.kind}
                )
                continue
            raw = self._raw_text(source)
            if raw is None:
                continue
            if self.crlf_is_one and "\r\n" in raw:
                raw = raw.replace("\r\n", "\n")
                self.report.changed.append(
                    _("Source “%(name)s”: positions read as ATLAS.ti counts them (a CRLF line break is one character).")
                    % {"name": source.name}
                )
            positions = offsets.PositionMap(raw)
            if not positions.text.strip():
                self.report.skipped.append(_("Source “%(name)s”: its text is empty.") % {"name": source.name})
                continue
            fields, sections, original = self._document_fields(source, case_values)
            attributes = fields.pop("attributes", {})
            guid = self._guid(source)
            try:
                document = document_restore(
                    project=self.project,
                    user=self._user(source.user, source.name),
                    text=positions.text,
                    fields={**fields, "attributes": attributes},
                    original=original,
                    guid=guid,
                    sections=self._sections(sections, positions.text),
                )
            except DocumentRefused as refused:
                self.report.skipped.append(
                    _("Source “%(name)s”: %(why)s") % {"name": source.name, "why": refused.message}
                )
                continue
            if document.original:
                self.saved_files.append((document.original.storage, document.original.name))
            if created := _moment(source.created):
                Document.objects.filter(pk=document.pk).update(created_at=created)
            self.documents[source.guid] = document
            self._selections(source, document, positions, rows)
        self._insert_codings(rows)
        return len(rows)

    def _guid(self, source: qde.Source) -> uuid.UUID | None:
        try:
            guid = uuid.UUID(source.guid)
        except (ValueError, TypeError, AttributeError):
            return None
        if Document.objects.filter(guid=guid).exists():
            self.report.changed.append(
                _("Source “%(name)s”: its GUID is already used here, so the document got a new one.")
                % {"name": source.name}
            )
            return None
        return guid

    def _sections(self, sections, text: str) -> list | None:
        if not isinstance(sections, list):
            return None
        checked = []
        for item in sections:
            try:
                kind, label, level, start, end = item
                if not (0 <= int(start) <= int(end) <= len(text)) or kind not in (
                    "part",
                    "chapter",
                    "section",
                    "article",
                    "item",
                ):
                    return None
                checked.append((kind, _clean_name(str(label), _("A section"))[:50], int(level), int(start), int(end)))
            except (TypeError, ValueError):
                return None
        return checked

    def _selections(self, source: qde.Source, document: Document, positions: offsets.PositionMap, rows: dict) -> None:
        for selection in source.selections:
            if not 0 <= selection.start < selection.end <= positions.raw_length:
                raise _refuse(
                    _(
                        "Source “%(name)s”: selection %(start)d–%(end)d lies outside its text of %(count)d characters; "
                        "nothing was imported."
                    )
                    % {
                        "name": source.name,
                        "start": selection.start,
                        "end": selection.end,
                        "count": positions.raw_length,
                    }
                )
            start, end = positions(selection.start), positions(selection.end)
            if start is None or end is None or start >= end:
                self.report.skipped.append(
                    _("Source “%(name)s”: selection %(start)d–%(end)d cannot be placed on the normalized text.")
                    % {"name": source.name, "start": selection.start, "end": selection.end}
                )
                continue
            memo = _clean_text(selection.description, _("A selection's description")).strip()
            for note in selection.notes:
                memo = "\n\n".join(filter(None, [memo, self._note_text(note)]))
            if len(memo) > coding_services.MAX_MEMO_CHARS:
                memo = memo[: coding_services.MAX_MEMO_CHARS]
                self.report.changed.append(
                    _("Source “%(name)s”: a coding memo was cut to %(max)d characters.")
                    % {"name": source.name, "max": coding_services.MAX_MEMO_CHARS}
                )
            for coding in selection.codings:
                if coding.code not in self.codes:
                    raise _refuse(
                        _("A coding refers to code %(guid)s, which the codebook does not define; nothing was imported.")
                        % {"guid": control_chars.shown(coding.code, 40)}
                    )
                coder = self._user(coding.user or selection.user, source.name)
                key = (document.pk, self.codes[coding.code], coder.pk, start, end)
                if key in rows:
                    self.report.changed.append(
                        _("Source “%(name)s”: a coding at %(start)d–%(end)d appears twice; it was imported once.")
                        % {"name": source.name, "start": selection.start, "end": selection.end}
                    )
                    continue
                created = _moment(coding.created or selection.created)
                rows[key] = (document.text[start:end], memo, created)

    def _insert_codings(self, rows: dict) -> None:
        now = datetime.datetime.now(datetime.UTC)
        values = [
            (document, node, coder, start, end, text, memo, created or now, created or now)
            for (document, node, coder, start, end), (text, memo, created) in rows.items()
        ]
        columns = ("document", "node", "coder", "start", "end", "text", "memo", "created_at", "updated_at")
        insert_rows(Coding, columns, values)
        for pk, *key in Coding.objects.filter(document__project=self.project).values_list(
            "id", "document_id", "node_id", "coder_id", "start", "end"
        ):
            self.coding_ids[tuple(key)] = pk

    # notes → memos ------------------------------------------------------------------------------------------------
    def _note(self, guid: str) -> qde.Note:
        if guid not in self.parsed.notes:
            raise _refuse(
                _("A note reference points to %(guid)s, which the file does not define; nothing was imported.")
                % {"guid": control_chars.shown(guid, 40)}
            )
        return self.parsed.notes[guid]

    def _note_text(self, guid: str) -> str:
        self.memo_notes.add(guid)
        return _clean_text(self._note(guid).text, _("A note")).strip()

    def _notes(self) -> int:
        count = 0
        by_code: dict[int, list[str]] = {}
        for code, refs in self.parsed.code_notes.items():
            if code in self.codes:
                by_code.setdefault(self.codes[code], []).extend(refs)
        targets: list[tuple[str, dict, list[str]]] = [
            (MemoKind.NODE, {"node": node}, refs)
            for node, refs in ((self.project.nodes.get(pk=pk), refs) for pk, refs in by_code.items())
        ]
        for source in self.parsed.sources:
            if source.notes and source.guid in self.documents:
                targets.append((MemoKind.DOCUMENT, {"document": self.documents[source.guid]}, source.notes))
        used = set(self.memo_notes)
        for kind, target, refs in targets:
            notes = [self._note(ref) for ref in refs]
            used.update(refs)
            body = "\n\n".join(filter(None, (_clean_text(n.text, _("A note")).strip() for n in notes)))
            if not body:
                continue
            if len(notes) > 1:
                self.report.changed.append(
                    _("%(count)d notes on one item were joined into one memo.") % {"count": len(notes)}
                )
            self._memo(kind, target, notes[0], body)
            count += 1
        journal = [
            *self.parsed.head.notes,
            *(g for g in self.parsed.notes if g not in used and g not in self.parsed.head.notes),
        ]
        for guid in journal:
            note = self._note(guid)
            if guid not in self.parsed.head.notes:
                self.report.changed.append(
                    _("Note “%(name)s” was attached to nothing here; it became a journal entry.")
                    % {"name": note.name or note.text[:20]}
                )
            body = _clean_text(note.text, _("A note")).strip()
            if body:
                self._memo(MemoKind.JOURNAL, {}, note, body)
                count += 1
        return count + len(self.memo_notes)

    def _memo(self, kind: str, target: dict, note: qde.Note, body: str) -> None:
        if len(body) > coding_services.MAX_MEMO_CHARS:
            body = body[: coding_services.MAX_MEMO_CHARS]
            self.report.changed.append(
                _("A memo was cut to %(max)d characters.") % {"max": coding_services.MAX_MEMO_CHARS}
            )
        memo = coding_services.memo_save(
            project=self.project,
            author=self._user(note.user, _("A note")),
            kind=kind,
            body=body,
            title=_clean_name(note.name, _("The note")),
            **target,
        )
        created, modified = _moment(note.created), _moment(note.modified)
        if created or modified:
            Memo.objects.filter(pk=memo.pk).update(
                created_at=created or memo.created_at, updated_at=modified or created or memo.updated_at
            )

    # what only our own files hold ---------------------------------------------------------------------------------
    def _extras(self) -> None:
        ext = self.ext
        if not ext:
            return
        guids = self.users
        adjudicators = [guids[g] for g in ext.get("adjudicators") or [] if g in guids]
        coding_services.options_update(project=self.project, blind=bool(ext.get("blind")), adjudicators=adjudicators)
        if stopwords := [str(w) for w in ext.get("stopwords") or []]:
            stopwords_set(project=self.project, text="\n".join(stopwords))
        for term in ext.get("dictionary") or []:
            try:
                DictionaryTerm.objects.create(
                    project=self.project,
                    word=_clean_name(str(term["word"]), _("A dictionary word"))[:30],
                    frequency=max(1, int(term.get("frequency") or 1)),
                    tag=str(term.get("tag") or "")[:5],
                    suggested=bool(term.get("suggested")),
                )
            except (KeyError, TypeError, ValueError):
                self.report.skipped.append(_("A dictionary word in policycoder/ was damaged."))
        self._assignments(ext.get("assignments") or [])
        self._audit(ext.get("audit") or [])

    def _assignments(self, items: list) -> None:
        rows = []
        for item in items:
            document, coder = self.documents.get(item.get("document")), self.users.get(item.get("coder"))
            if document is None or coder is None:
                continue
            rows.append(
                (
                    self.project.pk,
                    document.pk,
                    coder.pk,
                    getattr(self.users.get(item.get("assigned_by")), "pk", None),
                    _moment(item.get("assigned_at")) or datetime.datetime.now(datetime.UTC),
                    _moment(item.get("done_at")),
                )
            )
        insert_rows(Assignment, ("project", "document", "coder", "assigned_by", "assigned_at", "done_at"), rows)

    def _audit(self, events: list) -> None:
        nodes = {str(g): pk for pk, g in self.project.nodes.values_list("id", "guid")}
        rows = []
        for event in events:
            document = self.documents.get(event.get("document"))
            actor, coder = self.users.get(event.get("actor")), self.users.get(event.get("coder"))
            if document is None or actor is None or coder is None or not isinstance(event.get("before"), dict):
                continue
            node = nodes.get(event.get("node"), 0)
            start, end = int(event.get("start") or 0), int(event.get("end") or 0)
            before = dict(event["before"])
            if "node_id" in before:
                before["node_id"] = nodes.get(before["node_id"], 0)
            rows.append(
                (
                    self.project.pk,
                    document.pk,
                    actor.pk,
                    uuid.UUID(str(event.get("batch"))),
                    str(event.get("action"))[:10],
                    self.coding_ids.get((document.pk, node, coder.pk, start, end), 0),
                    coder.pk,
                    node,
                    str(event.get("node_path") or "")[:1000],
                    start,
                    end,
                    _clean_text(str(event.get("memo") or ""), _("The audit trail")),
                    before,
                    bool(event.get("undone")),
                    _moment(event.get("created_at")) or datetime.datetime.now(datetime.UTC),
                )
            )
        columns = (
            "project", "document", "actor", "batch", "action", "coding_id", "coder", "node_id", "node_path",
            "start", "end", "memo", "before", "undone", "created_at",
        )  # fmt: skip
        insert_rows(CodingEvent, columns, rows)


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Multi-row INSERTs that keep the given timestamps (bulk_create would overwrite auto_now_add fields)."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    # integers and text go to the driver as they are; dates, UUIDs and JSON through the field (per database)
    prepare = [
        (lambda value, f=f: f.get_db_prep_save(value, connection))
        if f.get_internal_type() in ("DateTimeField", "UUIDField", "JSONField")
        else None
        for f in fields
    ]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        for i in range(0, len(rows), INSERT_BATCH):
            batch = rows[i : i + INSERT_BATCH]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(batch))
            params = [
                value if convert is None else convert(value)
                for row in batch
                for convert, value in zip(prepare, row, strict=True)
            ]
            cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES {placeholders}", params)
