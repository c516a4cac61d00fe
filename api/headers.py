"""HTTP headers of the API's idempotency contract, shared by the views and the schema."""

from __future__ import annotations

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
