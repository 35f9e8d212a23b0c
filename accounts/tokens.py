"""Where API tokens die: on expiry (TOKEN_TTL_HOURS), with a password change, and on logout from the web UI."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from accounts import services
from policies.rows import RowLoader

TOKENS = RowLoader(Token, ("key",), related=("user",))


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, except that an expired token is deleted and answered with 401, and the token
    with its user is read in one query built once (policies.rows: the ORM's query cost a tenth of a save)."""

    def authenticate_credentials(self, key: str):
        token = TOKENS.get(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))  # DRF's own messages, from its catalogue
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if services.token_expired(token):
            services.tokens_revoke(user=user)
            raise exceptions.AuthenticationFailed(_("The token has expired. Ask for a new one at /api/auth/token/."))
        return user, token


class RevokeTokensOnPasswordChange:
    """Not a check on the password: Django calls password_changed() of every AUTH_PASSWORD_VALIDATORS entry after
    a user is saved with set_password(), whichever path changed it (the admin, the password-change page, a command,
    a service), so the API token dies with the old password."""

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            services.tokens_revoke(user=user)

    def get_help_text(self) -> str:
        return _("Changing your password also revokes your API token.")


def revoke_on_logout(sender, request, user, **kwargs) -> None:
    """Receiver of Django's user_logged_out: logging out of the web UI revokes the user's API token."""
    if user is not None:
        services.tokens_revoke(user=user)
