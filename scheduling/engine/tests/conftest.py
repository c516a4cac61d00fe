"""Engine tests need no database and no Django settings.

The project's root conftest has an autouse fixture that asks pytest-django for ``settings``;
overriding it here by name keeps these tests runnable with ``-p no:django``.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """No passwords in the engine: nothing to speed up."""
