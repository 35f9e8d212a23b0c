"""export_project --all writes one .qdpx per project; import_project restores one as a new project."""

import io

import pytest
from django.core.management import CommandError, call_command

from coding.models import Coding
from policies.models import Project


@pytest.mark.django_db
def test_backup_every_project_then_restore_one(rich_project, tmp_path):
    out = io.StringIO()
    call_command("export_project", "--all", str(tmp_path), stdout=out)
    files = sorted(tmp_path.glob("*.qdpx"))
    assert len(files) == Project.objects.count() == 1
    call_command("import_project", str(files[0]), "--owner", "owner", "--match-users", stdout=out)
    restored = Project.objects.exclude(pk=rich_project["project"].pk).get()
    assert Coding.objects.filter(document__project=restored).count() == 4
    assert f"{restored.pk}\t" in out.getvalue()


@pytest.mark.django_db
def test_import_project_refuses_a_broken_file_with_the_reason(owner, tmp_path):
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(CommandError, match="zip"):
        call_command("import_project", str(broken), "--owner", "owner")
    assert Project.objects.count() == 1  # the fixture's project only
