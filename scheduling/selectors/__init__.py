"""Reads for the schedule pages, one module per subject.

- ``runs``: the runs a coordinator may see, a run's progress chart and percent.
- ``grid``: the coordinator's people x days schedule grid.
- ``shifts``: published shifts in a program's local time (shared by the two below).
- ``personal``: the dashboard, the duty-hours gauge and my schedule.
- ``boards``: the program-wide pages: daily manifest, call roster, year timeline.
"""
