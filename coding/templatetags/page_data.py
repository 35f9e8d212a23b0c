"""Template filters for the coding page's data."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# the escapes of django.utils.html.json_script: no "</script>" or "<!--" can close or comment out the element
_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))


@register.filter
def page_json(value, element_id: str) -> SafeString:
    """The same element as Django's json_script, escaped with str.replace: json_script's str.translate took about
    10 ms over the 260 kB of data of a coding page with 2,000 codings, a third of the page's server time."""
    text = json.dumps(value, cls=DjangoJSONEncoder)
    for character, escaped in _ESCAPES:
        text = text.replace(character, escaped)
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, mark_safe(text))
