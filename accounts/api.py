"""JSON API for accounts: exchanging a username and password for an API token."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from policies import openapi


class TokenObtainApi(APIView):
    """The user's API token for a username and password (a fresh one once it has expired); throttled like the
    login page: after too many failures the account or address gets 429 until the cool-off ends."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: openapi.error(400),
            429: openapi.error(429),
        },
    )
    def post(self, request: Request) -> Response:
        # The Django request, not DRF's wrapper: django-axes flags it on a lockout, and its middleware answers 429.
        serializer = AuthTokenSerializer(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        return Response({"token": services.token_issue(user=serializer.validated_data["user"]).key})
