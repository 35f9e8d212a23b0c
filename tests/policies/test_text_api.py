"""The text analytics API: word frequency, text search, auto-code, dictionary and stopwords."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding.models import Coding
from policies.models import DictionaryTerm
from policies.services.documents import document_import
from policies.services.segmentation import dictionary_term_add
from tests.factories import NodeFactory

TEXT = "第一条　网信部门负责统筹协调公共数据工作。\n第二条　网信部门和公安机关依法监督公共数据。"


@pytest.fixture
def imported(project, owner):
    return document_import(project=project, user=owner, filename="条例.txt", data=TEXT.encode())[0].document


def url(name, project, **kwargs):
    return reverse(f"api:{name}", kwargs={"project_id": project.pk, **kwargs})


@pytest.mark.django_db
def test_word_frequency_answers_word_count_documents(api_as, project, viewer, imported):
    data = api_as(viewer).get(url("word-frequency", project) + "?top=2").json()
    assert data["layer"] is None  # whole documents: no coding layer
    rows = data["words"]
    assert len(rows) == 2
    assert {(r["word"], r["count"], r["documents"]) for r in rows} == {("公共数据", 2, 1), ("网信部门", 2, 1)}
    assert set(rows[0]) == {"word", "count", "documents", "percent", "pos"}


@pytest.mark.django_db
def test_word_frequency_filters_by_part_of_speech(api_as, project, viewer, imported):
    rows = api_as(viewer).get(url("word-frequency", project) + "?pos=organization").json()["words"]
    assert [r["word"] for r in rows] == ["网信部门", "公安机关"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?top=0", "?top=abc", "?pos=xyz!", "?node=9999", "?province=火星"])
def test_bad_word_frequency_parameters_answer_400_with_a_detail(api_as, project, viewer, imported, query):
    response = api_as(viewer).get(url("word-frequency", project) + query)
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.django_db
def test_text_search_answers_kwic_hits_and_counts(api_as, project, viewer, imported):
    body = api_as(viewer).get(url("text-search", project), {"q": "网信部门"}).json()
    assert body["total"] == 2
    assert not body["truncated"]
    hit = body["hits"][0]
    assert TEXT[hit["start"] : hit["end"]] == "网信部门" == hit["hit"]
    assert hit["article"] == "第一条"
    assert body["per_document"][0]["hits"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{"q": "(a+", "mode": "regex"}, {"q": "x*", "mode": "regex"}, {"q": ""}, {"q": "数据", "mode": "glob"}]
)
def test_bad_searches_answer_400_with_a_detail(api_as, project, viewer, imported, params):
    response = api_as(viewer).get(url("text-search", project), params)
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.django_db
def test_auto_code_previews_then_writes_one_batch(api_as, project, coder, imported):
    node = NodeFactory(project=project, name="网信部门")
    payload = {"q": "网信部门", "target": node.pk, "spread": "sentence", "preview": True}
    preview = api_as(coder).post(url("auto-code", project), payload, format="json")
    assert preview.status_code == 200
    body = preview.json()
    assert {k: body[k] for k in ("codings", "new", "existing", "documents", "omitted")} == {
        "codings": 2,
        "new": 2,
        "existing": 0,
        "documents": 1,
        "omitted": 0,
    }
    assert [p["start"] for p in body["passages"]] == [0, 22]
    assert not Coding.objects.exists()
    done = api_as(coder).post(url("auto-code", project), {**payload, "preview": False}, format="json")
    assert done.status_code == 201
    assert done.json()["created"] == 2
    assert api_as(coder).post(reverse("api:codings-undo", args=[project.pk])).status_code == 200
    assert not Coding.objects.exists()


@pytest.mark.django_db
def test_auto_code_to_a_node_of_another_project_is_not_found(api_as, project, coder, imported):
    stranger = NodeFactory()
    response = api_as(coder).post(url("auto-code", project), {"q": "网信部门", "target": stranger.pk}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found: it does not exist or you are not a member of its project."}
    assert not Coding.objects.exists()


@pytest.mark.django_db
def test_owner_adds_a_dictionary_word_and_results_update(api_as, project, owner, imported):
    assert "数据工作" not in [r["word"] for r in api_as(owner).get(url("word-frequency", project)).json()["words"]]
    response = api_as(owner).post(url("dictionary", project), {"word": "统筹协调", "tag": "v"}, format="json")
    assert response.status_code == 201
    assert response.json()[0]["word"] == "统筹协调"
    assert response.json()[0]["suggested"] is True
    rows = api_as(owner).get(url("word-frequency", project) + "?pos=v").json()["words"]
    assert "统筹协调" in [r["word"] for r in rows]
    state = api_as(owner).get(url("segmentation", project)).json()
    assert (state["status"], state["version"], state["segmented"]) == ("ready", 2, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("网信部门 nt\n\n数据局\n".encode(), "empty"),
        ("网信部门 nt\n".encode("gbk"), "GBK"),
        ("数据 开放 部门\n".encode(), "spaces"),
    ],
)
def test_bad_dictionary_uploads_answer_400_and_change_nothing(api_as, project, owner, imported, data, message):
    upload = SimpleUploadedFile("dict.txt", data)
    response = api_as(owner).post(url("dictionary", project), {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not project.dictionary_terms.exists()


@pytest.mark.django_db
def test_a_word_with_spaces_answers_400(api_as, project, owner):
    response = api_as(owner).post(url("dictionary", project), {"word": "数据 开放"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "“数据 开放” contains a space: a dictionary word is written without spaces."}
    assert not DictionaryTerm.objects.exists()


@pytest.mark.django_db
def test_removing_a_dictionary_word(api_as, project, owner):
    term = dictionary_term_add(project=project, word="数据二十条")
    assert api_as(owner).delete(url("dictionary-term", project, term_id=term.pk)).status_code == 204
    assert not project.dictionary_terms.exists()


@pytest.mark.django_db
def test_project_stopwords_leave_words_out_at_once(api_as, project, owner, imported):
    response = api_as(owner).put(url("stopwords", project), {"words": "公共数据, 网信部门"}, format="json")
    assert response.json() == {"words": ["公共数据", "网信部门"]}
    words = [r["word"] for r in api_as(owner).get(url("word-frequency", project)).json()["words"]]
    assert "公共数据" not in words
    assert "网信部门" not in words


@pytest.mark.django_db
def test_the_endpoints_are_in_the_openapi_schema(api_as, owner):
    schema = api_as(owner).get(reverse("api:schema") + "?format=json").json()
    for path in ("word-frequency/", "text-search/", "text-search/auto-code/", "dictionary/", "stopwords/"):
        assert f"/api/projects/{{project_id}}/{path}" in schema["paths"]


@pytest.mark.django_db
def test_auto_code_leaves_out_the_omitted_passage(api_as, project, coder, imported):
    node = NodeFactory(project=project, name="网信部门")
    payload = {"q": "网信部门", "target": node.pk, "spread": "sentence", "preview": True}
    first = api_as(coder).post(url("auto-code", project), payload, format="json").json()["passages"][0]
    omit = [f"{first['document']}:{first['start']}:{first['end']}"]
    preview = api_as(coder).post(url("auto-code", project), {**payload, "omit": omit}, format="json").json()
    assert (preview["codings"], preview["omitted"]) == (1, 1)
    done = api_as(coder).post(url("auto-code", project), {**payload, "omit": omit, "preview": False}, format="json")
    assert done.json()["created"] == 1
    assert not Coding.objects.filter(start=first["start"], end=first["end"]).exists()
    assert Coding.objects.count() == 1
