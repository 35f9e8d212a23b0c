"""Restore a .qdpx backup (or import a REFI-QDA project from another tool) as a new project."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coding.exchange import services


class Command(BaseCommand):
    help = (
        "Import a .qdpx/.qde/.qdc file as a new project owned by --owner (members matched by name with --match-users)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--owner", required=True, help="username of the account that will own the new project")
        parser.add_argument(
            "--match-users", action="store_true", help="map the file's users to accounts of the same name"
        )

    def handle(self, *args, file, owner, match_users, **options):
        try:
            user = get_user_model().objects.get(username=owner)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user {owner}.") from None
        path = Path(file)
        if path.stat().st_size > settings.QDPX_MAX_MB * 1024 * 1024:
            raise CommandError(f"{path} is larger than QDPX_MAX_MB ({settings.QDPX_MAX_MB} MB).")
        try:
            report = services.project_import(
                user=user, filename=path.name, data=path.read_bytes(), match_users=match_users
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        result = report.as_dict()
        self.stdout.write(f"{result['project']}\t{result['detail']}")
        for line in result["skipped"]:
            self.stdout.write(f"skipped\t{line}")
        for line in result["changed"]:
            self.stdout.write(f"changed\t{line}")
