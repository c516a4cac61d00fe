from __future__ import annotations

from django.urls import path

from people import auth_views, views, views_preferences

app_name = "people"
KINDS = ("absence", "preference")

urlpatterns = [
    path("requests/", views.request_list, name="requests"),
    path("requests/new/absence/", views.absence_new, name="absence-new"),
    path("requests/new/preference/", views.preference_new, name="preference-new"),
    *(
        path(
            f"requests/{kind}/<uuid:code>/cancel/",
            views.request_cancel,
            {"kind": kind},
            name=f"{kind}-cancel",
        )
        for kind in KINDS
    ),
    path("requests/review/", views.review, name="review"),
    *(
        path(
            f"requests/review/{kind}/<uuid:code>/",
            views.decide,
            {"kind": kind},
            name=f"{kind}-decide",
        )
        for kind in KINDS
    ),
    path("preferences/", views_preferences.my_preferences, name="preferences"),
    *(
        path(
            f"preferences/{kind}/<uuid:code>/cancel/",
            views_preferences.preference_cancel,
            {"kind": kind},
            name=f"{kind}-cancel",
        )
        for kind in ("standing", "blocked")
    ),
    path("preferences/review/", views_preferences.preference_review, name="preference-review"),
    path(
        "preferences/review/<uuid:code>/",
        views_preferences.preference_decide,
        name="standing-decide",
    ),
    path(
        "preferences/people/<uuid:code>/",
        views_preferences.person_preferences,
        name="person-preferences",
    ),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read_all, name="notifications-read"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path("notifications/<uuid:code>/read/", views.notification_read, name="notification-read"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/new/", views.calendar_create, name="calendar-create"),
    path("calendar/<uuid:code>/regenerate/", views.calendar_regenerate, name="calendar-regenerate"),
    path("calendar/<uuid:code>/revoke/", views.calendar_revoke, name="calendar-revoke"),
    path("program/", views.program_switch, name="program-switch"),
    path("invite/<str:token>/", auth_views.invitation_accept, name="invitation-accept"),
]
