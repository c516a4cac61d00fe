"""Sign-in budgets: per address (spraying), per username (distributed), never one address for all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_counters(settings: Any) -> Iterator[None]:
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 6
    cache.clear()
    yield
    cache.clear()


def page_login(username: str, password: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).post(
        reverse("login"), {"username": username, "password": password}
    )


def api_login(username: str, password: str, address: str) -> Any:
    return APIClient(REMOTE_ADDR=address).post(
        TOKEN, {"username": username, "password": password}, format="json"
    )


def signed_in(response: Any) -> bool:
    return response.status_code == 302 and response.url == "/"


def test_spraying_from_one_address_pauses_that_address_only(resident_a: Any) -> None:
    for n in range(6):
        page_login(f"guess{n}", "wrong", "203.0.113.9")
    refused = page_login("resident_a", PASSWORD, "203.0.113.9")
    assert refused.status_code == 200
    assert "Too many failed sign-ins from your network address" in refused.content.decode()
    api = api_login("resident_a", PASSWORD, "203.0.113.9")
    assert api.status_code == 429 and "network address" in api.json()["message"]
    assert signed_in(page_login("resident_a", PASSWORD, "198.51.100.7"))


def test_one_address_cannot_pause_an_account_for_everyone(resident_a: Any) -> None:
    for _ in range(10):
        page_login("resident_a", "wrong", "203.0.113.9")
    # That address is locked for this username (django-axes); everyone else signs in.
    assert not signed_in(page_login("resident_a", PASSWORD, "203.0.113.9"))
    assert signed_in(page_login("resident_a", PASSWORD, "198.51.100.7"))


def test_guessing_one_username_from_many_addresses_pauses_it_until_a_reset(
    resident_a: Any,
) -> None:
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        for _ in range(3):
            page_login("resident_a", "wrong", address)
    refused = page_login("resident_a", PASSWORD, "198.51.100.7")
    assert "paused" in refused.content.decode()
    assert api_login("resident_a", PASSWORD, "198.51.100.8").status_code == 429

    Client().post(reverse("password_reset"), {"email": "resident_a@example.org"})
    link = re.search(r"/accounts/reset/\S+/", str(mail.outbox[0].body))
    assert link is not None
    client = Client()
    form = client.get(link.group(0), follow=True)
    new = "a-new-long-passphrase-2026"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert signed_in(page_login("resident_a", new, "198.51.100.7"))
    # Addresses that guessed are cleared too: the owner proved control of the account.
    assert signed_in(page_login("resident_a", new, "203.0.113.1"))


def test_a_refused_attempt_does_not_extend_the_pause(resident_a: Any) -> None:
    for n in range(6):
        page_login(f"guess{n}", "wrong", "203.0.113.9")
    for _ in range(5):
        page_login("resident_a", "wrong", "203.0.113.9")
    # None of the refused attempts counted against the account itself.
    assert signed_in(page_login("resident_a", PASSWORD, "198.51.100.7"))
