"""The production static storage gives every ES module of the coding page a hashed name and rewrites the imports
between them to those names: one version of the module graph per release, each file cached for good."""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from config.staticfiles import ManifestStaticFilesStorage

IMPORT = re.compile(r"""^import .* from "([^"]+)";$""", re.MULTILINE)
HASHED = re.compile(r"\.[0-9a-f]{12}\.js$")


@pytest.mark.parametrize("backwards", [False, True], ids=["a-z", "z-a"])
def test_every_module_imports_hashed_names_that_exist(tmp_path, backwards):
    """Whatever order collectstatic finds the files in (each order needs a different number of passes)."""
    source = Path(settings.BASE_DIR) / "static" / "js"
    shutil.copytree(source, tmp_path / "js")
    names = sorted((str(path.relative_to(tmp_path)) for path in (tmp_path / "js").rglob("*.js")), reverse=backwards)
    storage = ManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    for _name, _hashed, processed in storage.post_process({name: (storage, name) for name in names}):
        assert not isinstance(processed, Exception), processed

    entry = storage.stored_name("js/workspace.js")
    assert HASHED.search(entry)
    seen, todo = set(), [entry]
    while todo:  # the whole graph from the entry module, as the browser walks it
        name = todo.pop()
        seen.add(name)
        for target in IMPORT.findall((tmp_path / name).read_text(encoding="utf-8")):
            imported = _normal((Path(name).parent / target).as_posix())
            assert HASHED.search(imported), f"{name} imports {target} without a hash"
            assert (tmp_path / imported).is_file(), f"{name} imports {target}, which was not written"
            if imported not in seen:
                todo.append(imported)
    assert {"js/workspace/state.js", "js/workspace/picker.js", "js/offsets.js"} <= {
        HASHED.sub(".js", name) for name in seen
    }


def _normal(path: str) -> str:
    """a/b/../c.js → a/c.js (import specifiers are relative to the importing module)."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)
