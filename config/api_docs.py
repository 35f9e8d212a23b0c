"""The API's documentation pages (Swagger UI and ReDoc), served from drf-spectacular-sidecar's static files so that
nothing is fetched from another site, under the app's Content-Security-Policy loosened only where each bundle needs
it. Both pages show the schema alone, never user data."""

from functools import cache
from pathlib import Path

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOC_LOGO = b'"https://cdn.redoc.ly/redoc/logo-mini.svg"'  # the bundle's one outside request, its sidebar logo


@cache
def redoc_bundle_source() -> bytes:
    """ReDoc's bundle without the logo it loads from cdn.redoc.ly: an empty src fetches nothing and ReDoc hides it."""
    return Path(finders.find(REDOC_BUNDLE)).read_bytes().replace(REDOC_LOGO, b'""')


@require_GET
def redoc_bundle(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(redoc_bundle_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


class RedocView(SpectacularRedocView):
    """ReDoc with its bundle from redoc_bundle (the template, templates/drf_spectacular/redoc.html, loads no fonts)."""

    @staticmethod
    def _redoc_standalone() -> str:
        return reverse("api:redoc-bundle")


# Swagger UI's stylesheet draws its icons as data: images. Its set-up script is a separate request (the split view).
swagger_ui = csp_update({"img-src": [SELF, "data:"]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))
# ReDoc injects its styles as <style> elements (styled-components) and fails to render without them; it draws icons
# as data: images and runs its search index in a worker made from a blob: URL.
redoc = csp_update({"style-src": [UNSAFE_INLINE], "img-src": [SELF, "data:"], "worker-src": ["blob:"]})(
    RedocView.as_view(url_name="api:schema")
)
