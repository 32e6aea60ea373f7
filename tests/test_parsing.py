"""Parsers of user input: dates and numbers, table-driven and property-based."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing import (
    MONTHS,
    ParseError,
    format_date,
    format_number,
    parse_count,
    parse_date,
    parse_number,
)

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("15-3-2026", dt.date(2026, 3, 15)),
        ("15 maart 2026", dt.date(2026, 3, 15)),
        ("15/03/26", dt.date(2026, 3, 15)),
        ("2026-03-15", dt.date(2026, 3, 15)),
        ("1/3/26", dt.date(2026, 3, 1)),
        ("01-03-2026", dt.date(2026, 3, 1)),
        ("3 mrt 2026", dt.date(2026, 3, 3)),
        ("  31 augustus 2025 ", dt.date(2025, 8, 31)),
        ("29-2-2024", dt.date(2024, 2, 29)),
        ("gisteren", dt.date(2026, 11, 21)),
    ],
)
def test_dates_as_people_type_them(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["", "hallo", "32-1-2026", "29-2-2025", "15-13-2026", "maart", "😀"]
)
def test_bad_dates_get_a_dutch_correction(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_date(text, TODAY)
    assert "15-3-2026" in str(info.value)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_every_date_format_round_trips(day: dt.date) -> None:
    for text in (
        f"{day.day}-{day.month}-{day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        day.isoformat(),
        f"{day.day} {MONTHS[day.month - 1]} {day.year}",
        format_date(day),
    ):
        assert parse_date(text, TODAY) == day, text


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_date_parser_only_raises_parse_errors(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_date(text, TODAY)


@pytest.mark.parametrize(
    "text,unit,expected",
    [
        ("11,5", "m2", Decimal("11.5")),
        ("12 m2", "m2", Decimal("12")),
        ("12m²", "m2", Decimal("12")),
        ("11.5", "m2", Decimal("11.5")),
        ("ongeveer 12", "m2", Decimal("12")),
        ("12 vierkante meter", "m2", Decimal("12")),
        ("25 meter", "m", Decimal("25")),
        ("1.200", "", Decimal("1200")),
    ],
)
def test_numbers_as_people_type_them(text: str, unit: str, expected: Decimal) -> None:
    assert parse_number(text, unit) == expected


@pytest.mark.parametrize(
    "text,unit", [("abc", "m2"), ("-3", "m2"), ("12 kg", "m2"), ("12 m", "m2"), ("", "")]
)
def test_bad_numbers_get_a_dutch_correction(text: str, unit: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_number(text, unit)
    assert "bijvoorbeeld" in str(info.value)


def test_area_correction_reads_like_the_issue_asks() -> None:
    with pytest.raises(ParseError, match="Ik verwacht een oppervlakte in m2, bijvoorbeeld 11,5"):
        parse_number("groot", "m2")


def test_counts_are_whole_and_bounded() -> None:
    assert parse_count("4") == 4
    with pytest.raises(ParseError, match="heel getal"):
        parse_count("4,5")
    with pytest.raises(ParseError, match="tot en met 30"):
        parse_count("31", maximum=30)


@given(
    st.decimals(min_value=0, max_value=9999, places=2),
    st.sampled_from(["", " m2", "m2", "m²", " m²"]),
)
@settings(max_examples=300, deadline=None)
def test_numbers_round_trip(value: Decimal, unit: str) -> None:
    assert parse_number(f"{format_number(value)}{unit}", "m2") == value


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_number_parser_only_raises_parse_errors(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_number(text, "m2")


@pytest.mark.parametrize("typed", ["9 m2", "9m2", "12 meter", "negen vierkante meter"])
def test_a_measure_is_no_count(typed: str) -> None:
    """'9 m2' typed where a number of jongeren is asked is not taken as 9 jongeren."""
    with pytest.raises(ParseError, match="Ik verwacht een aantal, zonder"):
        parse_count(typed)
