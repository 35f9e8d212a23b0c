"""An upload handler that drops any uploaded file over the size limit before it is read into memory or disk."""

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.urls import Resolver404, resolve


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Skip files larger than MAX_UPLOAD_BYTES and note their names on request.oversized_uploads."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.received = 0
        self.current_name = file_name
        if not hasattr(self.request, "oversized_uploads"):
            self.request.oversized_uploads = []
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
        if self.received > self._limit():
            self.request.oversized_uploads.append(self.current_name)
            self.file.close()
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)
