"""Write a project as a REFI-QDA .qdpx file, or every project into a folder (a backup that cron can run)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coding.exchange import qdpx
from policies.models import Project


class Command(BaseCommand):
    help = "Export a project as .qdpx (export_project ID FILE), or every project into a folder (--all DIR)."

    def add_arguments(self, parser):
        parser.add_argument("project", nargs="?", type=int, help="the project id")
        parser.add_argument("file", nargs="?", help="the .qdpx file to write")
        parser.add_argument("--all", dest="folder", help="write one .qdpx per project into this folder")

    def handle(self, *args, project=None, file=None, folder=None, **options):
        if folder:
            target = Path(folder)
            target.mkdir(parents=True, exist_ok=True)
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            for each in Project.objects.order_by("id"):
                self._write(each, target / f"project-{each.pk}-{stamp}.qdpx")
            return
        if project is None or not file:
            raise CommandError("Give a project id and a file name, or --all DIR.")
        try:
            self._write(Project.objects.get(pk=project), Path(file))
        except Project.DoesNotExist:
            raise CommandError(f"There is no project {project}.") from None

    def _write(self, project: Project, path: Path) -> None:
        owner = project.memberships.filter(role="owner").order_by("id").first()
        user = owner.user if owner else project.created_by
        with path.open("wb") as handle:
            qdpx.write(handle, project, user)
        self.stdout.write(f"{project.pk}\t{project.name}\t{path}")
