from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "coding"

    def ready(self):
        # Django: modules that use models load only once the app registry is ready, so not at the top of this file.
        from coding import hooks

        hooks.register()
