"""JSON API for coding suggestions: train a model on a layer, list suggestions, accept or reject them, read the
cross-validated evaluation."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coding import layers
from coding.models import Suggestion, SuggestionModel
from coding.suggest import engine, layer, review, services
from policies import access, writers
from policies.models import Project, Role


class ModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = SuggestionModel
        fields = ["id", "version", "layer_label", "status", "done", "total", "error", "summary", "created_at"]


class SuggestionSerializer(serializers.ModelSerializer):
    class WordSerializer(serializers.Serializer):
        word = serializers.CharField()
        weight = serializers.FloatField()
        spans = serializers.ListField(
            child=serializers.ListField(child=serializers.IntegerField()),
            help_text="[start, end) code-point offsets in the document text",
        )

    words = WordSerializer(many=True)

    class Meta:
        model = Suggestion
        fields = ["id", "document", "node", "start", "end", "label", "probability", "words", "model_version"]


def _layer(project: Project, user, text: str | None) -> layers.Layer:
    """The layer a request names (coding.layers' rule); its answer carries it as `layer: {kind, coders, label}`."""
    if text is not None and not isinstance(text, str):
        raise ValidationError({"detail": _("“layer” is consensus, 共识 or usernames separated by commas.")})
    return layer.resolve(project, user, text)


def _trained_model(project: Project, user, text: str | None):
    """The layer's newest trained model, or a 400 saying there is none."""
    model = review.ready(project, layer.key(_layer(project, user, text).ids))
    if model is None:
        raise ValidationError({"detail": _("No suggestion model is trained on this layer yet.")})
    return model


def _number(params, name: str, kind=int):
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValidationError({"detail": _("“%(field)s” must be a number.") % {"field": name}}) from None
    if kind is float and not 0.0 <= number <= 1.0:
        raise ValidationError({"detail": _("“%(field)s” is a probability from 0 to 1.") % {"field": name}})
    if kind is int and not 0 <= number < 2**31:
        raise ValidationError({"detail": _("“%(field)s” must be a number.") % {"field": name}})
    return number


LAYER = OpenApiParameter(
    "layer", str, description="consensus (共识) or usernames separated by commas; default: the project's default layer"
)


class SuggestionTrainApi(APIView):
    class InputSerializer(serializers.Serializer):
        layer = serializers.CharField(required=False, allow_blank=True, max_length=500)
        nodes = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=1000)
        min_share = serializers.FloatField(required=False, min_value=0.0, max_value=0.99, default=0.0)

    @extend_schema(
        request=InputSerializer,
        responses={202: ModelSerializer},
        description="Queue the training of a suggestion model on a layer's coding (coders and owners).",
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.CODER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        on_layer = _layer(project, request.user, data.get("layer"))
        model = services.model_create(
            project=project,
            user=request.user,
            on_layer=on_layer,
            node_ids=data.get("nodes") or [],
            min_share=data["min_share"],
        )
        model.refresh_from_db()
        answer = {**ModelSerializer(model).data, "layer": on_layer.as_json()}
        return Response(answer, status=status.HTTP_202_ACCEPTED)


class SuggestionListApi(APIView):
    @extend_schema(
        parameters=[
            LAYER,
            OpenApiParameter("document", int),
            OpenApiParameter("node", int),
            OpenApiParameter("min_probability", float, description="default: each node's threshold"),
        ],
        responses=SuggestionSerializer(many=True),
        description="Open suggestions of the layer's newest trained model, most probable first (at most 500).",
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        params = request.query_params
        document, node = _number(params, "document"), _number(params, "node")
        min_probability = _number(params, "min_probability", float)
        shown = _layer(project, request.user, params.get("layer"))
        model = review.ready(project, layer.key(shown.ids))
        found = []
        if model is not None:
            found = review.open_suggestions(model, document_id=document, node_id=node, min_probability=min_probability)
            found = list(found.select_related("document")[:500])
            services.explain_missing(found)  # those below their node's threshold were stored without their words
            found = SuggestionSerializer(found, many=True).data
        # a list answer: the layer rides in the header every layered download carries
        return Response(found, headers={writers.LAYER_HEADER: shown.header()})


def _suggestion(request: Request, suggestion_id: int) -> Suggestion:
    """The suggestion, if the user codes in its project and may see its layer (blind coders: their own only)."""
    suggestion = Suggestion.objects.select_related("document", "node", "project").filter(pk=suggestion_id).first()
    if suggestion is None:
        raise Http404
    project = access.project_for(request.user, suggestion.project_id, need=Role.CODER)
    if not layers.sees_everyone(project, request.user) and suggestion.layer_key != layer.key([request.user.pk]):
        raise Http404
    return suggestion


class SuggestionAcceptApi(APIView):
    @extend_schema(
        request=None,
        responses={201: serializers.DictField()},
        description="Code the suggested unit at its node as your own coding (undo reverses it).",
    )
    def post(self, request: Request, suggestion_id: int) -> Response:
        suggestion = _suggestion(request, suggestion_id)
        result = services.suggestion_accept(project=suggestion.project, user=request.user, suggestions=[suggestion])
        return Response(result, status=status.HTTP_201_CREATED)


class SuggestionRejectApi(APIView):
    @extend_schema(request=None, responses={200: serializers.DictField()}, description="Turn the suggestion down.")
    def post(self, request: Request, suggestion_id: int) -> Response:
        suggestion = _suggestion(request, suggestion_id)
        services.suggestion_reject(project=suggestion.project, user=request.user, suggestion=suggestion)
        return Response({"rejected": 1})


class SuggestionAcceptAboveApi(APIView):
    class InputSerializer(serializers.Serializer):
        min_probability = serializers.FloatField(min_value=0.0, max_value=1.0)
        document = serializers.IntegerField(required=False, min_value=1)
        node = serializers.IntegerField(required=False, min_value=1)
        layer = serializers.CharField(required=False, allow_blank=True, max_length=500)

    @extend_schema(
        request=InputSerializer,
        responses={201: serializers.DictField()},
        description="Accept every open suggestion at or above a probability (of a document and/or a node) as one "
        "undoable batch of your own codings.",
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.CODER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        model = _trained_model(project, request.user, data.get("layer"))
        found = review.open_suggestions(
            model, document_id=data.get("document"), node_id=data.get("node"), min_probability=data["min_probability"]
        ).select_related("document", "node")
        result = services.suggestion_accept(project=project, user=request.user, suggestions=list(found[:5000]))
        return Response(result, status=status.HTTP_201_CREATED)


def missing_message(positives: int, documents: int) -> str:
    """What a node lacks to be trained, in words."""
    return _("Needs at least %(positives)d coded units in %(documents)d documents; has %(have)d in %(in)d.") % {
        "positives": engine.MIN_POSITIVES,
        "documents": engine.MIN_DOCUMENTS,
        "have": positives,
        "in": documents,
    }


class SuggestionEvaluationApi(APIView):
    @extend_schema(
        parameters=[LAYER],
        responses=serializers.DictField(),
        description="The layer's newest model: its progress, micro/macro figures, and per node the examples, the "
        "threshold, and the cross-validated precision, recall, F1 and precision–recall curve.",
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        shown = _layer(project, request.user, request.query_params.get("layer"))
        services.models_recover(project=project)  # a training whose worker died answers "failed"
        model = review.latest(project, layer.key(shown.ids))
        if model is None:
            return Response({"model": None, "layer": shown.as_json(), "layer_label": shown.label, "nodes": []})
        nodes = [row.__dict__ for row in review.evaluation(model, missing_message)]
        answer = {"model": ModelSerializer(model).data, "layer": shown.as_json(), "layer_label": shown.label}
        return Response(answer | {"nodes": nodes})

    class InputSerializer(serializers.Serializer):
        threshold = serializers.FloatField(min_value=0.01, max_value=0.99)
        nodes = serializers.ListField(
            child=serializers.IntegerField(min_value=1), required=False, max_length=1000, help_text="default: all"
        )
        layer = serializers.CharField(required=False, allow_blank=True, max_length=500)

    @extend_schema(
        request=InputSerializer,
        responses=serializers.DictField(),
        description="Pick the threshold of some nodes, or of all: suggestions are listed from it (coders).",
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.CODER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        model = _trained_model(project, request.user, data.get("layer"))
        changed = services.threshold_set(model=model, node_ids=data.get("nodes"), threshold=data["threshold"])
        return Response({"changed": changed})
