"""Error answers outside DRF's views: JSON {"detail": …} for paths under /api/, the page layout elsewhere."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(detail: str, status: int) -> JsonResponse:
    """The API's one error body."""
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def refusal(request: HttpRequest, detail: str, status: int = 400) -> HttpResponse:
    """A request refused before any view ran: JSON under /api/, else the page layout with the (escaped) message."""
    if is_api(request):
        return json_error(detail, status)
    return render(request, "400.html", {"message": detail}, status=status)


def not_found_message() -> str:
    return _("Not found: it does not exist or you are not a member of its project.")


def server_error_message() -> str:
    return _("Server error: the request failed. Please try again; nothing you saved before was lost.")


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return json_error(_("The request could not be understood. Nothing was changed."), 400)
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return json_error(_("You do not have permission to do this."), 403)
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return json_error(not_found_message(), 404)
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return json_error(server_error_message(), 500)
    return defaults.server_error(request)
