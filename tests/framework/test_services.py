import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from coding import counts
from coding.models import Coding, CodingEvent
from framework import exchange, services, tree
from framework.models import Node
from tests.factories import CodingFactory, DocumentFactory, NodeFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _paths(project):
    return [n.path for n in tree.walk(tree.rows_for(project))]


def _names(project, parent):
    return list(Node.objects.filter(project=project, parent=parent).values_list("name", flat=True))


# --- create / update ---------------------------------------------------------------------------------
def _chain(project, levels: int) -> list[Node]:
    nodes, parent = [], None
    for level in range(levels):
        parent = Node.objects.create(project=project, parent=parent, name=f"第{level + 1}层")
        nodes.append(parent)
    return nodes


def test_a_node_below_the_fiftieth_level_is_refused(project):
    chain = _chain(project, tree.MAX_DEPTH)
    services.node_create(project=project, name="同层", parent=chain[-2])
    with pytest.raises(ValidationError, match="nested more than 50 levels deep"):
        services.node_create(project=project, name="太深", parent=chain[-1])
    assert not project.nodes.filter(name="太深").exists()


def test_a_move_that_would_put_a_subtree_below_the_fiftieth_level_is_refused(project):
    chain = _chain(project, tree.MAX_DEPTH - 1)
    top = services.node_create(project=project, name="分支")
    services.node_create(project=project, name="叶", parent=top)
    with pytest.raises(ValidationError, match="nested more than 50 levels deep"):
        services.node_move(node=top, parent=chain[-1])  # 49 + a branch of 2 levels = 51
    top.refresh_from_db()
    assert top.parent_id is None
    services.node_move(node=top, parent=chain[-2])  # 48 + 2 = 50 is allowed
    top.refresh_from_db()
    assert top.parent_id == chain[-2].pk


def test_same_name_may_live_under_two_parents(project):
    sharing = services.node_create(project=project, name="数据共享")
    opening = services.node_create(project=project, name="数据开放")
    services.node_create(project=project, name="分级分类", parent=sharing)
    services.node_create(project=project, name="分级分类", parent=opening)
    assert _paths(project) == ["数据共享", "数据共享/分级分类", "数据开放", "数据开放/分级分类"]


def test_duplicate_sibling_name_is_refused(project):
    parent = services.node_create(project=project, name="数据开放")
    services.node_create(project=project, name="分级分类", parent=parent)
    with pytest.raises(ValidationError, match="already has a node named “分级分类”"):
        services.node_create(project=project, name=" 分级分类 ", parent=parent)


def test_duplicate_top_level_name_is_refused(project):
    services.node_create(project=project, name="数据开放")
    with pytest.raises(ValidationError, match="top-level"):
        services.node_create(project=project, name="数据开放")


def test_empty_name_and_bad_colour_are_refused(project):
    with pytest.raises(ValidationError, match="name"):
        services.node_create(project=project, name="  ")
    with pytest.raises(ValidationError, match="not a colour"):
        services.node_create(project=project, name="a", color="blue")
    assert not project.nodes.exists()


def test_new_child_takes_its_parents_colour_and_comes_last(project):
    parent = services.node_create(project=project, name="数据开放", color="#ABC")
    first = services.node_create(project=project, name="数据编目", parent=parent)
    second = services.node_create(project=project, name="目录更新", parent=parent)
    assert parent.color == first.color == "#aabbcc"
    assert (first.order, second.order) == (0, 1)


def test_create_at_a_position_renumbers_siblings(project):
    for name in "abc":
        services.node_create(project=project, name=name)
    services.node_create(project=project, name="first", position=0)
    assert _names(project, None) == ["first", "a", "b", "c"]
    assert list(project.nodes.values_list("order", flat=True).order_by("order")) == [0, 1, 2, 3]


def test_a_parent_from_another_project_is_refused_as_if_it_did_not_exist(project):
    stranger = NodeFactory(name="机密节点")
    with pytest.raises(ValidationError) as refused:
        services.node_create(project=project, name="x", parent=stranger)
    assert refused.value.messages == ["That node no longer exists: someone may have deleted or merged it."]
    assert not project.nodes.exists()


def test_update_renames_describes_and_recolours(project):
    node = services.node_create(project=project, name="数据开放")
    services.node_update(node=node, name="数据开放利用", description="定义：……", color="#F00")
    node.refresh_from_db()
    assert (node.name, node.description, node.color) == ("数据开放利用", "定义：……", "#ff0000")


def test_rename_onto_a_siblings_name_is_refused(project):
    services.node_create(project=project, name="a")
    b = services.node_create(project=project, name="b")
    with pytest.raises(ValidationError, match="top-level node named “a”"):
        services.node_update(node=b, name="a")


