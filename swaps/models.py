"""Swap requests and their ranked candidates (the matcher and execution come later)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from lib.models import CodedModel


class SwapRequest(CodedModel):
    class Kind(models.TextChoices):
        GIVE_AWAY = "give_away", "Give away"
        ONE_TO_ONE = "one_to_one", "Swap one for one"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        APPROVED = "approved", "Approved"
        EXECUTED = "executed", "Executed"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"
        UNDONE = "undone", "Undone"

    program = models.ForeignKey(
        "people.Program", on_delete=models.CASCADE, related_name="swap_requests"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GIVE_AWAY)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    requester = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="swap_requests"
    )
    assignment = models.ForeignKey(
        "scheduling.Assignment",
        on_delete=models.CASCADE,
        related_name="swap_requests",
        help_text="The shift the requester wants to give away.",
    )
    counterpart = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="swap_offers",
    )
    counterpart_assignment = models.ForeignKey(
        "scheduling.Assignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="one_to_one")
                | Q(status="open")
                | Q(counterpart_assignment__isnull=False),
                name="swap_one_to_one_names_counterpart_shift",
            ),
            models.CheckConstraint(
                condition=Q(counterpart__isnull=True) | ~Q(counterpart=models.F("requester")),
                name="swap_counterpart_not_requester",
            ),
        ]
        indexes = [
            # The marketplace lists a program's open requests.
            models.Index(fields=["program", "status"], name="swap_program_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.requester} ({self.get_status_display()})"


class SwapCandidate(models.Model):
    swap = models.ForeignKey(SwapRequest, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(
        "scheduling.Assignment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()
    factors = models.JSONField(default=dict, help_text="The matcher's scored factors.")

    class Meta:
        ordering = ["swap", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["swap", "person", "assignment"], name="swap_candidate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.score:.2f})"
