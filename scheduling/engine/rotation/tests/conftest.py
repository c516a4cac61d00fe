"""Engine tests run without pytest-django (``-p no:django``) and without a database.

The project's root conftest has an autouse fixture that needs pytest-django's ``settings``;
overriding it here by name keeps these tests independent of the Django test machinery.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    return None
