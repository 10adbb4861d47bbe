"""Calendar arithmetic for matching: schedule periods, pauses and typed dates."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EVERY = ("2w", "1m")
"""Schedule periods a coordinator can choose: every two weeks, every month."""
PAUSES = ("2w", "1m")
LONGEST_PAUSE = timedelta(days=366)
_DATE = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later; the 31st becomes the month's last day."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def after(period: str, moment: datetime) -> datetime:
    """`moment` plus one period (`2w` or `1m`)."""
    if period == "2w":
        return moment + timedelta(weeks=2)
    if period == "1m":
        return add_months(moment, 1)
    raise ValueError(f"unknown period {period!r}")


def next_run(period: str, planned: datetime, now: datetime) -> datetime:
    """The run after the one planned at `planned`: a period later, keeping the rhythm; after a
    long downtime, a period from now (missed runs are not made up one by one)."""
    following = after(period, planned)
    return following if following > now else after(period, now)


def parse_day(text: str) -> date | None:
    """A date typed as 01.02.2027 (or 1.2.2027, 01/02/2027); None for anything else."""
    found = _DATE.fullmatch(text.strip())
    if found is None:
        return None
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def start_of(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of `day` in the zone, in UTC: a pause «until 01.02» ends as that day begins."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def example_day(now: datetime, zone: ZoneInfo) -> str:
    """A plausible future date to show as an example: the first of a month ahead."""
    ahead = (now.astimezone(zone) + timedelta(days=45)).date().replace(day=1)
    return f"{ahead:%d.%m.%Y}"


def local_day(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%d.%m.%Y}"
