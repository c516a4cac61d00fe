"""A notification's link stays inside the site: stored, shown and followed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from people.models import Notification

OUTSIDE = [
    "javascript:alert(1)",
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "data:text/html,hi",
]


@pytest.mark.parametrize("url", OUTSIDE)
def test_it_shows_no_link_that_leaves_the_site(url: str) -> None:
    assert Notification(url=url).link == ""


def test_it_shows_a_site_path() -> None:
    assert Notification(url="/requests/").link == "/requests/"


@pytest.mark.django_db
@pytest.mark.parametrize("url", OUTSIDE)
def test_it_refuses_an_outside_link_in_the_console(
    url: str, client: Client, coordinator_a: Any, program_a: Any
) -> None:
    client.force_login(coordinator_a)
    response = client.post(
        "/admin/people/notification/add/",
        {"recipient": coordinator_a.pk, "program": program_a.pk, "kind": "info", "title": "Hi",
         "body": "", "url": url},
    )  # fmt: skip
    assert response.status_code == 200  # the form again, with the error
    assert "Give a path inside this site" in response.content.decode()
    assert not Notification.objects.filter(title="Hi").exists()


@pytest.mark.django_db
def test_it_follows_a_site_path_when_read(client: Client, resident_a: Any, program_a: Any) -> None:
    note = Notification.objects.create(
        recipient=resident_a, program=program_a, title="Decided", url="/requests/"
    )
    client.force_login(resident_a)
    response = client.post(reverse("people:notification-read", args=[note.code]))
    assert response.status_code == 302 and response["Location"] == "/requests/"
