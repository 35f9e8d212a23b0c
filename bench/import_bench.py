"""Import speed: 500 txt documents of 20,000 characters through the API; the page of a 60,000-character text.

Run: .venv/bin/python bench/import_bench.py [--postgres [URL]] (default: a temporary SQLite database).
Budgets (issue 2): at least 50 documents per second; the document page renders in under 50 ms.
"""

import time

import benchdb

DOCUMENTS = 500
CHARS = 20_000


def make_texts(n: int, length: int) -> list[str]:
    source = benchdb.corpus_text()
    source = source * (length // len(source) + 2)
    return [f"测试文件第{i}号\n" + source[(i * 997) % 5000 :][: length - 10] for i in range(n)]


def main() -> None:
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from policies.services.documents import document_import
    from policies.services.projects import project_create

    user = get_user_model().objects.create_user("bench", password="bench-pass-1")
    project = project_create(user=user, name="bench")
    token = Token.objects.create(user=user)
    client = Client(headers={"Authorization": f"Token {token.key}"})
    url = f"/api/projects/{project.pk}/documents/"
    texts = make_texts(DOCUMENTS, CHARS)
    payloads = [t.encode("gb18030" if i % 2 else "utf-8") for i, t in enumerate(texts)]

    start = time.perf_counter()
    for i, data in enumerate(payloads):
        response = client.post(url, {"file": SimpleUploadedFile(f"政策{i}.txt", data)})
        assert response.status_code == 201, response.content[:300]
    elapsed = time.perf_counter() - start
    print(
        f"[{label}] import {DOCUMENTS} txt x {CHARS} chars through the API (half GB18030): "
        f"{elapsed:.2f} s = {DOCUMENTS / elapsed:.1f} documents/s (budget >= 50)"
    )

    big = ("\n".join(texts) * 2)[:60_000]
    outcome = document_import(project=project, user=user, filename="big.txt", data=big.encode())[0]
    document = outcome.document
    page = Client()
    page.force_login(user)
    path = f"/documents/{document.pk}/"
    assert page.get(path).status_code == 200
    times = benchdb.timed(lambda: page.get(path), repeat=30)
    print(
        f"[{label}] document page, {document.char_count} chars, {document.sections.count()} sections: "
        f"{benchdb.summary(times)} (budget < 50 ms)"
    )


if __name__ == "__main__":
    main()
