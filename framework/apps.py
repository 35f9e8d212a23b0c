from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "framework"

    def ready(self):
        # Django: modules that use models load only once the app registry is ready, so not at the top of this file.
        from framework import hooks

        hooks.register()
