"""The upload handler: drops a file over the size limit, and stops a request over the whole-request limits, before
either is stored."""

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

# Multipart framing and the form's other fields, on top of the files themselves.
REQUEST_OVERHEAD_BYTES = 1024 * 1024


def too_many_files_message() -> str:
    return _("This upload holds more than %(max)d files: send at most %(max)d files at a time, or a .zip.") % {
        "max": settings.MAX_UPLOAD_FILES
    }


def request_too_large_message() -> str:
    return _("This upload is larger than %(mb)d MB in all: send the files in smaller batches.") % {
        "mb": settings.MAX_REQUEST_MB
    }


def refusal(request: HttpRequest) -> str | None:
    """Why the handler refused the request as a whole (read once the body is parsed), or None."""
    return getattr(request, "upload_refused", None)


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Skip files larger than MAX_UPLOAD_BYTES, noting their names on request.oversized_uploads; refuse a request
    with more than MAX_UPLOAD_FILES files or MAX_REQUEST_BYTES of files, noting why on request.upload_refused.

    A request whose Content-Length is already over is not read at all. One that goes over while it is read stops
    there: what arrived is closed (temporary files delete themselves), and the rest of the body, which its checked
    Content-Length bounds, is drained unstored so that the browser gets the answer instead of a reset connection."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request.oversized_uploads = []
        self.files = 0
        self.request_bytes = 0
        if content_length > settings.MAX_REQUEST_BYTES + REQUEST_OVERHEAD_BYTES:
            self.request.upload_refused = request_too_large_message()
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.files += 1
        if self.files > settings.MAX_UPLOAD_FILES:
            self.request.upload_refused = too_many_files_message()
            raise StopUpload(connection_reset=False)
        self.received = 0
        self.current_name = file_name
        return super().new_file(field_name, file_name, *args, **kwargs)

    def _limit(self) -> int:
        """MAX_UPLOAD_BYTES, or the larger limit UPLOAD_LIMITS_MB gives the view (a .qdpx project import). A
        middleware may read the body before Django resolves the URL, so the path is resolved here (once)."""
        if not hasattr(self, "limit"):
            try:
                view = resolve(self.request.path_info).view_name
            except Resolver404:
                view = ""
            megabytes = settings.UPLOAD_LIMITS_MB.get(view)
            self.limit = megabytes * 1024 * 1024 if megabytes else settings.MAX_UPLOAD_BYTES
        return self.limit

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        self.request_bytes += len(raw_data)
        if self.request_bytes > settings.MAX_REQUEST_BYTES:
            self.request.upload_refused = request_too_large_message()
            self.file.close()
            raise StopUpload(connection_reset=False)
        if self.received > self._limit():
            self.request.oversized_uploads.append(self.current_name)
            self.file.close()
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)
