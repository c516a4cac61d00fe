"""Gini and Jain on hand-computed cases (no database)."""

from __future__ import annotations

import math

import pytest

from analytics.measures import gini, jain, spread


@pytest.mark.parametrize(
    "values, expected",
    [
        # mean 2.5; |differences| over ordered pairs: 2 * (1+2+3+1+2+1) = 20; 20 / (2*16*2.5)
        ([1, 2, 3, 4], 0.25),
        # one person carries all: 2 * 3 * 10 / (2 * 16 * 2.5) = 0.75 = (n - 1) / n
        ([0, 0, 0, 10], 0.75),
        ([5, 5, 5], 0.0),
        ([0, 0], 0.0),  # nobody carries anything: nothing is shared unequally
        ([], 0.0),
        # |2-4| + |2-6| + |4-6| = 8, twice over ordered pairs: 16 / (2 * 9 * 4) = 2 / 9
        ([2, 4, 6], 2 / 9),
    ],
)
def test_it_computes_the_gini_coefficient(values: list[float], expected: float) -> None:
    assert gini(values) == pytest.approx(expected)


@pytest.mark.parametrize(
    "values, expected",
    [
        ([1, 2, 3, 4], 100 / (4 * 30)),  # (1+2+3+4)^2 / (4 * (1+4+9+16))
        ([0, 0, 0, 10], 0.25),  # 1 / n
        ([5, 5, 5], 1.0),
        ([0, 0], 1.0),
        ([2, 4, 6], 144 / (3 * 56)),
    ],
)
def test_it_computes_jains_index(values: list[float], expected: float) -> None:
    assert jain(values) == pytest.approx(expected)


def test_it_summarises_a_spread() -> None:
    s = spread([1, 2, 3, 4])
    assert (s.count, s.minimum, s.maximum, s.mean, s.range) == (4, 1, 4, 2.5, 3)
    assert s.stdev == pytest.approx(math.sqrt(1.25))  # population: (2.25+0.25+0.25+2.25)/4
    assert (s.gini, s.jain) == (pytest.approx(0.25), pytest.approx(100 / 120))


def test_it_treats_an_empty_group_as_fair() -> None:
    s = spread([])
    assert (s.count, s.gini, s.jain) == (0, 0.0, 1.0)


def test_it_escapes_text_in_the_svg() -> None:
    from analytics.svg import Cell, grid

    markup = grid(["<b>x</b>"], ["a&b"], [[Cell("#fff", '"><script>')]], label="<l>")
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;b&gt;x&lt;/b&gt;" in markup and "a&amp;b" in markup
