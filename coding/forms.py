"""HTML forms for coding pages: shape only; the services decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coding.models import MemoKind
from coding.services import MAX_MEMO_CHARS
from policies.forms import AttributeFiltersForm, QueryForm, select


class MemoForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(label=_("Memo"), widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_MEMO_CHARS)


class AssignForm(forms.Form):
    documents = forms.MultipleChoiceField(label=_("Documents"), required=False)
    all_documents = forms.BooleanField(label=_("All documents"), required=False)
    coders = forms.MultipleChoiceField(label=_("Coders"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, documents=(), coders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(d.pk, d.title) for d in documents]
        self.fields["coders"].choices = [(u.pk, u.username) for u in coders]


class TeamOptionsForm(forms.Form):
    blind = forms.BooleanField(
        label=_("Blind coding: coders see only their own codings until an owner turns this off"), required=False
    )
    adjudicators = forms.MultipleChoiceField(
        label=_("Adjudicators (besides owners)"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adjudicators"].choices = [(u.pk, u.username) for u in members]


class NodeViewForm(AttributeFiltersForm):
    """The node view's filters: the coding layer and the document attributes."""

    coder = select()

    def __init__(self, data, *, facets, coders) -> None:
        super().__init__(data, facets=facets)
        self.choose(coder=[("", _("Default layer")), *coders])


class JournalSearchForm(QueryForm):
    """The journal's search: which kind of memo."""

    kind = select(**{"aria-label": _("Kind")})

    def __init__(self, data) -> None:
        super().__init__(data)
        self.choose(kind=[("", _("All memos")), *MemoKind.choices])


class SuggestionFiltersForm(QueryForm):
    """The review queue's filters: one document, one node."""

    document = select()
    node = select()

    def __init__(self, data, *, documents, nodes) -> None:
        super().__init__(data)
        self.choose(document=[("", _("All documents")), *documents], node=[("", _("All nodes")), *nodes])
