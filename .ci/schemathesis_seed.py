"""Seed a database for schemathesis and write its configuration: python .ci/schemathesis_seed.py WORKDIR.

The demo project (four real documents, two codebooks, two coders' codings, assignments) plus a token for its owner,
a memo of each kind, a dictionary term, a consensus coding, and spare objects that the DELETE (and merge) operations
are pointed at, so that fuzzing them cannot starve the other operations of their documents and nodes.
Writes WORKDIR/schemathesis.toml and WORKDIR/token.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from coding import services as coding_services  # noqa: E402
from coding.management.commands.load_demo import PROJECT_NAME  # noqa: E402
from coding.models import MemoKind  # noqa: E402
from framework import services as framework_services  # noqa: E402
from policies.models import Project  # noqa: E402
from policies.services.documents import document_import  # noqa: E402
from policies.services.segmentation import dictionary_term_add  # noqa: E402

SPARE_TEXT = "关于开展数据接口检查的通知\n第一条　为了检查接口，制定本通知。\n第二条　本通知自发布之日起施行。\n"


def seed() -> dict[str, int]:
    call_command("load_demo", verbosity=0)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["demo", "coder1", "reader"])}
    owner = users["demo"]
    project = Project.objects.get(name=PROJECT_NAME)
    document = project.documents.filter(codings__isnull=False).order_by("id").first()
    coding = (
        document.codings.filter(coder=owner).first()
        or coding_services.codings_create(
            coder=owner,
            project=project,
            items=[coding_services.CodingRequest(document, project.nodes.order_by("id").first(), 0, 8)],
        )[0][0]
    )
    node = coding.node
    coding_services.adjudicate(
        project=project,
        actor=owner,
        role="owner",
        items=[coding_services.CodingRequest(document, node, coding.start, coding.end)],
    )
    memo = coding_services.memo_save(project=project, author=owner, kind=MemoKind.JOURNAL, body="检查备忘", title="")
    coding_services.memo_save(project=project, author=owner, kind=MemoKind.NODE, body="节点备忘", node=node)
    coding_services.memo_save(project=project, author=owner, kind=MemoKind.DOCUMENT, body="文档备忘", document=document)
    dictionary_term_add(project=project, word="数据专区", frequency=None, tag="n")
    term = project.dictionary_terms.get(word="数据专区")
    # Spares: what DELETE and merge may take away without leaving the other operations nothing to work on.
    [spare_outcome] = document_import(
        project=project, user=owner, filename="接口检查通知.txt", data=SPARE_TEXT.encode(), attributes={}
    )
    spare_node = framework_services.node_create(project=project, name="接口检查（可删除）")
    spare_coding = coding_services.codings_create(
        coder=owner,
        project=project,
        items=[coding_services.CodingRequest(spare_outcome.document, node, 0, 6)],
    )[0][0]
    spare_memo = coding_services.memo_save(project=project, author=owner, kind=MemoKind.JOURNAL, body="可删除")
    dictionary_term_add(project=project, word="接口检查", frequency=None, tag="n")
    spare_term = project.dictionary_terms.get(word="接口检查")
    return {
        "project_id": project.pk,
        "document_id": document.pk,
        "node_id": node.pk,
        "coding_id": coding.pk,
        "memo_id": memo.pk,
        "member_id": project.memberships.get(user=users["coder1"]).pk,
        "term_id": term.pk,
        "spare_document_id": spare_outcome.document.pk,
        "spare_node_id": spare_node.pk,
        "spare_coding_id": spare_coding.pk,
        "spare_memo_id": spare_memo.pk,
        "spare_member_id": project.memberships.get(user=users["reader"]).pk,
        "spare_term_id": spare_term.pk,
        "token": Token.objects.get_or_create(user=owner)[0].key,
    }


def config(ids: dict) -> str:
    """schemathesis.toml: every operation works on the seeded objects; deletions and merges on the spares."""
    names = ("project_id", "document_id", "node_id", "coding_id", "memo_id", "member_id", "term_id")
    lines = ["[cache]", "enabled = false", "", "[parameters]", *(f'"path.{name}" = {ids[name]}' for name in names), ""]
    spares = [
        ("/api/documents/{document_id}/", "DELETE", "document_id"),
        ("/api/nodes/{node_id}/", "DELETE", "node_id"),
        ("/api/nodes/{node_id}/merge/", "POST", "node_id"),
        ("/api/codings/{coding_id}/", "DELETE", "coding_id"),
        ("/api/memos/{memo_id}/", "DELETE", "memo_id"),
        ("/api/projects/{project_id}/members/{member_id}/", "DELETE", "member_id"),
        ("/api/projects/{project_id}/dictionary/{term_id}/", "DELETE", "term_id"),
    ]
    for path, method, name in spares:
        lines += [
            "[[operations]]",
            f'include-path = "{path}"',
            f'include-method = "{method}"',
            f'parameters = {{ "path.project_id" = {ids["project_id"]}, "path.{name}" = {ids[f"spare_{name}"]} }}',
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    workdir = Path(sys.argv[1])
    ids = seed()
    (workdir / "schemathesis.toml").write_text(config(ids))
    (workdir / "token").write_text(ids["token"])
    print("seeded:", ", ".join(f"{k}={v}" for k, v in ids.items() if k != "token"))
