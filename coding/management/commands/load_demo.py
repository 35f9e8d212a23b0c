"""Create the demo users and the demo project with real policy documents (idempotent)."""

import csv
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from coding import services as coding_services
from framework import services as framework_services
from framework import tree
from policies.models import Membership, Project, Role
from policies.services.documents import document_import
from policies.services.projects import project_create

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
PROJECT_NAME = "政府数据开放共享政策研究（示例）"
PASSWORD = "policycoder-demo"
USERS = (("demo", Role.OWNER), ("coder1", Role.CODER), ("coder2", Role.CODER), ("reader", Role.VIEWER))
# A few sentences per node, found by keyword, so the demo's codebook, matrices and agreement have data.
SEED = {
    "数据归集/数据质量": ("数据质量",),
    "数据共享/共享平台": ("共享平台", "共享交换平台"),
    "数据开放/数据编目": ("目录",),
    "数据开放/分级分类": ("有条件开放", "无条件开放", "不予开放", "分类分级"),
    "数据安全与数据监管/数据安全保护": ("个人信息", "商业秘密"),
    "数据保障/资金保障": ("经费", "资金"),
    "法律责任/整改责罚": ("责令改正", "处分"),
}
SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")


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
            project = project_create(
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
                document_import(
                    project=project, user=users["demo"], filename=f"{row['title']}.txt", data=data, attributes=row
                )
        if not project.documents.filter(codings__isnull=False).exists():
            self.seed_codings(project, users)
        self.stdout.write(
            f"Demo project “{project.name}” with {project.documents.count()} documents.\n"
            f"Log in at http://127.0.0.1:8000/ as demo / {PASSWORD} (owner); "
            f"coder1, coder2 (coders) and reader (viewer) share the same password."
        )

    def seed_codings(self, project, users) -> None:
        """coder1 codes every sentence naming a keyword; coder2 most of them, so agreement is high but not perfect."""
        paths = {path: node_id for node_id, path in tree.paths(tree.rows_for(project)).items()}
        nodes = {node.pk: node for node in project.nodes.all()}
        for number, document in enumerate(project.documents.order_by("id")):
            requests = {"coder1": [], "coder2": []}
            for path, keywords in SEED.items():
                node = nodes[paths[path]]
                for index, match in enumerate(
                    m for m in SENTENCE.finditer(document.text) if any(k in m.group() for k in keywords)
                ):
                    item = coding_services.CodingRequest(document, node, match.start(), match.end())
                    requests["coder1"].append(item)
                    if (index + number) % 5:
                        requests["coder2"].append(item)
            for username, items in requests.items():
                if items:
                    coding_services.codings_create(coder=users[username], project=project, items=items)
        coders = [users["coder1"], users["coder2"]]
        documents = list(project.documents.all())
        coding_services.assignments_add(project=project, documents=documents, coders=coders, actor=users["demo"])
        for document in documents:
            for coder in coders:
                coding_services.assignment_mark(document=document, coder=coder, done=True)
