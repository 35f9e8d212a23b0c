"""The OpenAPI schema describes what the endpoints answer: error statuses, bodies, content types, one name each."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.throttling import AnonRateThrottle

from policies.api import ProjectListApi

ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _json(response) -> dict:
    return response["content"]["application/json"]["schema"]


def _component(schema, reference: dict) -> dict:
    return schema["components"]["schemas"][reference["$ref"].rsplit("/", 1)[-1]]


def test_every_operation_documents_its_errors_as_the_one_error_body(schema):
    operations = list(_operations(schema))
    assert len(operations) > 50
    for path, method, operation in operations:
        responses = operation["responses"]
        expected = {"400", "403"} | ({"404"} if "{" in path else set())
        expected |= {"413", "415"} if "requestBody" in operation else set()
        assert expected <= set(responses), f"{method} {path}: {sorted(responses)}"
        assert all(_json(responses[code]) == ERROR for code in expected), f"{method} {path}"
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    assert error["properties"]["detail"]["type"] == "string"


def test_each_views_input_is_its_own_component(schema):
    bodies = {
        (path, method): _json(operation["requestBody"])["$ref"]
        for path, method, operation in _operations(schema)
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    }
    new_node = bodies["/api/projects/{project_id}/nodes/", "post"]
    new_member = bodies["/api/projects/{project_id}/members/", "post"]
    assert new_node != new_member
    assert "name" in _component(schema, {"$ref": new_node})["properties"]
    assert "username" in _component(schema, {"$ref": new_member})["properties"]


def test_document_count_is_an_integer_that_is_always_there(schema):
    project = schema["components"]["schemas"]["Project"]
    assert project["properties"]["document_count"]["type"] == "integer"
    assert "document_count" in project["required"]


def test_an_upload_answers_a_document_or_the_report_of_several_files(schema):
    created = schema["paths"]["/api/projects/{project_id}/documents/"]["post"]["responses"]["201"]
    choices = _component(schema, _json(created))["oneOf"]
    assert choices == [{"$ref": "#/components/schemas/Document"}, {"$ref": "#/components/schemas/UploadReport"}]
    report = schema["components"]["schemas"]["UploadReport"]
    assert set(report["required"]) == {"detail", "documents", "refused"}


def test_codings_are_posted_one_or_as_a_non_empty_list(schema):
    operation = schema["paths"]["/api/projects/{project_id}/codings/"]["post"]
    request = _component(schema, _json(operation["requestBody"]))["oneOf"]
    assert request[0] == {"$ref": "#/components/schemas/CodingInputRequest"}
    assert request[1]["type"] == "array"
    assert request[1]["minItems"] == 1
    assert {"200", "201"} <= set(operation["responses"])


def test_the_compact_coding_list_may_leave_out_document_and_text(schema):
    listed = schema["paths"]["/api/projects/{project_id}/codings/"]["get"]["responses"]["200"]
    item = _component(schema, _json(listed)["items"])
    assert {"document", "text"} <= set(item["properties"])
    assert not {"document", "text"} & set(item["required"])


@pytest.mark.parametrize(
    ("path", "types"),
    [
        ("/api/projects/{project_id}/nodes/export.{fmt}", {"text/csv", "application/json", "application/xml"}),
        ("/api/documents/{document_id}/file/", {"text/plain", "application/pdf", "text/html"}),
    ],
)
def test_downloads_document_the_content_types_they_send(schema, path, types):
    assert types <= set(schema["paths"][path]["get"]["responses"]["200"]["content"])


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("/api/projects/{project_id}/matrix/", {"rows", "columns", "cells", "column_nodes"}),
        ("/api/projects/{project_id}/agreement/", {"coders", "overall", "nodes", "matrix"}),
    ],
)
def test_reports_are_described_not_free_form(schema, path, keys):
    answer = _component(schema, _json(schema["paths"][path]["get"]["responses"]["200"]))
    assert keys <= set(answer["required"])


def test_the_sign_in_endpoint_documents_its_lockout_as_429_with_the_error_body(schema):
    assert _json(schema["paths"]["/api/auth/token/"]["post"]["responses"]["429"]) == ERROR


def test_a_throttled_view_documents_429(schema, monkeypatch):
    assert "429" not in schema["paths"]["/api/projects/"]["get"]["responses"]
    monkeypatch.setattr(ProjectListApi, "throttle_classes", [AnonRateThrottle])
    throttled = SchemaGenerator().get_schema(request=None, public=True)
    assert _json(throttled["paths"]["/api/projects/"]["get"]["responses"]["429"]) == ERROR
