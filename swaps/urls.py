from __future__ import annotations

from django.urls import path

from swaps import views

app_name = "swaps"

urlpatterns = [
    path("", views.market, name="market"),
    path("offer/", views.offer_create, name="offer"),
    path("offer/week/", views.offer_week, name="offer_week"),
    path("<uuid:code>/respond/", views.respond, name="respond"),
    path("<uuid:code>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:code>/undo/", views.undo, name="undo"),
    path("<uuid:code>/chain/", views.chain_answer, name="chain"),
    path("queue/", views.coordinator_queue, name="queue"),
    path("queue/<uuid:code>/", views.decide, name="decide"),
]
