"""Swap requests, their ranked candidates and each program's swap policy.

A request is an offer of one published future shift. Someone responds (giving one of their shifts
back, or taking it as a give-away), the request is approved (by policy or a coordinator) and
executed: the published rows change owner. ``moves`` records who owned which row before, so an
undo restores the previous owners exactly. Status moves only through ``swaps.services`` (and
``swaps.chains`` for a swap chain: when no pair works, the matcher proposes chains A→B→C→A; the
first participant accepting one turns the offer into a chain, status "offered", with one
``SwapChainLink`` per participant, until every participant has accepted it).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from lib.models import CodedModel


class SwapRequest(CodedModel):
    class Kind(models.TextChoices):
        GIVE_AWAY = "give_away", "Give away"
        ONE_TO_ONE = "one_to_one", "Swap one for one"
        WEEK = "week", "Exchange whole weeks"
        CHAIN = "chain", "Swap chain"

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
    week_start = models.DateField(
        null=True,
        blank=True,
        help_text="A week exchange: the Monday of the offered week (``assignment`` is its first "
        "shift).",
    )
    note = models.TextField(blank=True, help_text="The requester's note to takers.")
    wants = models.CharField(
        max_length=200, blank=True, help_text='Optional "what I want back" (free text).'
    )
    reason = models.TextField(blank=True, help_text="The coordinator's reason (reject, lock).")
    accepted_at = models.DateTimeField(null=True, blank=True)
    moves = models.JSONField(
        default=list,
        blank=True,
        help_text="Executed moves: assignment id, previous owner, new owner (undo restores them).",
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)
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
                condition=~Q(kind="week") | Q(week_start__isnull=False),
                name="swap_week_names_its_monday",
            ),
            models.CheckConstraint(
                condition=Q(counterpart__isnull=True) | ~Q(counterpart=models.F("requester")),
                name="swap_counterpart_not_requester",
            ),
            # Two live offers of one shift would let two people win it.
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status__in=["open", "offered", "accepted", "approved"]),
                name="swap_one_live_request_per_shift",
            ),
        ]
        indexes = [
            # The marketplace lists a program's open requests.
            models.Index(fields=["program", "status"], name="swap_program_status_idx"),
        ]

    LIVE = ("open", "offered", "accepted", "approved")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.requester} ({self.get_status_display()})"

    def parties(self) -> list[Any]:
        """Everyone giving or taking a shift in this swap (in a chain, every participant)."""
        people = [self.requester, self.counterpart]
        if self.kind == self.Kind.CHAIN:
            people += [link.person for link in self.links.select_related("person")]
        return list({person.pk: person for person in people if person is not None}.values())


class SwapChainLink(models.Model):
    """One participant of a swap chain: ``person`` gives ``assignment`` to the next link's person
    (the last link's to the first, the requester) and takes the previous link's shift."""

    swap = models.ForeignKey(SwapRequest, on_delete=models.CASCADE, related_name="links")
    position = models.PositiveSmallIntegerField()
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(
        "scheduling.Assignment", on_delete=models.CASCADE, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["swap", "position"]
        constraints = [
            models.UniqueConstraint(fields=["swap", "position"], name="swap_chain_link_position"),
            models.UniqueConstraint(fields=["swap", "person"], name="swap_chain_link_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} gives {self.assignment}"


class SwapCandidate(models.Model):
    """A ranked candidate of an open offer (derived: replaced at every re-rank). Pages and the
    API name a proposed chain by ``code``, which ``swaps.cycles.candidate_code`` derives from the
    offer and the chain, so the same chain keeps its code across re-ranks."""

    swap = models.ForeignKey(SwapRequest, on_delete=models.CASCADE, related_name="candidates")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
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


class SwapChainDecline(models.Model):
    """A swap chain a participant declined: ``swaps.cycles`` never proposes it again in the
    program. ``key`` names the chain (``swaps.cycles.chain_key``: who gives which shift, in the
    chain's order), so the same people giving the same shifts to the same people is the same
    chain, whichever offer or re-rank finds it. Written only by ``swaps.chains``."""

    program = models.ForeignKey(
        "people.Program", on_delete=models.CASCADE, related_name="declined_swap_chains"
    )
    key = models.CharField(max_length=255)
    swap = models.ForeignKey(
        SwapRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="declines"
    )
    links = models.JSONField(default=list, help_text="The chain declined, as it was proposed.")
    declined_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-declined_at"]
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="swap_chain_declined_once"),
        ]

    def __str__(self) -> str:
        return f"Swap chain declined by {self.declined_by}"


class SwapPolicy(models.Model):
    """A program's swap settings; a program without a row gets these defaults."""

    class Approval(models.TextChoices):
        AUTO = "auto", "Auto-approve compliant swaps"
        COORDINATOR = "coordinator", "Coordinator approves every swap"

    program = models.OneToOneField(
        "people.Program", on_delete=models.CASCADE, related_name="swap_policy"
    )
    approval = models.CharField(
        max_length=16, choices=Approval.choices, default=Approval.COORDINATOR
    )
    lock_days = models.PositiveSmallIntegerField(
        default=2,
        help_text="Shifts starting within this many days swap only through a coordinator.",
    )
    undo_hours = models.PositiveSmallIntegerField(
        default=24, help_text="How long after execution a swap may be undone."
    )
    week_carries_call = models.BooleanField(
        default=False,
        help_text="A week exchange moves the week's Friday and Saturday call with it; "
        "otherwise those calls stay with their owners.",
    )
    # The matcher's five weights (documented in swaps/matcher.py); they need not sum to 1, the
    # score divides by their sum.
    weight_preference = models.FloatField(default=0.35)
    weight_proximity = models.FloatField(default=0.20)
    weight_workload = models.FloatField(default=0.15)
    weight_history = models.FloatField(default=0.15)
    weight_availability = models.FloatField(default=0.15)

    class Meta:
        verbose_name_plural = "swap policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_preference__gte=0)
                & Q(weight_proximity__gte=0)
                & Q(weight_workload__gte=0)
                & Q(weight_history__gte=0)
                & Q(weight_availability__gte=0),
                name="swap_policy_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Swap policy of {self.program}"

    @property
    def weights(self) -> dict[str, float]:
        return {
            "preference": self.weight_preference,
            "proximity": self.weight_proximity,
            "workload": self.weight_workload,
            "history": self.weight_history,
            "availability": self.weight_availability,
        }
