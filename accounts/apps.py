from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Django: modules that use models load only once the app registry is ready, so not at the top of this file.
        from django.contrib.auth.signals import user_logged_out

        from accounts import tokens

        # Django's own hook for every logout (the top bar, the admin): the user's API token goes with the session.
        user_logged_out.connect(tokens.revoke_on_logout, dispatch_uid="accounts-revoke-token-on-logout")
