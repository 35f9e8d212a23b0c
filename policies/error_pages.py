"""Error answers of the HTML side: the message inside the page layout, escaped by the template.

A view never answers with HTML built from input (`HttpResponse(message)` would be text/html with the message raw in
it); the JSON API has its own error format in `config.api`."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, error: ValidationError | str, *, project=None) -> HttpResponse:
    """A 400 page that says what was wrong, with the project's navigation when there is a project."""
    message = " ".join(error.messages) if isinstance(error, ValidationError) else error
    return render(request, "400.html", {"message": message, "project": project}, status=400)
