"""gunicorn's settings wherever the site is served: the Docker image, docker compose and the load
test (``benchmarks/load.py``). gunicorn reads this file from the working directory by itself;
command-line options override it."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two processes per core with two threads each: a page waiting on PostgreSQL or Redis leaves the
# core to another request (measured in docs/benchmarks.md, "Load").
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("WEB_THREADS", "2"))
# An idle connection stays open longer than a person's pause between two pages. With gunicorn's
# 2 s default, a request sent just as the server closes its idle connection is reset: the load
# test saw 25 of 4,000 requests fail that way.
keepalive = 75
timeout = 30
accesslog = "-"
# Calendar-feed tokens never reach the access log.
logger_class = "scheduler_project.logsafe.RedactingGunicornLogger"
