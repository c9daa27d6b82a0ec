"""Loading an official holiday arrangement (holiday-cn JSON: {"year", "papers", "days": [{"name",
"date", "isOffDay"}]}) into the holiday table. All or nothing; journalled."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction

from . import calendar, journal, outbox
from .errors import DomainError
from .models import HolidayDay, HolidayYear


def parse_holiday_json(data) -> tuple[int, str, list[tuple[dt.date, str, bool]]]:
    if not isinstance(data, dict):
        raise DomainError("the file must hold a JSON object with year and days")
    year = data.get("year")
    if not isinstance(year, int) or not 1949 <= year <= 2200:
        raise DomainError("the file's 'year' must be a year such as 2027")
    days = data.get("days")
    if not isinstance(days, list):
        raise DomainError("the file's 'days' must be a list")
    if not days:
        raise DomainError(
            f"the file lists no days for {year}: the arrangement is not published yet, "
            "so nothing was loaded"
        )
    parsed = []
    seen = set()
    errors = []
    for i, item in enumerate(days, start=1):
        try:
            date = dt.date.fromisoformat(item["date"])
            name = str(item.get("name", ""))[:50]
            off = item["isOffDay"]
            if not isinstance(off, bool):
                raise ValueError("isOffDay must be true or false")
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"day {i}: {exc}")
            continue
        if date.year not in (year, year - 1, year + 1):
            errors.append(f"day {i}: {date} is far from {year}")
        if date in seen:
            errors.append(f"day {i}: {date} is listed twice")
        seen.add(date)
        parsed.append((date, name, off))
    if errors:
        raise DomainError("nothing loaded: " + "; ".join(errors))
    source = "; ".join(str(p) for p in data.get("papers", []) if p)[:500]
    return year, source, parsed


def load_holiday_file(path: Path) -> HolidayYear:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DomainError(f"no such file: {path}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainError(f"{path} is not UTF-8 JSON: {exc}")
    return load_holidays(data, source_name=str(path))


def load_holidays(data, *, source_name: str = "") -> HolidayYear:
    year, source, days = parse_holiday_json(data)
    # holiday-cn may list a day of the adjacent year (2023's New Year holiday starts on
    # 2022-12-31); that day belongs to the adjacent year's own arrangement, so only this year's
    # days are stored.
    with transaction.atomic():
        existing = HolidayYear.objects.select_for_update(no_key=True).filter(year=year).first()
        before = None
        if existing is not None:
            before = {
                "days": [
                    [d.isoformat(), n, o]
                    for d, n, o in existing.days.values_list("date", "name", "is_off_day")
                ]
            }
            existing.delete()
        record = HolidayYear.objects.create(year=year, source=source or source_name)
        HolidayDay.objects.bulk_create(
            [
                HolidayDay(year=record, date=d, name=n, is_off_day=o)
                for d, n, o in days
                if d.year == year
            ]
        )
        after = {"days": [[d.isoformat(), n, o] for d, n, o in days]}
        journal.record("core.holidays.loaded", record, before=before, after=after)
        outbox.emit("core.holidays.loaded", record, {"year": year})
        transaction.on_commit(calendar.clear_cache)
    calendar.clear_cache()
    return record
