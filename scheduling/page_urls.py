from __future__ import annotations

from django.urls import path

from scheduling import feeds, pages

app_name = "pages"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("my/schedule/", pages.my_schedule, name="my-schedule"),
    path("manifest/", pages.manifest, name="manifest"),
    path("roster/", pages.roster, name="roster"),
    path("timeline/", pages.timeline, name="timeline"),
    path("feeds/<str:token>.ics", feeds.feed, name="feed"),
]
