"""Word groups: owners name groups of words on the dictionary page; bad input changes nothing."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from policies.models import WordGroup
from policies.services.documents import document_import
from policies.services.segmentation import word_group_save


def _save(client, project, **fields):
    data = {"action": "group-save", "kind": "subjects", "name": "政府主体", "words": "政府 部门，单位\n政府"}
    data.update(fields)
    return client.post(reverse("policies:dictionary", args=[project.pk]), data, follow=True)


@pytest.mark.django_db
def test_owner_adds_and_removes_a_word_group(client, project, owner):
    client.force_login(owner)
    page = _save(client, project).content.decode()
    group = WordGroup.objects.get(project=project)
    assert (group.kind, group.name, group.word_list) == ("subjects", "政府主体", ["政府", "部门", "单位"])
    assert "政府主体" in page
    assert "政府 部门 单位" in page
    client.post(reverse("policies:dictionary", args=[project.pk]), {"action": "group-remove", "group": group.pk})
    assert not WordGroup.objects.filter(project=project).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "name"),
        ({"words": " ,, "}, "at least one word"),
        ({"kind": "other"}, "kind"),
        ({"name": "长" * 51}, "50"),
    ],
)
def test_a_bad_word_group_is_refused_with_a_message_and_nothing_stored(client, project, owner, fields, message):
    client.force_login(owner)
    with_english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    data = {"action": "group-save", "kind": "subjects", "name": "政府主体", "words": "政府 部门"}
    data.update(fields)
    response = client.post(reverse("policies:dictionary", args=[project.pk]), data, follow=True, **with_english)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WordGroup.objects.filter(project=project).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "char"), [({"name": "主体\x00"}, "U+0000"), ({"words": "政府\x07部门"}, "U+0007")])
def test_control_characters_are_refused_at_the_edge_and_by_the_service(client, project, owner, fields, char):
    client.force_login(owner)
    assert _save(client, project, **fields).status_code == 400
    values = {"kind": "subjects", "name": "政府主体", "words": "政府 部门", **fields}
    with pytest.raises(ValidationError, match=re.escape(char)):
        word_group_save(project=project, **values)
    assert not WordGroup.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_a_second_group_of_the_same_name_is_refused(client, project, owner):
    client.force_login(owner)
    _save(client, project)
    page = _save(client, project, words="数据", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "already a word group" in page
    assert WordGroup.objects.get(project=project).words == "政府 部门 单位"


@pytest.mark.django_db
def test_coders_and_viewers_read_groups_but_cannot_change_them(client, project, owner, coder, viewer):
    WordGroup.objects.create(project=project, kind="actions", name="<b>动作</b>", words="推进 加强")
    for user, role in ((coder, "Coder"), (viewer, "Viewer")):
        client.force_login(user)
        page = client.get(reverse("policies:dictionary", args=[project.pk])).content.decode()
        assert "&lt;b&gt;动作&lt;/b&gt;" in page
        assert "<b>动作</b>" not in page
        assert 'value="group-save"' not in page
        refused = _save(client, project, name="新组")
        assert refused.status_code == 403
        assert f"Your role in this project ({role}) does not allow this." in refused.content.decode()
    assert list(WordGroup.objects.values_list("name", flat=True)) == ["<b>动作</b>"]


@pytest.mark.django_db
def test_the_api_counts_groups_names_the_layer_and_refuses_bad_input(api_as, project, owner, viewer):
    document_import(project=project, user=owner, filename="条例.txt", data="网信部门负责公共数据。".encode())
    viewer_api, owner_api = api_as(viewer), api_as(owner)
    url = reverse("api:word-groups", args=[project.pk])
    created = owner_api.post(url, {"kind": "subjects", "name": "主体", "words": "网信部门 公安机关"}, format="json")
    assert created.status_code == 201
    body = viewer_api.get(url).json()
    assert body["layer"] is None  # whole documents: no coding layer is read
    assert body["pending"] == 0
    ((group,),) = [body["groups"]]
    assert group["name"] == "主体"
    assert [(w["word"], w["count"]) for w in group["words"]] == [("网信部门", 1), ("公安机关", 0)]
    assert (group["count"], group["documents"]) == (1, 1)
    again = {"kind": "subjects", "name": "主体", "words": "数据"}
    refused = owner_api.post(url, again, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "already a word group" in refused.json()["detail"]
    assert viewer_api.post(url, {"kind": "focus", "name": "焦点", "words": "安全"}, format="json").status_code == 403
    assert list(WordGroup.objects.values_list("name", "words")) == [("主体", "网信部门 公安机关")]
