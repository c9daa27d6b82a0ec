"""Statutory deadlines across the 2026 arrangements (DOMAIN.md §3). Expected dates were worked
out by hand from the State Council's 2026 notice (国办发明电〔2025〕7号, in
shared/data/holidays/holiday-cn_2026.json)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from shenguan.core import calendar
from shenguan.core.calendar import Law, UnknownYear
from shenguan.core.holidays import load_holidays
from shenguan.core.models import HolidayYear, JournalEntry

D = dt.date.fromisoformat

CASES = [
    # law, start, days, due, why
    (
        "licensing",
        "2026-02-10",
        20,
        "2026-03-16",
        "Spring Festival off 15-23 Feb; 14 and 28 Feb are make-up working days",
    ),
    ("licensing", "2026-02-13", 1, "2026-02-14", "Saturday 14 Feb is a make-up working day"),
    ("licensing", "2026-02-14", 1, "2026-02-24", "the festival runs to 23 Feb"),
    (
        "licensing",
        "2026-09-28",
        5,
        "2026-10-10",
        "National Day 1-7 Oct; Saturday 10 Oct is a working day",
    ),
    (
        "licensing",
        "2026-09-18",
        2,
        "2026-09-21",
        "Sunday 20 Sep is a make-up working day, then Mon 21",
    ),
    ("licensing", "2026-09-19", 1, "2026-09-20", "Sunday 20 Sep is a make-up working day"),
    ("penalty", "2026-09-28", 7, "2026-10-13", "7 days are working days (art 85)"),
    (
        "penalty",
        "2026-09-20",
        15,
        "2026-10-08",
        "15 calendar days end on 5 Oct, a holiday: next working day",
    ),
    (
        "penalty",
        "2026-04-20",
        15,
        "2026-05-06",
        "DOMAIN.md example: 5 May is in the Labour Day holiday",
    ),
    ("penalty", "2026-09-05", 15, "2026-09-20", "ends on a make-up working Sunday: stays"),
    ("penalty", "2026-02-06", 2, "2026-02-10", "2 days are working days"),
    ("penalty", "2026-01-01", 90, "2026-04-01", "90 calendar days"),
    ("coercion", "2026-09-30", 10, "2026-10-20", "10 days or less are working days (art 69)"),
    (
        "coercion",
        "2026-01-16",
        30,
        "2026-02-24",
        "30 calendar days end on 15 Feb (festival): next working day",
    ),
    ("coercion", "2026-02-13", 3, "2026-02-25", "3 working days across the festival"),
    ("working", "2026-06-18", 1, "2026-06-22", "Dragon Boat Festival 19-21 Jun"),
    ("calendar", "2026-06-12", 7, "2026-06-22", "calendar days ending on 19 Jun (holiday)"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("law", "start", "days", "due", "why"), CASES)
def test_deadlines_with_package_calendar(law, start, days, due, why):
    assert calendar.deadline(law, D(start), days) == D(due), why


@pytest.fixture
def loaded_2026(db, settings):
    data = json.loads((settings.DATA_DIR / "holidays" / "holiday-cn_2026.json").read_text())
    return load_holidays(data)


@pytest.mark.parametrize(("law", "start", "days", "due", "why"), CASES)
def test_deadlines_with_loaded_table(loaded_2026, law, start, days, due, why):
    """The same answers from the administrator's table (which takes precedence)."""
    assert calendar.deadline(law, D(start), days) == D(due), why


def test_period_kind_per_law():
    assert calendar.counts_working_days(Law.LICENSING, 20)
    assert calendar.counts_working_days(Law.PENALTY, 7)
    assert not calendar.counts_working_days(Law.PENALTY, 15)
    assert calendar.counts_working_days(Law.COERCION, 10)
    assert not calendar.counts_working_days(Law.COERCION, 30)
    assert not calendar.counts_working_days(Law.CALENDAR, 3)


@pytest.mark.django_db
def test_unknown_year_is_refused_not_guessed():
    with pytest.raises(UnknownYear, match="2027"):
        calendar.deadline(Law.LICENSING, D("2026-12-20"), 20)
    with pytest.raises(UnknownYear):
        calendar.is_working_day(D("2027-03-01"))
    # a calendar-day period ending in an unknown year must know if that day is a rest day
    with pytest.raises(UnknownYear):
        calendar.deadline(Law.PENALTY, D("2026-12-25"), 15)
    # ... but a working-day deadline that stays inside 2026 is fine
    assert calendar.deadline(Law.LICENSING, D("2026-12-01"), 20) == D("2026-12-29")


SYNTHETIC_2027 = {
    "year": 2027,
    "papers": ["test: a synthetic arrangement"],
    "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-04", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-09", "isOffDay": False},
    ],
}


@pytest.mark.django_db
def test_loaded_year_is_used_and_journalled():
    load_holidays(SYNTHETIC_2027, source_name="test")
    assert calendar.is_working_day(D("2027-01-09"))  # make-up Saturday
    assert not calendar.is_working_day(D("2027-01-04"))  # Monday off
    # 2026-12-31 (Thu) + 3 working days: Jan 1 off, 2-3 weekend, 4 off, 5, 6, 7
    assert calendar.deadline(Law.LICENSING, D("2026-12-31"), 3) == D("2027-01-07")
    entry = JournalEntry.objects.get(action="core.holidays.loaded")
    assert entry.object_repr == "2027"


