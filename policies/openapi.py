"""The OpenAPI schema's shared parts: the one error body, and the error statuses every operation documents.

Every operation can answer 400 (the edge refuses a control character in any parameter or header) and 403 (not
signed in, or a role too low); one with a path parameter also 404, one with a body also 413 and 415, a throttled
one 429. Views declare their other statuses (409, a 201 beside a 200 …) with extend_schema, using error(status).
"""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    400: "Refused: the detail says what is wrong. Nothing was changed.",
    403: "Not signed in, or your role in the project does not allow this.",
    404: "Not found, or not in a project you are a member of.",
    409: "Conflicts with what is stored: the detail says with what.",
    413: "The request or an uploaded file is too large.",
    415: "The body's content type, or an uploaded file's type, is not one this operation reads.",
    429: "Too many requests: wait before trying again.",
}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words a researcher can act on.")
    errors = serializers.DictField(required=False, help_text="For invalid input: the messages per field.")


class LayerSerializer(serializers.Serializer):
    """The coding layer a count is computed on (every answer that carries counts names it)."""

    kind = serializers.ChoiceField(["consensus", "coder", "coders"], help_text="共识, one coder, or a union")
    coders = serializers.ListField(
        child=serializers.CharField(), help_text="usernames counted; consensus stands for the consensus layer (共识)"
    )
    label = serializers.CharField(help_text="how pages and exports name the layer, e.g. 全部编码员（并集）")


LAYER_PARAMETER = (
    "the coding layer counted: comma-separated usernames (their union), consensus or 共识 for the consensus layer; "
    "absent: the default layer (共识 when it holds codings, else the one coder who coded, else all coders' union)"
)

# The scope every text analytics operation takes (word frequency, text search, word groups).
SCOPE_PARAMETERS = [
    OpenApiParameter("province", str, description="only documents of this province (any common form: 浙江, Zhejiang)"),
    OpenApiParameter("issuer_type", str),
    OpenApiParameter("policy_type", str),
    OpenApiParameter("node", int, description="only the text coded at this node or its descendants"),
    OpenApiParameter(
        "coder", str, description="with node: the coding layer (usernames, consensus or 共识; default layer if absent)"
    ),
]


def error(status: int) -> OpenApiResponse:
    """An error response for extend_schema(responses={…})."""
    return OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the error statuses every operation shares, and component names that keep a
    view's nested InputSerializer apart from another view's."""

    def get_serializer_name(self, serializer: serializers.Serializer, direction: str) -> str:
        outer, _, name = type(serializer).__qualname__.rpartition(".")
        if not outer:
            return super().get_serializer_name(serializer, direction)
        prefix = outer.rsplit(".", 1)[-1].removesuffix("Api").removesuffix("Serializer")
        return prefix + name.removesuffix("Serializer")

    def _unwrap_list_serializer(self, serializer, direction):
        """A list that may not be empty (allow_empty=False) says so: minItems 1."""
        schema = super()._unwrap_list_serializer(serializer, direction)
        if schema and schema.get("type") == "array" and getattr(serializer, "allow_empty", True) is False:
            schema["minItems"] = 1
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        statuses = [400, 403]
        if "{" in path:
            statuses.append(404)
        if "requestBody" in operation:
            statuses += [413, 415]
        if getattr(self.view, "throttle_classes", None):
            statuses.append(429)
        reference = self.resolve_serializer(ErrorSerializer, "response").ref
        for status in statuses:
            operation["responses"].setdefault(
                str(status),
                {"content": {"application/json": {"schema": reference}}, "description": ERROR_DESCRIPTIONS[status]},
            )
        return operation
