"""Helpers for tests only: factory_boy factories and the browser-test fixtures.

Production code never imports this package (lib/ keeps the pure helpers it does use).
"""
