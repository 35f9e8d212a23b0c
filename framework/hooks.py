"""What the framework app provides to the layers below it (policies.hooks): registered once, from
FrameworkConfig.ready()."""

from framework import builtin, services, tree
from policies import hooks


def node_choices(project) -> list[tuple[int, str, int]]:
    """(id, path, depth) of each node of the project, in display order."""
    return [(n.row.id, n.path, n.depth) for n in tree.walk(tree.rows_for(project))]


def register() -> None:
    # Each looked up when called (not bound now), so replacing the implementation (a test's monkeypatch) holds.
    hooks.register("codebook_templates", lambda: builtin.available())
    hooks.register("codebook_template_apply", lambda **kwargs: services.apply_template(**kwargs))
    hooks.register("node_choices", lambda project: node_choices(project))
