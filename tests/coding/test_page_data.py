"""The coding page's data element is byte for byte Django's json_script, hostile text included."""

from django.template import Context, Template
from django.utils.html import json_script

from coding.templatetags.page_data import page_json

HOSTILE = {
    "memo": "</script><script>alert(1)</script> <!-- & -->",
    "name": "数据</SCRIPT>共享 & <b>",
    "nested": [{"path": "a/<b>/c", "n": 3, "ok": True, "none": None}],
    "line": "\u2028\u2029",
}


def test_the_element_is_djangos_json_script():
    assert page_json(HOSTILE, "workspace-data") == json_script(HOSTILE, "workspace-data")


def test_no_markup_survives_inside_the_element():
    rendered = page_json(HOSTILE, "workspace-data")
    inner = rendered.removeprefix('<script id="workspace-data" type="application/json">').removesuffix("</script>")
    assert not {"<", ">", "&"} & set(inner)


def test_the_filter_renders_in_a_template_with_an_escaped_id():
    rendered = Template("{% load page_data %}{{ data|page_json:element }}").render(
        Context({"data": HOSTILE, "element": 'x"><script>'})
    )
    assert rendered == json_script(HOSTILE, 'x"><script>')
    assert 'id="x&quot;&gt;&lt;script&gt;"' in rendered
