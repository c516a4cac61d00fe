"""Reads for the analytics pages: ``period`` (which dates a report covers), ``fairness`` (the
fairness report) and ``heatmaps`` (coverage and duty-hour pictures)."""
