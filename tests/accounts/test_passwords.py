"""Passwords go through Django's full set of validators; the demo's and the tests' passwords pass them."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError

User = get_user_model()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("12345678", "This password is entirely numeric."),
        ("12345678", "This password is too common."),
        ("password", "This password is too common."),
        ("short1!", "This password is too short. It must contain at least 8 characters."),
        ("alice.wang2024", "The password is too similar to the username."),
    ],
)
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, User(username="alice.wang2024"))
    assert message in refused.value.messages


@pytest.mark.parametrize(("username", "password"), [("demo", "policycoder-demo"), ("owner", "pw-secret-123")])
def test_the_demo_and_test_passwords_pass(username, password):
    validate_password(password, User(username=username))


def test_the_password_help_says_a_change_revokes_the_api_token():
    assert "Changing your password also revokes your API token." in password_validators_help_texts()
