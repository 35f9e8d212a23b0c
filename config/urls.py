"""Root URLs: each app's HTML pages, auth, and the JSON API under /api/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("config.api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("policies.urls")),
    path("", include("framework.urls")),
    path("", include("coding.urls")),
    path("", include("coding.analysis.cooccurrence_urls")),
    path("", include("coding.analysis.urls")),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
