"""In a real browser (issue 15): the invitee opens the emailed link, chooses a password, and
arrives signed in; the same link then says it was used."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from conftest import make_member
from people import accounts
from people.models import Membership, Program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_invitee_sets_a_password_and_arrives_signed_in(page: Any, live_server: Any) -> None:
    program = Program.objects.create(name="Family Medicine Residency", short_name="Family Med")
    boss = make_member(program, "boss", Membership.Role.COORDINATOR)
    accounts.invitation_create(program=program, email="nia@example.org", role="faculty", actor=boss)
    (message,) = mail.outbox
    found = re.search(r"/invite/[^/\s]+/", str(message.body))
    assert found
    link = f"{live_server.url}{found.group(0)}"

    page.goto(link)
    assert "Join Family Med" in page.inner_text("h1")
    page.fill("#id_new_password1", "Correct-horse-battery-9")
    page.fill("#id_new_password2", "Correct-horse-battery-9")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "Welcome to Family Med" in page.inner_text(".messages")

    page.goto(link)
    assert "used already" in page.inner_text("[data-problem]")
