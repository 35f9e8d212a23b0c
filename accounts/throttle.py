"""Login throttling with django-axes: the client address it counts, and the answer once a login is locked out.

Failed logins are counted per account and per address in the database (shared by every gunicorn worker); after
LOGIN_FAILURE_LIMIT failures within LOGIN_COOLOFF_MINUTES that account or address is locked for the cool-off."""

import ipaddress

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind PROXY_COUNT proxies the address the outermost one saw."""
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.PROXY_COUNT:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        # Each proxy appends the address it saw, so counting from the right skips whatever the client sent.
        if len(hops) >= settings.PROXY_COUNT:
            candidate = hops[-settings.PROXY_COUNT]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def lockout_message() -> str:
    minutes = settings.LOGIN_COOLOFF_MINUTES
    return ngettext(
        "Too many failed logins for this account or from this address. Try again in %(minutes)d minute.",
        "Too many failed logins for this account or from this address. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with {"detail": …} from the API, the login page with the message elsewhere."""
    retry_after = str(settings.LOGIN_COOLOFF_MINUTES * 60)
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "api":
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        context = {"form": AuthenticationForm(request), "lockout": lockout_message(), "next": request.POST.get("next")}
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = retry_after
    return response
