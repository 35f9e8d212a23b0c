"""HTML forms for the codebook: shape only; the services decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from framework import builtin
from policies.forms import QueryForm, select


class NodeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description (the coding rule: definition, when to use, when not to, an example)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    color = forms.CharField(
        label=_("Colour"), max_length=20, required=False, widget=forms.TextInput(attrs={"type": "color"})
    )


class NodeCreateForm(NodeForm):
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(required=False, widget=forms.HiddenInput)


class MoveForm(forms.Form):
    """Where to: a new parent (empty: top level), and optionally a sibling to land before/after, or up/down."""

    parent = forms.CharField(required=False)
    before = forms.IntegerField(required=False)
    after = forms.IntegerField(required=False)
    direction = forms.ChoiceField(required=False, choices=[("", ""), ("up", "up"), ("down", "down")])


class MergeForm(forms.Form):
    target = forms.IntegerField(label=_("Merge into"))


class TemplateForm(forms.Form):
    template = forms.ChoiceField(choices=builtin.available)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Codebook file (.csv, .json, .qdc)"))


class DestinationsForm(QueryForm):
    """Where a node may move to or merge into (not itself nor below it), for the node detail's two selects."""

    parent = select()
    target = select(required=True)

    def __init__(self, *, node, outside: list[tuple[int, str]]) -> None:
        super().__init__({"parent": node.parent_id or "root", "target": ""})
        self.choose(parent=[("root", _("(top level)")), *outside], target=[("", "—"), *outside])
