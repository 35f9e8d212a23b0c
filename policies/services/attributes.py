"""Document attributes: cleaning what a researcher or a file gives, custom attributes, editing a document's."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from policies import control_chars
from policies.models import (
    CustomAttribute,
    Document,
    IssuerType,
    PolicyType,
    Project,
)
from policies.provinces import UnknownProvince, normalize_province

ISSUER_TYPE_ALIASES = {
    "人大常委会": IssuerType.CONGRESS,
    "人大": IssuerType.CONGRESS,
    "人民代表大会": IssuerType.CONGRESS,
    "人民代表大会常务委员会": IssuerType.CONGRESS,
    "部门": IssuerType.DEPARTMENT,
    "政府": IssuerType.GOVERNMENT,
}
ATTRIBUTE_FIELDS = ("title", "province", "issuer", "issuer_type", "issue_date", "doc_number", "policy_type")
TEXT_LIMITS = {"title": 500, "issuer": 200, "doc_number": 100}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def parse_date(value) -> datetime.date | None:
    """A date from YYYY-MM-DD (or 2021/11/25, 2021年11月25日); '' gives None; anything else is refused."""
    if value is None or isinstance(value, datetime.date):
        return value
    value = str(value).strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2021-11-25.") % {"value": value})


def _choice(value, choices: type, aliases: dict | None = None, label: str = "") -> str:
    value = str(value or "").strip()
    if not value:
        return ""
    value = (aliases or {}).get(value, value)
    if value not in choices.values:
        raise ValidationError(
            _("“%(value)s” is not a valid %(label)s. Use one of: %(choices)s.")
            % {"value": value, "label": label, "choices": "、".join(choices.values)}
        )
    return value


def _refuse_control(name: str, value: str, check=control_chars.in_text) -> None:
    if bad := check(value):
        raise ValidationError(
            _("“%(name)s” contains a control character (%(char)s), which is not allowed. Nothing was changed.")
            % {"name": control_chars.shown(name), "char": control_chars.code_point(bad)}
        )


def clean_attributes(data: dict) -> dict:
    """Validate and normalize document attributes given as strings; only the keys present are returned.
    Values may hold line breaks; a custom attribute's name may not."""
    cleaned: dict = {}
    for field in ATTRIBUTE_FIELDS:
        if field not in data or data[field] is None:
            continue
        value = data[field]
        _refuse_control(field, str(value))
        if field == "province":
            try:
                cleaned[field] = normalize_province(str(value))
            except UnknownProvince as error:
                raise ValidationError(str(error)) from None
        elif field == "issuer_type":
            cleaned[field] = _choice(value, IssuerType, ISSUER_TYPE_ALIASES, _("issuer type"))
        elif field == "policy_type":
            cleaned[field] = _choice(value, PolicyType, None, _("policy type"))
        elif field == "issue_date":
            cleaned[field] = parse_date(value)
        else:
            text = str(value).strip()
            if len(text) > TEXT_LIMITS[field]:
                raise ValidationError(
                    _("%(field)s is too long (%(length)d characters; at most %(limit)d).")
                    % {"field": field, "length": len(text), "limit": TEXT_LIMITS[field]}
                )
            if field == "title" and not text:
                raise ValidationError(_("A document needs a title."))
            cleaned[field] = text
    custom = data.get("attributes")
    if custom is not None:
        if not isinstance(custom, dict):
            raise ValidationError(_("Custom attributes must be an object of name → value."))
        clean_custom = {}
        for name, value in custom.items():
            name = str(name).strip()
            if not name or len(name) > 100:
                raise ValidationError(_("A custom attribute needs a name of 1 to 100 characters."))
            _refuse_control(name, name, control_chars.in_name)
            _refuse_control(name, "" if value is None else str(value))
            clean_custom[name] = "" if value is None else str(value).strip()[:500]
        cleaned["attributes"] = clean_custom
    return cleaned


def custom_attributes_define(project: Project, names) -> None:
    """Make sure the project defines each custom attribute name, in the order given."""
    existing = set(project.custom_attributes.values_list("name", flat=True))
    order = len(existing)
    for name in names:
        if name and name not in existing:
            CustomAttribute.objects.get_or_create(project=project, name=name, defaults={"order": order})
            existing.add(name)
            order += 1


@transaction.atomic
def document_update(*, document: Document, data: dict) -> Document:
    """Change a document's attributes (never its text)."""
    cleaned = clean_attributes(data)
    custom = cleaned.pop("attributes", None)
    for field, value in cleaned.items():
        setattr(document, field, value)
    if custom is not None:
        custom_attributes_define(document.project, custom)
        document.attributes = {**document.attributes, **custom}
    document.save()
    return document


@transaction.atomic
def custom_attribute_remove(*, project: Project, name: str) -> None:
    """Stop defining a custom attribute; values already stored on documents are dropped with it."""
    deleted, _count = project.custom_attributes.filter(name=name).delete()
    if not deleted:
        raise ValidationError(_("There is no custom attribute named “%(name)s”.") % {"name": name})
    for document in project.documents.defer("text").filter(attributes__has_key=name):
        document.attributes.pop(name, None)
        document.save(update_fields=["attributes"])
