"""All writes to API tokens (issuing one, revoking a user's) and the expiry rule they follow."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token


def token_expired(token: Token, now: datetime.datetime | None = None) -> bool:
    """Whether the token is older than TOKEN_TTL_HOURS."""
    return (now or timezone.now()) >= token.created + datetime.timedelta(hours=settings.TOKEN_TTL_HOURS)


@transaction.atomic
def token_issue(*, user: AbstractBaseUser) -> Token:
    """The user's API token; a new one when the old has expired."""
    token, created = Token.objects.select_for_update().get_or_create(user=user)
    if not created and token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


def tokens_revoke(*, user: AbstractBaseUser) -> int:
    """Delete the user's API token (expired, password changed, logged out); returns how many were deleted."""
    deleted, _per_model = Token.objects.filter(user=user).delete()
    return deleted