def test_a_duplicate_the_database_catches_becomes_a_readable_error(project, monkeypatch):
    """The race the pre-check cannot see: another owner inserted the same sibling a moment earlier."""
    services.node_create(project=project, name="数据开放")
    monkeypatch.setattr(services, "_check_free", lambda *args, **kwargs: None)
    with pytest.raises(ValidationError, match="already a top-level node named “数据开放”"):
        services.node_create(project=project, name="数据开放")
    assert project.nodes.count() == 1


# --- move ----------------------------------------------------------------------------------------------
@pytest.fixture
def lifecycle(project):
    services.apply_template(project=project, template="lifecycle")
    return {n.path: Node.objects.get(pk=n.row.id) for n in tree.walk(tree.rows_for(project))}


def test_move_puts_a_node_and_its_subtree_under_a_new_parent(project, lifecycle):
    services.node_move(node=lifecycle["数据开放"], parent=lifecycle["数据利用"])
    assert "数据利用/数据开放/分级分类" in _paths(project)
    orders = list(project.nodes.roots().values_list("order", flat=True))
    assert orders == list(range(6))  # the gap it left is closed


def test_move_to_a_position_reorders_siblings(project, lifecycle):
    services.node_move(node=lifecycle["法律责任"], parent=None, position=0)
    assert _names(project, None)[:2] == ["法律责任", "数据归集"]
    assert list(project.nodes.roots().values_list("order", flat=True)) == list(range(7))


def test_move_under_its_own_descendant_is_refused(project, lifecycle):
    with pytest.raises(ValidationError, match="own descendants"):
        services.node_move(node=lifecycle["数据开放"], parent=lifecycle["数据开放/分级分类"])
    with pytest.raises(ValidationError, match="own descendants"):
        services.node_move(node=lifecycle["数据开放"], parent=lifecycle["数据开放"])


def test_move_next_to_a_sibling_with_the_same_name_is_refused(project, lifecycle):
    with pytest.raises(ValidationError, match="already has a node named “分级分类”"):
        services.node_move(node=lifecycle["数据共享/分级分类"], parent=lifecycle["数据开放"])
    assert lifecycle["数据共享/分级分类"].parent_id == lifecycle["数据共享"].pk


def test_move_position_lands_before_or_after_a_sibling(project, lifecycle):
    node, anchor = lifecycle["数据归集"], lifecycle["数据利用"]
    assert services.move_position(node=node, parent=None, before=anchor) == 2
    assert services.move_position(node=node, parent=None, after=anchor) == 3


# --- merge --------------------------------------------------------------------------------------------
@pytest.fixture
def two_nodes(project):
    source = services.node_create(project=project, name="分级分类-旧")
    target = services.node_create(project=project, name="分级分类")
    return source, target


def test_merge_moves_codings_and_drops_identical_ones(project, two_nodes, owner):
    source, target = two_nodes
    document, ana, bo = DocumentFactory(project=project), UserFactory(), UserFactory()
    CodingFactory(document=document, node=source, coder=ana, start=0, end=5, memo="同一段")
    CodingFactory(document=document, node=target, coder=ana, start=0, end=5)  # identical: becomes one
    CodingFactory(document=document, node=source, coder=bo, start=0, end=5)  # another coder: kept
    CodingFactory(document=document, node=source, coder=ana, start=6, end=9)
    report = services.node_merge(source=source, target=target, actor=owner)
    assert report["duplicates_dropped"] == 1
    assert report["codings_moved"] == 2
    assert not Node.objects.filter(pk=source.pk).exists()
    assert target.codings.count() == 3
    assert target.codings.get(coder=ana, start=0).memo == "同一段"  # the dropped duplicate's memo is kept
    trail = sorted(CodingEvent.objects.values_list("action", "actor__username", "node_path", "before__merged_into"))
    assert (
        trail == [("deleted", "owner", "分级分类-旧", target.pk)] + [("updated", "owner", "分级分类-旧", target.pk)] * 2
    )


def test_merge_moves_children_and_merges_children_with_the_same_name(project, two_nodes, owner):
    source, target = two_nodes
    shared_source = services.node_create(project=project, name="无条件", parent=source)
    services.node_create(project=project, name="有条件", parent=source)
    shared_target = services.node_create(project=project, name="无条件", parent=target)
    CodingFactory(document=DocumentFactory(project=project), node=shared_source)
    report = services.node_merge(source=source, target=target, actor=owner)
    assert report == {"codings_moved": 1, "duplicates_dropped": 0, "children_moved": 1, "nodes_merged": 2}
    assert _paths(project) == ["分级分类", "分级分类/无条件", "分级分类/有条件"]
    assert shared_target.codings.count() == 1


def test_merge_into_itself_or_a_descendant_is_refused(project, lifecycle, owner):
    with pytest.raises(ValidationError, match="lies inside it"):
        services.node_merge(source=lifecycle["数据开放"], target=lifecycle["数据开放/分级分类"], actor=owner)
    with pytest.raises(ValidationError, match="another node"):
        services.node_merge(source=lifecycle["数据开放"], target=lifecycle["数据开放"], actor=owner)


