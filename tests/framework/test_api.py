import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from framework import services
from framework.models import Node
from tests.factories import CodingFactory, DocumentFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_api(api_as, owner):
    return api_as(owner)


def _nodes_url(project):
    return reverse("api:nodes", kwargs={"project_id": project.pk})


def test_nodes_list_is_flat_with_the_contract_fields(owner_api, project):
    services.apply_template(project=project, template="lifecycle")
    rows = owner_api.get(_nodes_url(project)).json()
    assert len(rows) == 40
    assert {"id", "parent", "name", "path", "description", "color", "order"} <= set(rows[0])
    second = next(r for r in rows if r["path"] == "数据开放/分级分类")
    assert second["parent"] == next(r["id"] for r in rows if r["path"] == "数据开放")
    assert rows[0]["parent"] is None


def test_create_answers_201_with_the_node(owner_api, project):
    parent = services.node_create(project=project, name="数据开放")
    response = owner_api.post(
        _nodes_url(project), {"name": "分级分类", "parent": parent.pk, "color": "#ABC"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["path"] == "数据开放/分级分类"
    assert response.json()["color"] == "#aabbcc"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"name": "数据开放"}, "There is already a top-level node named “数据开放”."),
        ({"name": ""}, "A node needs a name."),
        ({"name": "x", "color": "red"}, "“red” is not a colour: use #rrggbb, e.g. #4e79a7."),
        ({"name": "x", "parent": 999999}, "parent: There is no such node in this project."),
        ({"name": "a/b"}, "“a/b”: a node name cannot contain “/”, which separates the levels of a path."),
    ],
)
def test_bad_create_gets_400_with_a_detail(owner_api, project, payload, message):
    services.node_create(project=project, name="数据开放")
    response = owner_api.post(_nodes_url(project), payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == message
    assert list(Node.objects.values_list("name", flat=True)) == ["数据开放"]


def test_patch_updates_only_given_fields(owner_api, project):
    node = services.node_create(project=project, name="a", description="keep")
    response = owner_api.patch(reverse("api:node", args=[node.pk]), {"color": "#123"}, format="json")
    assert response.status_code == 200
    assert response.json()["color"] == "#112233"
    assert response.json()["description"] == "keep"


def test_move_under_a_descendant_gets_400(owner_api, project):
    parent = services.node_create(project=project, name="a")
    child = services.node_create(project=project, name="b", parent=parent)
    response = owner_api.post(reverse("api:node-move", args=[parent.pk]), {"parent": child.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "“a” cannot move under itself or one of its own descendants."}
    parent.refresh_from_db()
    child.refresh_from_db()
    assert (parent.parent_id, child.parent_id) == (None, parent.pk)


def test_move_to_top_level_at_a_position(owner_api, project):
    first = services.node_create(project=project, name="a")
    child = services.node_create(project=project, name="b", parent=first)
    response = owner_api.post(reverse("api:node-move", args=[child.pk]), {"parent": None, "position": 0}, format="json")
    assert response.status_code == 200
    assert response.json()["path"] == "b"
    assert response.json()["order"] == 0


def test_merge_reports_what_moved(owner_api, project):
    source = services.node_create(project=project, name="a")
    target = services.node_create(project=project, name="b")
    CodingFactory(document=DocumentFactory(project=project), node=source)
    response = owner_api.post(reverse("api:node-merge", args=[source.pk]), {"target": target.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["codings_moved"] == 1
    assert response.json()["target"]["references"] == 1


def test_merge_into_a_node_of_another_project_gets_400(owner_api, project):
    source = services.node_create(project=project, name="a")
    other = services.node_create(project=ProjectFactory(), name="b")
    response = owner_api.post(reverse("api:node-merge", args=[source.pk]), {"target": other.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "target: There is no such node in this project."
    assert Node.objects.filter(pk=source.pk, project=project).exists()  # the source was not merged away
    assert Node.objects.filter(project=other.project).count() == 1


def test_delete_with_codings_answers_409_until_confirmed(owner_api, project):
    node = services.node_create(project=project, name="a")
    CodingFactory(document=DocumentFactory(project=project), node=node, coder=UserFactory())
    url = reverse("api:node", args=[node.pk])
    refused = owner_api.delete(url)
    assert refused.status_code == 409
    assert refused.json()["references"] == 1
    assert "Confirm" in refused.json()["detail"]
    assert owner_api.delete(url + "?confirm=true").status_code == 204
    assert not Node.objects.filter(pk=node.pk).exists()


def test_apply_template_twice_adds_nothing_twice(owner_api, project):
    url = reverse("api:nodes-apply-template", kwargs={"project_id": project.pk})
    first = owner_api.post(url, {"template": "lifecycle"}, format="json")
    second = owner_api.post(url, {"template": "lifecycle"}, format="json")
    assert first.status_code == 201
    assert len(first.json()["added"]) == 40
    assert second.status_code == 200
    assert second.json()["added"] == []
    assert project.nodes.count() == 40


def test_unknown_template_gets_400(owner_api, project):
    url = reverse("api:nodes-apply-template", kwargs={"project_id": project.pk})
    response = owner_api.post(url, {"template": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Unknown template “x”: choose one of lifecycle, stakeholders."
    assert not project.nodes.exists()


@pytest.mark.parametrize("fmt", ["csv", "json", "qdc"])
def test_export_and_import_round_trip_through_the_api(owner_api, api_as, project, fmt):
    services.apply_template(project=project, template="lifecycle")
    exported = owner_api.get(reverse("api:nodes-export", kwargs={"project_id": project.pk, "fmt": fmt}))
    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    other = ProjectFactory()
    from tests.factories import MembershipFactory

    owner2 = MembershipFactory(project=other, role="owner").user
    upload = SimpleUploadedFile(f"book.{fmt}", exported.content)
    response = api_as(owner2).post(
        reverse("api:nodes-import", kwargs={"project_id": other.pk}), {"file": upload}, format="multipart"
    )
    assert response.status_code == 201
    assert len(response.json()["added"]) == 40
    mine = [(r["path"], r["description"], r["color"], r["guid"]) for r in owner_api.get(_nodes_url(project)).json()]
    theirs = [
        (r["path"], r["description"], r["color"], r["guid"]) for r in api_as(owner2).get(_nodes_url(other)).json()
    ]
    assert mine == theirs


def test_hostile_xml_import_gets_400_and_changes_nothing(owner_api, project):
    xxe = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="&e;"/></Codes></CodeBook>"""
    response = owner_api.post(
        reverse("api:nodes-import", kwargs={"project_id": project.pk}),
        {"file": SimpleUploadedFile("evil.qdc", xxe)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "DTD" in response.json()["detail"]
    assert not project.nodes.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("book.csv", "path,description\n数据开放,规则\n数据\x00共享,\n".encode()),
        ("book.json", '{"nodes": [{"name": "数据开放", "description": "规则\\u0000"}]}'.encode()),
    ],
)
def test_a_codebook_file_with_nul_gets_400_and_changes_nothing(owner_api, project, name, data):
    response = owner_api.post(
        reverse("api:nodes-import", kwargs={"project_id": project.pk}),
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "control character (U+0000)" in response.json()["detail"]
    assert not project.nodes.exists()


def test_import_without_a_file_gets_400(owner_api, project):
    response = owner_api.post(reverse("api:nodes-import", kwargs={"project_id": project.pk}), {}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"detail": "Send one codebook file (form field “file”): .csv, .json or .qdc."}
    assert not Node.objects.filter(project=project).exists()


def test_figure_is_svg(owner_api, project):
    services.apply_template(project=project, template="lifecycle")
    response = owner_api.get(reverse("api:nodes-figure", kwargs={"project_id": project.pk}) + "?counts=references")
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "数据开放 (0)" in response.content.decode()


def test_another_projects_node_is_404(api_as, owner):
    stranger = services.node_create(project=ProjectFactory(), name="x")
    response = api_as(owner).get(reverse("api:node", args=[stranger.pk]))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found: it does not exist or you are not a member of its project."}
