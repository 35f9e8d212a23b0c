import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from framework import figure, panel, services, tree
from framework.models import Node
from tests.factories import CodingFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def lifecycle_ids(project):
    services.apply_template(project=project, template="lifecycle")
    return {n.path: n.row.id for n in tree.walk(tree.rows_for(project))}


def _page(project):
    return reverse("framework:codebook", args=[project.pk])


def test_owner_sees_the_tree_with_drag_handles_and_editing_tools(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    html = client.get(_page(project)).content.decode()
    assert 'id="node-tree"' in html
    assert 'draggable="true"' in html
    assert f'data-node-id="{lifecycle_ids["数据开放/分级分类"]}"' in html
    assert "--node-color:#59a14f" in html
    assert 'name="template"' in html


def test_viewer_sees_the_tree_read_only(client, viewer, project, lifecycle_ids):
    client.force_login(viewer)
    html = client.get(_page(project) + f"?node={lifecycle_ids['数据开放']}").content.decode()
    assert "数据开放" in html
    assert 'draggable="true"' not in html
    assert 'id="node-edit"' not in html
    assert "政府行政机构向公众、企业、其他组织公开政府数据的行为" in html


def test_tree_nesting_is_balanced(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    html = client.get(reverse("framework:tree", args=[project.pk])).content.decode()
    assert html.count("<ul") == html.count("</ul>")
    assert html.count("<li") == html.count("</li>")
    assert html.count("<details") == html.count("</details>") == 7


def test_tree_panel_is_a_fragment_that_refreshes_on_codebook_changes(client, coder, project, lifecycle_ids):
    client.force_login(coder)
    html = client.get(reverse("framework:tree", args=[project.pk]), headers=HTMX).content.decode()
    assert html.lstrip().startswith('<nav id="node-tree"')
    assert 'hx-trigger="codebook-changed from:body"' in html
    assert "<html" not in html


def test_panel_include_renders_from_the_loader_context(owner, project, lifecycle_ids):
    """The contract for other pages: include the panel with framework.panel.panel_context(project, user)."""
    html = render_to_string("framework/_tree_panel.html", panel.panel_context(project, owner))
    assert html.count('class="cb-row"') == 40


def test_clicking_a_node_loads_only_its_detail(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    response = client.get(
        _page(project) + f"?node={lifecycle_ids['数据开放']}",
        headers={**HTMX, "HX-Boosted": "true", "HX-Target": "node-tree"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="node-detail"')
    assert "数据开放" in html
    assert "<html" not in html


def test_adding_a_node_announces_the_change(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    response = client.post(
        reverse("framework:node-create", args=[project.pk]),
        {"name": "新子类", "parent": lifecycle_ids["数据开放"]},
        headers=HTMX,
    )
    assert "codebook-changed" in response.headers["HX-Trigger"]
    assert Node.objects.filter(name="新子类", parent_id=lifecycle_ids["数据开放"]).exists()


def test_a_duplicate_name_shows_the_message_and_announces_nothing(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    response = client.post(
        reverse("framework:node-create", args=[project.pk]),
        {"name": "分级分类", "parent": lifecycle_ids["数据开放"]},
        headers=HTMX,
    )
    assert "already has a node named" in response.content.decode()
    assert "HX-Trigger" not in response.headers


def test_edit_saves_name_description_and_colour(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    node_id = lifecycle_ids["数据开放"]
    client.post(
        reverse("framework:node", args=[node_id]),
        {"name": "开放", "description": "规则", "color": "#112233"},
        headers=HTMX,
    )
    node = Node.objects.get(pk=node_id)
    assert (node.name, node.description, node.color) == ("开放", "规则", "#112233")


def test_drop_before_a_sibling_reorders(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    client.post(
        reverse("framework:node-move", args=[lifecycle_ids["法律责任"]]),
        {"before": lifecycle_ids["数据归集"]},
        headers=HTMX,
    )
    assert project.nodes.roots().values_list("name", flat=True).first() == "法律责任"


def test_drop_onto_a_node_moves_inside_and_menu_moves_up(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    client.post(reverse("framework:node-move", args=[lifecycle_ids["法律责任"]]), {"parent": lifecycle_ids["数据保障"]})
    assert Node.objects.get(pk=lifecycle_ids["法律责任"]).parent_id == lifecycle_ids["数据保障"]
    client.post(reverse("framework:node-move", args=[lifecycle_ids["数据开放"]]), {"direction": "up"})
    assert list(project.nodes.roots().values_list("name", flat=True))[:2] == ["数据归集", "数据开放"]


def test_move_into_a_descendant_shows_the_message(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    response = client.post(
        reverse("framework:node-move", args=[lifecycle_ids["数据开放"]]), {"parent": lifecycle_ids["数据开放/分级分类"]}
    )
    assert "own descendants" in response.content.decode()


def test_merge_shows_the_target_afterwards(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    response = client.post(
        reverse("framework:node-merge", args=[lifecycle_ids["数据开放/开放需求"]]),
        {"target": lifecycle_ids["数据开放/开放重点"]},
    )
    assert "Merged" in response.content.decode() or "合并" in response.content.decode()
    assert not Node.objects.filter(pk=lifecycle_ids["数据开放/开放需求"]).exists()


def test_delete_with_codings_asks_with_counts_then_deletes(client, owner, project, lifecycle_ids):
    client.force_login(owner)
    node_id = lifecycle_ids["数据开放"]
    document = DocumentFactory(project=project)
    CodingFactory(document=document, node_id=lifecycle_ids["数据开放/分级分类"], coder=UserFactory())
    CodingFactory(document=document, node_id=node_id, coder=UserFactory())
    url = reverse("framework:node-delete", args=[node_id])
    asked = client.post(url, headers=HTMX).content.decode()
    assert 'id="confirm-delete"' in asked
    assert "2 codings in 1 documents by 2 coders" in asked or "2" in asked
    assert Node.objects.filter(pk=node_id).exists()
    client.post(url, {"confirm": "1"}, headers=HTMX)
    assert not Node.objects.filter(pk=node_id).exists()


def test_template_button_builds_the_framework(client, owner, project):
    client.force_login(owner)
    response = client.post(reverse("framework:template-apply", args=[project.pk]), {"template": "lifecycle"})
    assert response.status_code == 302
    assert project.nodes.count() == 40


def test_import_of_a_bad_csv_says_why_and_adds_nothing(client, owner, project):
    client.force_login(owner)
    upload = SimpleUploadedFile("c.csv", b"path\na//b\n")
    response = client.post(reverse("framework:import", args=[project.pk]), {"file": upload}, follow=True)
    assert "empty level" in response.content.decode() or "空" in response.content.decode()
    assert not project.nodes.exists()


def test_export_downloads_each_format(client, viewer, project, lifecycle_ids):
    client.force_login(viewer)
    for fmt in ("csv", "json", "qdc"):
        response = client.get(reverse("framework:export", args=[project.pk, fmt]))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]


def test_figure_is_a_tree_of_categories_and_subcategories(client, viewer, project, lifecycle_ids):
    client.force_login(viewer)
    svg = client.get(reverse("framework:figure", args=[project.pk]) + "?download=1")
    assert svg["Content-Type"].startswith("image/svg+xml")
    text = svg.content.decode()
    assert text.count('class="node level-1"') == 7
    assert text.count('class="node level-2"') == 33
    assert "Noto Sans CJK SC" in text


def test_figure_escapes_names(project):
    roots = tree.build([tree.Row(1, None, "<script>&", color="#000000")])
    text = figure.svg(roots, title='"x"')
    assert "<script>" not in text
    assert "&lt;script&gt;&amp;" in text


def test_figure_can_stop_at_the_papers_two_levels(project):
    rows = [tree.Row(1, None, "a"), tree.Row(2, 1, "b"), tree.Row(3, 2, "c")]
    assert "level-3" not in figure.svg(tree.build(rows), title="t", max_depth=2)


def test_move_and_merge_selects_offer_only_nodes_outside_the_branch_and_show_the_parent(
    client, owner, project, lifecycle_ids
):
    client.force_login(owner)
    child = lifecycle_ids["数据开放/分级分类"]
    html = client.get(_page(project) + f"?node={child}", headers=HTMX).content.decode()
    move = html[html.index('id="node-move-form"') : html.index('id="node-merge-form"')]
    merge = html[html.index('id="node-merge-form"') :]
    merge = merge[: merge.index("</select>")]
    assert f'<option value="{lifecycle_ids["数据开放"]}" selected>数据开放</option>' in move
    assert f'value="{child}"' not in move
    assert '<select name="target" required>' in merge
    assert f'value="{child}"' not in merge
    top = client.get(_page(project) + f"?node={lifecycle_ids['数据开放']}", headers=HTMX).content.decode()
    assert '<option value="root" selected>' in top
