"""Pages for everyone in a program, at the site's root: about me, about the program, and the
calendar feed."""

from __future__ import annotations

from django.urls import path

from scheduling.views import boards, feeds, personal

app_name = "pages"

urlpatterns = [
    path("", personal.dashboard, name="dashboard"),
    path("my/schedule/", personal.my_schedule, name="my-schedule"),
    path("manifest/", boards.manifest, name="manifest"),
    path("roster/", boards.roster, name="roster"),
    path("timeline/", boards.timeline, name="timeline"),
    path("feeds/<str:token>.ics", feeds.feed, name="feed"),
]
