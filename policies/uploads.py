"""An upload handler that drops any uploaded file over the size limit before it is read into memory or disk."""

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Skip files larger than MAX_UPLOAD_BYTES and note their names on request.oversized_uploads."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.received = 0
        self.current_name = file_name
        if not hasattr(self.request, "oversized_uploads"):
            self.request.oversized_uploads = []
        return super().new_file(field_name, file_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        # a view that takes larger files (a .qdpx project) raises the limit for its request
        if self.received > getattr(self.request, "upload_limit", settings.MAX_UPLOAD_BYTES):
            self.request.oversized_uploads.append(self.current_name)
            self.file.close()
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)
