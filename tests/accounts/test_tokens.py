"""API tokens expire after TOKEN_TTL_HOURS and die with a password change (any path) or a logout from the web UI."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from tests.factories import UserFactory

PASSWORD = "pw-secret-123"
NEW_PASSWORD = "another-long-secret-42"


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def age(token: Token, hours: float) -> None:
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(hours=hours))


@pytest.mark.django_db
def test_a_token_works_until_it_expires(alice, settings):
    token = services.token_issue(user=alice)
    age(token, settings.TOKEN_TTL_HOURS - 1)
    assert token_client(token.key).get(reverse("api:projects")).status_code == 200


@pytest.mark.django_db
def test_an_expired_token_answers_401_json_and_is_deleted(alice, settings):
    token = services.token_issue(user=alice)
    age(token, settings.TOKEN_TTL_HOURS + 1)
    response = token_client(token.key).get(reverse("api:projects"))
    assert response.status_code == 401
    assert response.json() == {"detail": "The token has expired. Ask for a new one at /api/auth/token/."}
    assert not Token.objects.filter(key=token.key).exists()


@pytest.mark.django_db
def test_asking_again_after_expiry_gives_a_new_token_that_works(client, alice, settings):
    old = services.token_issue(user=alice)
    age(old, settings.TOKEN_TTL_HOURS + 1)
    response = client.post(reverse("api:token"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    new = response.json()["token"]
    assert new != old.key
    assert token_client(new).get(reverse("api:projects")).status_code == 200


@pytest.mark.django_db
def test_asking_again_before_expiry_gives_the_same_token(client, alice):
    first = client.post(reverse("api:token"), {"username": "alice", "password": PASSWORD}).json()["token"]
    second = client.post(reverse("api:token"), {"username": "alice", "password": PASSWORD}).json()["token"]
    assert first == second


@pytest.mark.django_db
def test_a_wrong_password_gets_no_token(client, alice):
    response = client.post(reverse("api:token"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Unable to log in with provided credentials."
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_an_unknown_token_answers_401(db):
    response = token_client("0" * 40).get(reverse("api:projects"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.django_db
def test_changing_the_password_on_the_password_page_revokes_the_token(client, alice):
    token = services.token_issue(user=alice)
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    refused = token_client(token.key).get(reverse("api:projects"))
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token."}
    assert not Token.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_changing_a_password_in_the_admin_revokes_the_token(client, alice):
    token = services.token_issue(user=alice)
    admin = get_user_model().objects.create_superuser("root", password="root-secret-pass-9")
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not Token.objects.filter(key=token.key).exists()


@pytest.mark.django_db
def test_set_password_and_save_from_any_code_revokes_the_token(alice):
    token = services.token_issue(user=alice)
    alice.set_password(NEW_PASSWORD)
    alice.save()
    assert not Token.objects.filter(key=token.key).exists()


@pytest.mark.django_db
def test_saving_a_user_without_a_new_password_keeps_the_token(alice):
    token = services.token_issue(user=alice)
    alice.first_name = "Alice"
    alice.save()
    assert Token.objects.filter(key=token.key).exists()


@pytest.mark.django_db
def test_logging_out_of_the_web_ui_revokes_the_token(client, alice):
    token = services.token_issue(user=alice)
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    refused = token_client(token.key).get(reverse("api:projects"))
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token."}
    assert not Token.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_logging_out_revokes_only_the_users_own_token(client, alice):
    bob_token = services.token_issue(user=UserFactory(username="bob"))
    client.force_login(alice)
    client.post(reverse("logout"))
    assert Token.objects.filter(key=bob_token.key).exists()


@pytest.mark.django_db
def test_unauthenticated_api_requests_get_401_with_the_token_scheme(client):
    response = client.get(reverse("api:projects"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"
