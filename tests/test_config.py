"""Configuration from the environment: every bad value is one clear Dutch line naming the
variable, never a raw Python error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import Config, ConfigError
from tests.test_cli import run


def admins(raw: str) -> frozenset[int]:
    return Config.from_env({"DRAAIBOT_ADMINS": raw}).admins


def test_admin_ids_are_read() -> None:
    assert admins(" 42, 7;;1000 ") == {42, 7, 1000}
    assert admins("") == frozenset()


@pytest.mark.parametrize("raw", ["²", "42,³", "١٢", "-5", "0", "+7", "4 2", "1_000", "12.0", "abc"])
def test_admin_ids_must_be_positive_ascii_integers(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"^DRAAIBOT_ADMINS "):
        admins(raw)


@given(st.text(max_size=30))
def test_any_admin_value_is_ids_or_a_clear_error(raw: str) -> None:
    try:
        ids = admins(raw)
    except ConfigError as exc:
        assert str(exc).startswith("DRAAIBOT_ADMINS ") and "\n" not in str(exc)
        return
    parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    assert ids == {int(p) for p in parts}
    assert all(p.isascii() and p.isdigit() and int(p) > 0 for p in parts)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("DRAAIBOT_RETENTION_DAYS", "٣٠"),
        ("DRAAIBOT_RETENTION_DAYS", "nan"),
        ("DRAAIBOT_RETENTION_DAYS", "inf"),
        ("DRAAIBOT_RETENTION_DAYS", "1_000"),
        ("DRAAIBOT_RETENTION_DAYS", "0"),
        ("DRAAIBOT_RETENTION_DAYS", "9" * 400),
        ("DRAAIBOT_WEBHOOK_PORT", "84.43"),
        ("DRAAIBOT_WEBHOOK_PORT", "70000"),
        ("DRAAIBOT_WEBHOOK_PORT", "²"),
    ],
)
def test_numbers_are_checked_with_the_variable_named(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{name}"):
        Config.from_env({name: raw})


@given(st.text(max_size=12))
def test_any_retention_value_is_a_number_or_a_clear_error(raw: str) -> None:
    try:
        days = Config.from_env({"DRAAIBOT_RETENTION_DAYS": raw}).retention_days
    except ConfigError as exc:
        assert str(exc).startswith("DRAAIBOT_RETENTION_DAYS") and "\n" not in str(exc)
        return
    assert 1 <= days <= 3650


def test_numbers_are_read() -> None:
    config = Config.from_env({"DRAAIBOT_RETENTION_DAYS": "30,5", "DRAAIBOT_WEBHOOK_PORT": "8080"})
    assert config.retention_days == 30.5 and config.webhook_port == 8080


@pytest.mark.parametrize("command", ["run", "chat", "check"])
def test_cli_reports_a_bad_admin_id_in_one_line(command: str) -> None:
    result = run(command, env={"DRAAIBOT_ADMINS": "²"})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("draaibot: DRAAIBOT_ADMINS ") and "²" in line
