from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from lib.env import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("YES", True), ("false", False), ("0", False), ("off", False)],
)
def test_it_reads_booleans(raw: str, expected: bool) -> None:
    assert env_bool("DEBUG", not expected, environ={"DEBUG": raw}) is expected


def test_it_fails_loudly_on_a_malformed_boolean() -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe'"):
        env_bool("DEBUG", False, environ={"DEBUG": "maybe"})


def test_it_fails_loudly_on_a_malformed_integer() -> None:
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 587, environ={"EMAIL_PORT": "smtp"})


def test_it_uses_defaults_when_unset() -> None:
    assert env_int("EMAIL_PORT", 587, environ={}) == 587
    assert env_list("ALLOWED_HOSTS", ["a"], environ={}) == ["a"]


def test_it_splits_lists_and_rejects_empty_items() -> None:
    assert env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a.org, b.org"}) == [
        "a.org",
        "b.org",
    ]
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a.org,,b.org"})


def test_it_requires_a_variable_without_default() -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required"):
        env_str("SECRET_KEY", None, environ={})
