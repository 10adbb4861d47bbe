"""Dates and times as Russian teachers type them: «25.12 15:00», «завтра в 9», «пт 15:00».

`parse_moment` reads a date with a time (an event start); `parse_day` reads a date alone (a due
date, a pause) and refuses a typed time, so the two uses stay distinct. Rules beyond the obvious:

* a date without a year is the nearest such date not in the past (today counts when its time is
  still ahead; for `parse_day` today always counts), so in December «10.01» is next January;
* a weekday is the nearest such day still ahead, including today when its time is ahead;
* «сегодня», «завтра», «послезавтра» are never moved, so «сегодня 08:00» at 09:00 is PAST;
* a bare time («15:00», «в 15») is UNREADABLE: a time alone is not a date;
* two-digit years are 20xx; after a month name only a four-digit year is read, so that
  «3 мая 10» stays 3 May at 10:00;
* when both «date time» and «time date» readings fit, «date time» wins («10.01 11.02»);
* a local time that does not exist (a clock jump) is read with fold=0 at the offset before the
  jump and reported as the wall time that exists at that instant; a repeated one is the earlier.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.timefmt import utc_offset

MAX_LENGTH = 100
HORIZON_DAYS = 730


@dataclass(frozen=True, slots=True)
class Moment:
    at: datetime  # aware, in the zone it was read in, seconds = 0
    had_year: bool  # the year was typed (else inferred)


class DateProblem(StrEnum):
    EMPTY = "empty"
    UNREADABLE = "unreadable"  # not a date at all, or a time where only a date is wanted
    NO_TIME = "no_time"  # a date without a time where a time is required
    BAD_DATE = "bad_date"  # 31.02, 00.13 …
    BAD_TIME = "bad_time"  # 25:00, 14:75 …
    PAST = "past"  # before `now`
    TOO_FAR = "too_far"  # beyond `now + horizon`


def _index(words: dict[int, str]) -> dict[str, int]:
    return {word: number for number, forms in words.items() for word in forms.split()}


_MONTHS = _index({
    1: "январь января янв", 2: "февраль февраля фев февр", 3: "март марта мар",
    4: "апрель апреля апр", 5: "май мая", 6: "июнь июня июн", 7: "июль июля июл",
    8: "август августа авг", 9: "сентябрь сентября сен сент", 10: "октябрь октября окт",
    11: "ноябрь ноября ноя нояб", 12: "декабрь декабря дек",
})  # fmt: skip
_WEEKDAYS = _index({
    0: "понедельник пн", 1: "вторник вт", 2: "среда среду ср", 3: "четверг чт",
    4: "пятница пятницу пт", 5: "суббота субботу сб", 6: "воскресенье вс",
})  # fmt: skip
_RELATIVE = {"сегодня": 0, "завтра": 1, "послезавтра": 2}
_FILLERS = frozenset({"в", "во", "г", "год", "года", "ч", "час", "часа", "часов"})
_SHORT_WEEKDAYS = {
    "ru": ("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}

# [0-9], not \d: other scripts' digits are not dates here. A dash between digits separates a
# date («25-12-2026»); anywhere else it separates parts, like «—» and commas.
_SEPARATORS = re.compile(r"[,;–—]|(?<![0-9])-|-(?![0-9])")
_DIGIT_LETTER = re.compile(r"(?<=[0-9])(?=[^\W\d_])|(?<=[^\W\d_])(?=[0-9])")
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})([./-])([0-9]{1,2})(?:\2([0-9]{2}|[0-9]{4}))?")
_DAY_NUMBER = re.compile(r"[0-9]{1,2}")
_FULL_YEAR = re.compile(r"[0-9]{4}")
_TIME = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?")


@dataclass(frozen=True, slots=True)
class _Day:
    """What the date part says: days from today, a weekday, or a day and month (and year)."""

    offset: int | None = None
    weekday: int | None = None
    day: int = 0
    month: int = 0
    year: int | None = None


def parse_moment(
    text: str, now: datetime, zone: ZoneInfo, *, horizon_days: int = HORIZON_DAYS
) -> Moment | DateProblem:
    """A date with a time, for an event start; `now` must be aware."""
    if now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    reading = _read(text)
    if isinstance(reading, DateProblem):
        return reading
    spec, clock = reading
    if clock is None:
        return DateProblem.NO_TIME
    today = now.astimezone(zone).date()
    instants = [datetime.combine(day, clock, tzinfo=zone) for day in _days(spec, today)]
    at = next((instant for instant in instants if instant >= now), instants[-1])
    if at < now:
        return DateProblem.PAST
    if at > now + timedelta(days=horizon_days):
        return DateProblem.TOO_FAR
    # Through UTC, so that a wall time skipped by a clock jump becomes one that exists.
    return Moment(at.astimezone(UTC).astimezone(zone), spec.year is not None)


def parse_day(
    text: str, today: date, *, horizon_days: int = HORIZON_DAYS, allow_past: bool = False
) -> date | DateProblem:
    """A date without a time (due dates, pauses); a typed time makes it UNREADABLE.

    `allow_past` only lifts the PAST refusal: a date without a year is still read forward.
    """
    reading = _read(text)
    if isinstance(reading, DateProblem):
        return reading
    spec, clock = reading
    if clock is not None:
        return DateProblem.UNREADABLE
    days = _days(spec, today)
    day = next((candidate for candidate in days if candidate >= today), days[-1])
    if day < today and not allow_past:
        return DateProblem.PAST
    if day > today + timedelta(days=horizon_days):
        return DateProblem.TOO_FAR
    return day


def format_moment(at: datetime, zone: ZoneInfo, locale: str) -> str:
    """«пт, 25.12.2026 15:00 (UTC+3)» in ru, «Fri 25.12.2026 15:00 (UTC+3)» in en.

    Any locale starting with «en» is English; every other one is Russian.
    """
    local = at.astimezone(zone)
    language = "en" if locale.lower().startswith("en") else "ru"
    weekday = _SHORT_WEEKDAYS[language][local.weekday()]
    separator = " " if language == "en" else ", "
    return f"{weekday}{separator}{local:%d.%m.%Y %H:%M} ({utc_offset(local)})"


def _tokens(text: str) -> list[str]:
    text = _SEPARATORS.sub(" ", text.lower().replace("ё", "е"))
    words = (word.rstrip(".") for word in _DIGIT_LETTER.sub(" ", text).split())
    return [word for word in words if word and word not in _FILLERS]


def _read(text: str) -> tuple[_Day, time | None] | DateProblem:
    """The date part and the time part (None when only a date was typed)."""
    if not text.strip():
        return DateProblem.EMPTY
    if len(text) > MAX_LENGTH:
        return DateProblem.UNREADABLE
    tokens = _tokens(text)
    problems: list[DateProblem] = []
    # The time is one token: either the last one or the first one.
    splits = [(tokens[:-1], tokens[-1:]), (tokens[1:], tokens[:1])] if len(tokens) > 1 else []
    for day_part, time_part in splits:
        spec, clock = _read_day(day_part), _read_time(time_part)
        if isinstance(spec, _Day) and isinstance(clock, time):
            return spec, clock
        if spec is not None and clock is not None:
            problems.append(spec if isinstance(spec, DateProblem) else DateProblem.BAD_TIME)
    alone = _read_day(tokens)
    if isinstance(alone, _Day):
        return alone, None
    if alone is not None and not isinstance(_read_time(tokens), time):
        problems.append(alone)
    return problems[0] if problems else DateProblem.UNREADABLE


def _read_day(tokens: list[str]) -> _Day | DateProblem | None:
    """None when the tokens do not look like a date at all."""
    if len(tokens) == 1:
        word = tokens[0]
        if word in _RELATIVE:
            return _Day(offset=_RELATIVE[word])
        if word in _WEEKDAYS:
            return _Day(weekday=_WEEKDAYS[word])
        if match := _NUMERIC_DATE.fullmatch(word):
            typed = match[4]
            year = None if typed is None else int(typed) + (2000 if len(typed) == 2 else 0)
            return _calendar_day(int(match[1]), int(match[3]), year)
        return None
    if len(tokens) in (2, 3) and _DAY_NUMBER.fullmatch(tokens[0]) and tokens[1] in _MONTHS:
        if len(tokens) == 2:
            return _calendar_day(int(tokens[0]), _MONTHS[tokens[1]], None)
        if _FULL_YEAR.fullmatch(tokens[2]):
            return _calendar_day(int(tokens[0]), _MONTHS[tokens[1]], int(tokens[2]))
    return None


def _calendar_day(day: int, month: int, year: int | None) -> _Day | DateProblem:
    probe = 2000 if year is None else year  # a leap year: without a year, 29.02 is a date
    if probe >= 1 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(probe, month)[1]:
        return _Day(day=day, month=month, year=year)
    return DateProblem.BAD_DATE


def _read_time(tokens: list[str]) -> time | DateProblem | None:
    """None when the tokens do not look like a time at all."""
    match = _TIME.fullmatch(tokens[0]) if len(tokens) == 1 else None
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour > 23 or minute > 59:
        return DateProblem.BAD_TIME
    return time(hour, minute)


def _days(spec: _Day, today: date) -> list[date]:
    """Candidate days, earliest first; a reader takes the first one that is not past."""
    if spec.offset is not None:
        return [today + timedelta(days=spec.offset)]
    if spec.weekday is not None:
        first = today + timedelta(days=(spec.weekday - today.weekday()) % 7)
        return [first, first + timedelta(days=7)]
    if spec.year is not None:
        return [date(spec.year, spec.month, spec.day)]
    # Nine years always hold a 29 February (2096 → 2104 skips 2100).
    years = range(today.year, today.year + 9)
    return [
        date(year, spec.month, spec.day)
        for year in years
        if spec.day <= calendar.monthrange(year, spec.month)[1]
    ]