def test_merge_across_projects_is_refused(project, two_nodes, owner):
    with pytest.raises(ValidationError, match="within one project"):
        services.node_merge(source=two_nodes[0], target=NodeFactory(), actor=owner)


# --- delete -------------------------------------------------------------------------------------------
def test_delete_of_a_node_with_codings_asks_first_with_counts(project, lifecycle, owner):
    category, child = lifecycle["数据开放"], lifecycle["数据开放/分级分类"]
    document = DocumentFactory(project=project)
    CodingFactory(document=document, node=child, coder=UserFactory(), start=0, end=3)
    CodingFactory(document=document, node=category, coder=UserFactory(), start=0, end=3)
    with pytest.raises(services.ConfirmationNeeded) as asked:
        services.node_delete(node=category, actor=owner)
    assert asked.value.totals == counts.NodeCounts(documents=1, references=2, coders=2)
    assert "2 codings in 1 documents by 2 coders" in asked.value.messages[0]
    assert project.nodes.count() == 40
    services.node_delete(node=category, actor=owner, confirm=True)
    assert project.nodes.count() == 32
    assert not Coding.objects.exists()
    assert list(CodingEvent.objects.values_list("action", "node_path")) == [("deleted", "数据开放")] * 2
    assert list(project.nodes.roots().values_list("order", flat=True)) == list(range(6))


def test_delete_of_an_uncoded_node_needs_no_confirmation(project, lifecycle, owner):
    services.node_delete(node=lifecycle["法律责任"], actor=owner)
    assert "法律责任" not in _paths(project)


# --- templates and imports ----------------------------------------------------------------------------
def test_lifecycle_template_builds_the_papers_framework(project):
    report = services.apply_template(project=project, template="lifecycle")
    assert len(report["added"]) == 40
    levels = tree.levels(tree.rows_for(project))
    assert sorted(levels.values()).count(1) == 7
    assert sorted(levels.values()).count(2) == 33
    node = project.nodes.get(name="数据利用", parent=None)
    assert node.description == "释放数据价值的过程"
    colours = set(project.nodes.roots().values_list("color", flat=True))
    assert len(colours) == 7
    assert {"数据共享/分级分类", "数据开放/分级分类"} <= set(_paths(project))


def test_applying_a_template_twice_adds_nothing_twice(project):
    services.apply_template(project=project, template="lifecycle")
    again = services.apply_template(project=project, template="lifecycle")
    assert again["added"] == []
    assert len(again["skipped"]) == 40
    assert project.nodes.count() == 40


def test_stakeholder_template_is_the_section_2_3_tree(project):
    services.apply_template(project=project, template="stakeholders")
    assert _names(project, None) == ["政府机构", "企业", "高等院校与科研机构及其他企事业单位", "社会公众"]
    assert len(_names(project, project.nodes.get(name="政府机构"))) == 5


def test_unknown_template_is_refused(project):
    with pytest.raises(ValidationError, match="Unknown template"):
        services.apply_template(project=project, template="nvivo")


def test_csv_import_merges_by_path_and_reports_what_and_why(project):
    services.node_create(project=project, name="数据开放", description="原有描述")
    data = (
        "path,description,color\n数据开放,新描述,#000000\n"
        "数据开放/分级分类,无条件开放,#59a14f\n法律责任/整改责罚,问责,\n"
    )
    report = services.codebook_import_file(project=project, filename="codebook.csv", data=data.encode())
    assert report.added == ["数据开放/分级分类", "法律责任", "法律责任/整改责罚"]  # the missing parent is created
    assert report.skipped == [("数据开放", "already in the codebook; its description and colour were kept")]
    assert project.nodes.get(name="数据开放").description == "原有描述"


def test_a_parent_line_after_its_child_fills_the_parent_it_created(project):
    data = "path,description,color\n数据开放/分级分类,子,#111111\n数据开放,父,#222222\n"
    report = services.codebook_import_file(project=project, filename="c.csv", data=data.encode())
    parent = project.nodes.get(name="数据开放")
    assert (parent.description, parent.color) == ("父", "#222222")
    assert report.skipped == []


def test_a_bad_row_applies_nothing(project):
    data = "path,color\n数据开放,#111111\n数据开放/分级分类,#222222\n数据开放//x,#333333\n"
    with pytest.raises(ValidationError, match="Row 4"):
        services.codebook_import_file(project=project, filename="c.csv", data=data.encode())
    assert not project.nodes.exists()


