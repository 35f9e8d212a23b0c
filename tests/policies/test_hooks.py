"""The registry through which lower layers call up: every listed hook has its one implementation once the apps are
ready, and a mistake in the wiring is an error, never a silent no-op."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from policies import hooks


def test_every_listed_hook_is_registered_by_the_app_that_owns_it():
    assert set(hooks._registered) == set(hooks.HOOKS)


def test_registering_an_unlisted_hook_is_refused():
    with pytest.raises(ImproperlyConfigured, match="Unknown hook 'node_renamed'"):
        hooks.register("node_renamed", print)
    assert "node_renamed" not in hooks._registered


def test_calling_a_hook_nobody_registered_says_which(monkeypatch):
    monkeypatch.delitem(hooks._registered, "node_codings_merge")
    with pytest.raises(ImproperlyConfigured, match="No app registered the hook 'node_codings_merge'"):
        hooks.call("node_codings_merge", None, None, actor=None, path="")
