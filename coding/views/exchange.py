"""The project import page (.qdpx, .qde, .qdc)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from coding.exchange import services as exchange_services


@login_required
def project_import(request: HttpRequest) -> HttpResponse:
    """Upload a .qdpx/.qde/.qdc and see the import report; the new project is the importer's."""
    report, error = None, None
    if request.method == "POST":
        files = request.FILES.getlist("file")
        if getattr(request, "oversized_uploads", []):
            error = _("The file is larger than %(mb)d MB.") % {"mb": settings.QDPX_MAX_MB}
        elif len(files) != 1:
            error = _("Send one .qdpx, .qde or .qdc file (form field “file”).")
        else:
            try:
                report = exchange_services.project_import(
                    user=request.user,
                    filename=files[0].name,
                    data=files[0].read(),
                    match_users=bool(request.POST.get("match_users")),
                ).as_dict()
            except ValidationError as refused:
                error = " ".join(refused.messages)
    status = 400 if error else 200
    return render(request, "coding/project_import.html", {"report": report, "error": error}, status=status)
