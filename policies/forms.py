"""HTML forms: shape only; the services decide what is valid."""

from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _

from policies import corpus, hooks
from policies.models import IssuerType, PolicyType, Role, WordGroupKind
from policies.provinces import PROVINCE_CHOICES


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ProjectCreateForm(ProjectForm):
    templates = forms.MultipleChoiceField(
        label=_("Start the codebook from"),
        choices=partial(hooks.call, "codebook_templates"),
        required=False,
        initial=["lifecycle"],
        widget=forms.CheckboxSelectMultiple,
    )


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CODER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        widget=forms.Select(attrs={"data-autosubmit": True, "aria-label": _("Role")}),
    )

    @classmethod
    def for_member(cls, membership) -> "MemberRoleForm":
        """The role select of a row of the members table, showing the member's role."""
        return cls(initial={"role": membership.role}, auto_id=False, use_required_attribute=False)


class WordGroupForm(forms.Form):
    """Adding a word group on the dictionary page (word_group_save checks the name and the words)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=WordGroupKind.choices)


class CustomAttributeForm(forms.Form):
    name = forms.CharField(label=_("New custom attribute"), max_length=100)


def _blank(choices) -> list:
    return [("", "—"), *choices]


class DocumentAttributesForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    province = forms.ChoiceField(
        label=_("Province"), required=False, choices=_blank([(p, p) for p in PROVINCE_CHOICES])
    )
    issuer = forms.CharField(label=_("Issuer"), max_length=200, required=False)
    issuer_type = forms.ChoiceField(label=_("Issuer type"), required=False, choices=_blank(IssuerType.choices))
    issue_date = forms.CharField(label=_("Issue date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    doc_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    policy_type = forms.ChoiceField(label=_("Policy type"), required=False, choices=_blank(PolicyType.choices))

    def __init__(self, *args, custom_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_names = list(custom_names)
        for index, name in enumerate(self.custom_names):
            self.fields[f"custom_{index}"] = forms.CharField(label=name, max_length=500, required=False)

    def attribute_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("custom_")}
        data["attributes"] = {name: self.cleaned_data[f"custom_{i}"] for i, name in enumerate(self.custom_names)}
        return data

    @classmethod
    def initial_for(cls, document) -> dict:
        initial = {
            "title": document.title,
            "province": document.province,
            "issuer": document.issuer,
            "issuer_type": document.issuer_type,
            "issue_date": document.issue_date.isoformat() if document.issue_date else "",
            "doc_number": document.doc_number,
            "policy_type": document.policy_type,
        }
        return initial


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Files"), required=False)


# --- query forms: the <select>s of the analysis and text pages ------------------------------------------------


def select(**attrs) -> forms.ChoiceField:
    """A <select> of a query form; its choices are set per request (they come from the project)."""
    return forms.ChoiceField(required=False, widget=forms.Select(attrs=attrs))


class QueryForm(forms.Form):
    """A page's query form, bound to the values to show as chosen (the request's parameters, or what the query parser
    made of them): it gives each <select> its choices and its selected option, so a template renders `{{ form.rows }}`
    and never lists options by hand. It is never validated; the page's query_params module parses the request."""

    def __init__(self, data, **kwargs) -> None:
        super().__init__(data, auto_id=False, **kwargs)  # the pages' elements keep their own ids (set in attrs)

    def choose(self, **choices) -> None:
        for name, options in choices.items():
            self.fields[name].choices = options


class AttributeFiltersForm(QueryForm):
    """Province, issuer type and policy type, each with its document count (`policies/_attribute_filters.html`)."""

    province = select()
    issuer_type = select()
    policy_type = select()

    def __init__(self, data, *, facets: dict, blank: str | None = None, **kwargs) -> None:
        """blank: how to show the documents without a value (the document table counts them); None leaves them out."""
        super().__init__(data, **kwargs)
        everything = [("", _("All"))]
        self.choose(
            **{
                name: everything
                + [(value, f"{value or blank} ({count})") for value, count in facets[name] if value or blank]
                for name in ("province", "issuer_type", "policy_type")
            }
        )


class DocumentTableForm(AttributeFiltersForm):
    """The project page's document table: the attribute filters and the rows per page (corpus.PAGE_SIZES)."""

    page_size = select()

    def __init__(self, data, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.choose(page_size=[(str(size), str(size)) for size in corpus.PAGE_SIZES])
