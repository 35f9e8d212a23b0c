"""Auto-coding from a text search, as pages (the text-search page's auto-code panel, undo) and JSON: the views
moved up from policies with the operation, since they write codings. Same URLs as before."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coding import autocode, query_params, services
from framework.models import Node
from policies import access, queries
from policies.models import Role
from policies.text import search


@login_required
@require_POST
def text_search_autocode(request: HttpRequest, project_id: int) -> HttpResponse:
    """Preview, then write, the codings for a search's hits (all or the ticked ones); one batch, undoable."""
    project = access.project_for(request.user, project_id, need=Role.CODER)
    # passages left out in the preview: those unticked on the page shown, and those left out on other pages
    shown, kept = set(request.POST.getlist("shown")), set(request.POST.getlist("keep"))
    omit = sorted(set(request.POST.getlist("omit")) | (shown - kept))
    params = {**request.POST.dict(), "hits": request.POST.getlist("hit"), "omit": omit}
    context = {"project": project, "params": params}
    try:
        node = get_object_or_404(Node, pk=int(params.get("target") or 0), project=project)
        plan = autocode.plan_for_search(project, request.user, query_params.autocode_search(params), node)
        page = int(params["page"]) if queries.is_number(str(params.get("page", ""))) else 1
        context |= {"plan": plan, "node": node, "preview": autocode.preview_page(project, plan, page)}
        if "confirm" in request.POST:
            context["outcome"] = autocode.hits_autocode(coder=request.user, project=project, node=node, plan=plan)
    except (search.SearchError, ValidationError, ValueError) as error:
        context["error"] = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    response = render(request, "policies/text_search.html#autocode-result", context)
    if "outcome" in context:
        trigger_client_event(response, "codings-changed")
    return response


@login_required
@require_POST
def text_search_undo(request: HttpRequest, project_id: int) -> HttpResponse:
    """Undo the user's latest coding action in the project (after auto-coding: the whole batch)."""
    project = access.project_for(request.user, project_id, need=Role.CODER)
    try:
        context = {"project": project, "undone": services.codings_undo(project=project, actor=request.user)}
    except ValidationError as error:
        context = {"project": project, "error": " ".join(error.messages)}
    response = render(request, "policies/text_search.html#autocode-result", context)
    trigger_client_event(response, "codings-changed")
    return response


class AutoCodeApi(APIView):
    """Code a search's hits (all, or the ticked ones) at a node as the requesting user: one undoable batch."""

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField()
        mode = serializers.ChoiceField(choices=search.MODES, default="terms")
        target = serializers.IntegerField(help_text="the node to code at")
        spread = serializers.ChoiceField(choices=search.SPREADS, default="hit")
        whole = serializers.BooleanField(default=False, help_text="whole words only, as the segmentation cuts them")
        hits = serializers.ListField(child=serializers.CharField(), required=False, help_text="document:start:end")
        omit = serializers.ListField(
            child=serializers.CharField(), required=False, help_text="spread passages to leave out: document:start:end"
        )
        preview = serializers.BooleanField(default=False, help_text="count what would be written, write nothing")
        province = serializers.CharField(required=False, allow_blank=True)
        issuer_type = serializers.CharField(required=False, allow_blank=True)
        policy_type = serializers.CharField(required=False, allow_blank=True)
        node = serializers.CharField(required=False, allow_blank=True, help_text="scope: text coded at this node")
        coder = serializers.CharField(required=False, allow_blank=True, help_text="scope: text coded by this user")

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "AutoCodePreview",
                {
                    "codings": serializers.IntegerField(),
                    "new": serializers.IntegerField(),
                    "existing": serializers.IntegerField(),
                    "documents": serializers.IntegerField(),
                    "passages": serializers.ListField(child=serializers.DictField(), help_text="document, start, end"),
                    "omitted": serializers.IntegerField(),
                },
            ),
            201: inline_serializer(
                "AutoCodeResult",
                {
                    "created": serializers.IntegerField(),
                    "existing": serializers.IntegerField(),
                    "documents": serializers.IntegerField(),
                },
            ),
        },
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.CODER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        node = get_object_or_404(Node, pk=data["target"], project=project)
        try:
            plan = autocode.plan_for_search(project, request.user, query_params.autocode_search(data), node)
        except search.SearchError as error:
            raise ValidationError(str(error)) from None
        if data["preview"]:
            return Response(
                {
                    "codings": len(plan.spans),
                    "new": plan.new,
                    "existing": plan.existing,
                    "documents": plan.documents,
                    "passages": [{"document": d, "start": s, "end": e} for d, s, e in plan.spans],
                    "omitted": len(plan.omitted),
                }
            )
        outcome = autocode.hits_autocode(coder=request.user, project=project, node=node, plan=plan)
        return Response(outcome, status=status.HTTP_201_CREATED)
