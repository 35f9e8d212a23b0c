"""HTTP responses that hand files back: the original upload of a document."""

import mimetypes

from django.http import FileResponse, Http404

from policies import writers
from policies.models import Document


def original_response(document: Document) -> FileResponse:
    """The file as it was uploaded, under its original name."""
    try:
        handle = document.original.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = mimetypes.guess_type(document.original_name)[0] or "application/octet-stream"
    return writers.attachment(FileResponse(handle, content_type=content_type), document.original_name)
