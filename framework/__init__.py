"""The codebook app. templates_available() lists the built-in codebooks for a project-creation form."""


def templates_available() -> list[tuple[str, str]]:
    """(key, label) of each built-in codebook template: apply one with services.apply_template."""
    from framework import builtin

    return builtin.available()
