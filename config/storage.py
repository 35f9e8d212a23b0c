"""When the object store (STORAGE_URL / AWS_*) cannot be reached: 503 with a message, not a server error.

An import or a replacement writes its file inside the database transaction, so a failed write rolls the rows back
too; a download, an export or a delete changes nothing when it fails this way (deleting the file of a deleted
document happens after the commit, robustly: a file the store could not remove stays behind and is logged)."""

import logging
import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from config import errors

logger = logging.getLogger(__name__)


def unavailable_message() -> str:
    return _("The file store cannot be reached just now. Nothing was changed; please try again in a minute.")


def is_unavailable(exception: BaseException) -> bool:
    """Whether `exception` is the object store failing (unreachable, timing out, refusing the keys)."""
    # botocore is loaded only with object storage configured; without it no exception can be one of its own
    found = sys.modules.get("botocore.exceptions")
    return found is not None and isinstance(exception, found.BotoCoreError | found.ClientError)


class StorageUnavailableMiddleware:
    """Pages: the object store failing answers 503 with a message (the API's handler, config.api, does the same)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_unavailable(exception):
            logger.error("Object storage failed: %s", exception, exc_info=exception)
            return errors.refusal(request, unavailable_message(), 503)
        return None
