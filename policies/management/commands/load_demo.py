"""Create the demo users and the demo project with real policy documents (idempotent)."""

import csv
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from framework import services as framework_services
from policies import services
from policies.models import Membership, Project, Role

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
PROJECT_NAME = "政府数据开放共享政策研究（示例）"
PASSWORD = "policycoder-demo"
USERS = (("demo", Role.OWNER), ("coder1", Role.CODER), ("coder2", Role.CODER), ("reader", Role.VIEWER))


class Command(BaseCommand):
    help = "Load the demo project (four real policy texts) and demo users; safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        for username, _role in USERS:
            user, created = get_user_model().objects.get_or_create(username=username)
            if created:
                user.set_password(PASSWORD)
                user.save()
            users[username] = user
        project = Project.objects.filter(name=PROJECT_NAME, memberships__user=users["demo"]).first()
        if project is None:
            project = services.project_create(
                user=users["demo"],
                name=PROJECT_NAME,
                description="省级政府数据开放共享政策的内容分析：数据生命周期框架（7 个一级类目、33 个二级类目）。",
            )
        for template in ("lifecycle", "stakeholders"):
            framework_services.apply_template(project=project, template=template)
        for username, role in USERS[1:]:
            Membership.objects.get_or_create(project=project, user=users[username], defaults={"role": role})
        with (DEMO_DIR / "documents.csv").open(encoding="utf-8") as sheet:
            for row in csv.DictReader(sheet):
                data = (DEMO_DIR / "documents" / row.pop("file")).read_bytes()
                # A second run finds each text already there and is refused as a duplicate: nothing doubles.
                services.document_import(
                    project=project, user=users["demo"], filename=f"{row['title']}.txt", data=data, attributes=row
                )
        self.stdout.write(
            f"Demo project “{project.name}” with {project.documents.count()} documents.\n"
            f"Log in at http://127.0.0.1:8000/ as demo / {PASSWORD} (owner); "
            f"coder1, coder2 (coders) and reader (viewer) share the same password."
        )
