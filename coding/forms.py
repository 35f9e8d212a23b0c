"""HTML forms for coding pages: shape only; the services decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coding.services import MAX_MEMO_CHARS


class MemoForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(label=_("Memo"), widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_MEMO_CHARS)
