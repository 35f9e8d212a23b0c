"""The built-in codebook templates: their names here, their nodes in framework/data/*.json (exchange JSON)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from framework import exchange

DATA_DIR = Path(__file__).resolve().parent / "data"
TEMPLATES = {
    "lifecycle": gettext_lazy("Data lifecycle framework (7 categories, 33 subcategories)"),
    "stakeholders": gettext_lazy("Stakeholders (section 2.3)"),
}


def available() -> list[tuple[str, str]]:
    """(key, label) of every built-in template, for a choice list."""
    return [(key, str(label)) for key, label in TEMPLATES.items()]


def entries(key: str) -> list[exchange.Entry]:
    """The template's nodes, parents first."""
    if key not in TEMPLATES:
        known = ", ".join(TEMPLATES)
        raise ValidationError(_("Unknown template “%(key)s”: choose one of %(known)s.") % {"key": key, "known": known})
    return exchange.read_json((DATA_DIR / f"{key}.json").read_bytes())
