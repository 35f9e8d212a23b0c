"""Login throttling: failed logins lock the account and the address on the login page and the token endpoint,
until the cool-off ends."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from accounts import throttle
from tests.factories import UserFactory

PASSWORD = "pw-secret-123"
LOCKED = "Too many failed logins for this account or from this address. Try again in 15 minutes."


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def log_in(client, username, password, address="203.0.113.7", **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def ask_token(client, username, password, address="203.0.113.7"):
    return client.post(reverse("api:token"), {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_the_login_page_locks_an_account_after_the_failure_limit(client):
    UserFactory(username="alice")
    assert [log_in(client, "alice", "wrong").status_code for _ in range(2)] == [200, 200]
    locked = log_in(client, "alice", "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins for this account or from this address. Try again in 15 minutes." in (
        locked.content.decode()
    )
    assert locked["Retry-After"] == "900"
    right = log_in(client, "alice", PASSWORD)
    assert right.status_code == 429
    assert not logged_in(client)


@pytest.mark.django_db
def test_an_account_is_locked_whichever_address_the_failures_come_from(client):
    UserFactory(username="alice")
    for number in range(3):
        log_in(client, "alice", "wrong", address=f"198.51.100.{number}")
    locked = log_in(client, "alice", PASSWORD, address="192.0.2.99")
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    assert not logged_in(client)


@pytest.mark.django_db
def test_an_address_is_locked_whichever_accounts_it_tries(client):
    UserFactory(username="carol")
    for name in ("alice", "bob", "dave"):
        log_in(client, name, "wrong")
    locked = log_in(client, "carol", PASSWORD)
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    assert not logged_in(client)
    assert log_in(client, "carol", PASSWORD, address="192.0.2.99").status_code == 302  # from elsewhere: fine


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client, settings):
    UserFactory(username="alice")
    for _ in range(3):
        log_in(client, "alice", "wrong")
    locked = log_in(client, "alice", PASSWORD)
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    assert not logged_in(client)
    cooled = timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=cooled)
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_the_token_endpoint_locks_with_429_json_and_issues_no_token(client):
    UserFactory(username="alice")
    assert [ask_token(client, "alice", "wrong").status_code for _ in range(2)] == [400, 400]
    locked = ask_token(client, "alice", "wrong")
    assert locked.status_code == 429
    assert locked.json() == {
        "detail": "Too many failed logins for this account or from this address. Try again in 15 minutes."
    }
    right = ask_token(client, "alice", PASSWORD)
    assert right.status_code == 429
    assert "token" not in right.json()
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_failures_on_the_page_and_the_api_count_together(client):
    UserFactory(username="alice")
    log_in(client, "alice", "wrong")
    ask_token(client, "alice", "wrong")
    locked_token = ask_token(client, "alice", "wrong")
    assert locked_token.status_code == 429
    assert locked_token.json() == {"detail": LOCKED}
    locked_page = log_in(client, "alice", PASSWORD)
    assert locked_page.status_code == 429
    assert LOCKED in locked_page.content.decode()
    assert not logged_in(client)
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_the_token_endpoint_answers_again_after_the_cool_off(client, settings):
    UserFactory(username="alice")
    for _ in range(3):
        ask_token(client, "alice", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(1))
    response = ask_token(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get().key


@pytest.mark.django_db
def test_the_lockout_page_escapes_what_the_client_sent(client):
    for _ in range(3):
        response = log_in(client, "<b>x</b>", "wrong", next='"><script>alert(1)</script>')
    page = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_the_lockout_message_is_translated(client):
    for _ in range(3):
        response = client.post(
            reverse("api:token"), {"username": "alice", "password": "x"}, headers={"accept-language": "zh-hans"}
        )
    with translation.override("zh-hans"):
        assert throttle.lockout_message() == response.json()["detail"]
    assert "15 分钟" in response.json()["detail"]


def test_client_address_is_remote_addr_without_a_proxy(settings):
    settings.PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert throttle.client_ip(request) == "192.0.2.1"


def test_behind_a_proxy_the_address_it_saw_counts_not_what_the_client_claims(settings):
    settings.PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert throttle.client_ip(request) == "198.51.100.9"


def test_a_malformed_forwarded_address_falls_back_to_the_proxy(settings):
    settings.PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>, 198.51.100.9")
    assert throttle.client_ip(request) == "10.0.0.2"