@pytest.mark.django_db
def test_table_takes_precedence_over_package(settings):
    # chinese-calendar says Mon 2026-03-02 is a working day; an administrator's table (here the
    # real 2026 arrangement plus one extra day off) decides
    data = json.loads((settings.DATA_DIR / "holidays" / "holiday-cn_2026.json").read_text())
    data["days"].append({"name": "测试", "date": "2026-03-02", "isOffDay": True})
    assert calendar.is_working_day(D("2026-03-02"))
    load_holidays(data)
    assert not calendar.is_working_day(D("2026-03-02"))
    assert calendar.deadline(Law.LICENSING, D("2026-02-27"), 1) == D("2026-02-28")
    assert calendar.deadline(Law.LICENSING, D("2026-02-28"), 1) == D("2026-03-03")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": 2027, "papers": [], "days": []}, "not published"),
        ({"year": "x", "days": [1]}, "year"),
        ({"year": 2027, "days": [{"date": "2027-13-01", "isOffDay": True}]}, "day 1"),
        ({"year": 2027, "days": [{"date": "2027-01-01", "isOffDay": "yes"}]}, "isOffDay"),
        (
            {
                "year": 2027,
                "days": [
                    {"date": "2027-01-01", "isOffDay": True},
                    {"date": "2027-01-01", "isOffDay": True},
                ],
            },
            "twice",
        ),
        ([1, 2], "object"),
    ],
)
def test_bad_holiday_files_are_refused_whole(data, message):
    from shenguan.core.errors import DomainError

    with pytest.raises(DomainError, match=message):
        load_holidays(data)
    assert not HolidayYear.objects.exists()
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_calendar_commands(tmp_path, capsys, settings):
    call_command("calendar", "deadline", "--law", "penalty", "--from", "2026-04-20", "--days", "15")
    assert capsys.readouterr().out.strip() == "2026-05-06"
    with pytest.raises(CommandError, match="2027"):
        call_command(
            "calendar", "deadline", "--law", "licensing", "--from", "2026-12-20", "--days", "20"
        )
    with pytest.raises(CommandError, match="not published"):
        call_command(
            "calendar", "load", str(settings.DATA_DIR / "holidays" / "holiday-cn_2027.json")
        )
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(SYNTHETIC_2027))
    call_command("calendar", "load", str(path))
    entry = JournalEntry.objects.get(action="core.holidays.loaded")
    assert entry.source == "command"
    assert entry.actor_name == "command:calendar"
    call_command("calendar", "show", "2027")
    out = capsys.readouterr().out
    assert "2027-01-09 班" in out and "2027-01-04 休" in out


def test_deadline_cli_prints_the_date_alone(tmp_path):
    """The real console script, as an operator would run it (fresh SQLite database)."""
    env_db = tmp_path / "cli.sqlite3"
    import os

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{env_db}", "SHENGUAN_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    shenguan = [sys.executable, "-m", "shenguan"]
    subprocess.run([*shenguan, "migrate", "core", "-v0"], env=env, check=True)
    cases = [
        ("licensing", "2026-02-10", "20", "2026-03-16"),
        ("penalty", "2026-09-20", "15", "2026-10-08"),
        ("coercion", "2026-09-30", "10", "2026-10-20"),
    ]
    for law, start, days, due in cases:
        out = subprocess.run(
            [*shenguan, "calendar", "deadline", "--law", law, "--from", start, "--days", days],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert out.splitlines() == [due]
    refused = subprocess.run(
        [
            *shenguan,
            "calendar",
            "deadline",
            "--law",
            "licensing",
            "--from",
            "2026-12-20",
            "--days",
            "20",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "2027" in refused.stderr and refused.stdout == ""


def _walked(start: dt.date, end: dt.date) -> int:
    """The definition, one day at a time."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


@pytest.mark.django_db
def test_working_days_between_agrees_with_walking_the_days(settings):
    """The running-total count equals the day-by-day definition across year ends, on the
    package's calendar and again after a loaded table changes a day."""
    import random

    rng = random.Random(7)
    first = D("2023-01-01")
    pairs = [(D("2025-12-31"), D("2026-01-01")), (D("2024-02-28"), D("2024-03-01"))]
    for _ in range(60):
        a = first + dt.timedelta(days=rng.randrange(0, 4 * 365))
        b = a + dt.timedelta(days=rng.randrange(-30, 800))
        pairs.append((a, min(b, D("2026-12-31"))))
    for a, b in pairs:
        assert calendar.working_days_between(a, b) == _walked(a, b), (a, b)
    assert calendar.working_days_between(D("2026-03-05"), D("2026-03-01")) == 0
    before = calendar.working_days_between(D("2026-02-27"), D("2026-03-31"))
    data = json.loads((settings.DATA_DIR / "holidays" / "holiday-cn_2026.json").read_text())
    data["days"].append({"name": "测试", "date": "2026-03-02", "isOffDay": True})
    load_holidays(data)
    assert calendar.working_days_between(D("2026-02-27"), D("2026-03-31")) == before - 1
    for a, b in pairs:
        assert calendar.working_days_between(a, b) == _walked(a, b), (a, b)
    with pytest.raises(UnknownYear):
        calendar.working_days_between(D("2026-12-20"), D("2027-01-10"))