def test_an_import_that_fails_midway_is_rolled_back(project, monkeypatch):
    real = services._save
    calls = []

    def failing_save(node):
        calls.append(node)
        if len(calls) == 3:
            raise ValidationError("boom")
        real(node)

    monkeypatch.setattr(services, "_save", failing_save)
    with pytest.raises(ValidationError):
        services.apply_template(project=project, template="lifecycle")
    assert not project.nodes.exists()


@pytest.mark.parametrize("fmt", ["csv", "json", "qdc"])
def test_export_then_import_into_a_new_project_gives_the_same_codebook(project, lifecycle, fmt):
    services.node_update(node=lifecycle["数据开放/分级分类"], description="多行\n说明 <b>&</b>")
    rows = tree.rows_for(project)
    writer = {
        "csv": lambda: exchange.write_csv(tree.walk(rows)),
        "json": lambda: exchange.write_json(tree.build(rows)),
        "qdc": lambda: exchange.write_qdc(tree.build(rows)),
    }[fmt]
    other = ProjectFactory()
    services.codebook_import_file(project=other, filename=f"book.{fmt}", data=writer())

    def shape(p):
        return [(n.path, n.row.description, n.row.color, n.row.guid) for n in tree.walk(tree.rows_for(p))]

    assert shape(other) == shape(project)


def test_guids_stay_the_same_across_exports(project, lifecycle):
    first = exchange.write_qdc(tree.build(tree.rows_for(project)))
    services.node_update(node=lifecycle["数据开放"], name="数据开放（改）")
    second = exchange.write_qdc(tree.build(tree.rows_for(project)))
    assert str(lifecycle["数据开放"].guid) in first.decode()
    assert str(lifecycle["数据开放"].guid) in second.decode()


def test_an_imported_guid_of_a_node_elsewhere_is_reported_and_the_node_stays(project):
    node = services.node_create(project=project, name="a")
    data = f"path,description,color,guid\nx/b,,,{node.guid}\n".encode()
    report = services.codebook_import_file(project=project, filename="c.csv", data=data)
    assert list(project.nodes.values_list("name", flat=True)) == ["a"]
    assert report.skipped == [("x/b", "its GUID belongs to “a”, which stays where it is")]


# --- counts -------------------------------------------------------------------------------------------
def test_counts_come_from_one_query(project, django_assert_num_queries):
    node, other = services.node_create(project=project, name="a"), services.node_create(project=project, name="b")
    ana, bo = UserFactory(), UserFactory()
    first, second = DocumentFactory(project=project), DocumentFactory(project=project)
    CodingFactory(document=first, node=node, coder=ana, start=0, end=2)
    CodingFactory(document=first, node=node, coder=bo, start=0, end=2)
    CodingFactory(document=second, node=node, coder=ana, start=0, end=2)
    CodingFactory(document=second, node=other, coder=ana, start=0, end=2)
    with django_assert_num_queries(2):  # the codebook's shape (flat: nothing to roll up), then one grouped query
        per_node = counts.node_counts(project)
    assert per_node == {node.pk: (2, 3, 2), other.pk: (1, 1, 1)}


# --- concurrency (PostgreSQL: real row locks and a real race) -----------------------------------------
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: DATABASE_URL=postgres://…"
)


def _race(count, work):
    """Run work(i) in `count` threads released together; return what each returned or raised."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_owners_adding_the_same_sibling_at_once_give_one_node_and_a_clear_message():
    project = ProjectFactory()
    parent = services.node_create(project=project, name="数据开放")
    results = _race(4, lambda i: services.node_create(project=project, parent=parent, name="分级分类"))
    created = [r for r in results if isinstance(r, Node)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(created) == 1
    assert len(refused) == 3
    assert all("already has a node named “分级分类”" in r.messages[0] for r in refused)
    assert Node.objects.filter(parent=parent, name="分级分类").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_and_creates_keep_sibling_order_intact():
    project = ProjectFactory()
    target = services.node_create(project=project, name="target")
    movers = [services.node_create(project=project, name=f"n{i}") for i in range(6)]

    def work(i):
        if i % 2:
            return services.node_create(project=project, parent=target, name=f"new{i}", position=0)
        return services.node_move(node=movers[i], parent=target, position=0)

    results = _race(6, work)
    assert not [r for r in results if isinstance(r, Exception)]
    orders = sorted(Node.objects.filter(parent=target).values_list("order", flat=True))
    assert orders == list(range(6))
    roots = sorted(Node.objects.filter(project=project, parent=None).values_list("order", flat=True))
    assert roots == list(range(len(roots)))


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_crossed_moves_cannot_make_a_cycle():
    project = ProjectFactory()
    a = services.node_create(project=project, name="a")
    b = services.node_create(project=project, name="b")
    results = _race(2, lambda i: services.node_move(node=[a, b][i], parent=[b, a][i]))
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    rows = tree.rows_for(project)
    assert len(tree.walk(rows)) == 2  # both still reachable from the top: no cycle
