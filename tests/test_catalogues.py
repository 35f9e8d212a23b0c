"""The committed .mo catalogues say what their .po files say: a stale .mo shows English in the Chinese UI."""

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def po_entries(path: Path) -> list[dict]:
    """The translated, non-fuzzy entries of a .po file: msgctxt, msgid, msgid_plural and msgstr (or msgstr[n])."""
    entries, entry, key, fuzzy = [], {}, None, False

    def close() -> None:
        nonlocal entry, key, fuzzy
        if entry.get("msgid") and not fuzzy:
            entries.append(entry)
        entry, key, fuzzy = {}, None, False

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            close()
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    close()
    return entries


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_every_translated_message_of_the_po_is_in_the_compiled_mo(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    entries = po_entries(folder / "django.po")
    assert len(entries) > 500
    stale = []
    for entry in entries:
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            expected = entry.get("msgstr[0]", "")
            found = (
                catalogue.npgettext(context, entry["msgid"], entry["msgid_plural"], 1)
                if context
                else catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            )
        else:
            expected = entry.get("msgstr", "")
            found = catalogue.pgettext(context, entry["msgid"]) if context else catalogue.gettext(entry["msgid"])
        if expected and found != expected:
            stale.append(entry["msgid"])
    assert stale == [], f"{len(stale)} messages of {language}/django.po missing from django.mo: run compilemessages"


def test_a_stale_catalogue_is_caught(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n\n#, fuzzy\nmsgid "Old"\nmsgstr "旧"\n\nmsgid "New"\nmsgstr "新"\n', "utf-8")
    assert po_entries(po) == [{"msgid": "New", "msgstr": "新"}]
