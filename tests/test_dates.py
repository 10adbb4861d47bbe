"""Reading dates and times as teachers type them, and showing them back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.dates import DateProblem, Moment, format_moment, parse_day, parse_moment

YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")  # UTC+5
MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")  # a zone that still moves its clocks
# Monday 2 November 2026, 14:00 in Yekaterinburg; the seconds must not leak into results.
NOW = datetime(2026, 11, 2, 9, 0, 37, tzinfo=UTC)
TODAY = date(2026, 11, 2)


def _local(text: str) -> tuple[datetime, bool]:
    moment = parse_moment(text, NOW, YEKATERINBURG)
    assert isinstance(moment, Moment), moment
    return moment.at.replace(tzinfo=None), moment.had_year


@pytest.mark.parametrize(
    ("text", "expected", "had_year"),
    [
        ("25.12 15:00", datetime(2026, 12, 25, 15, 0), False),
        ("25.12.2026 15:00", datetime(2026, 12, 25, 15, 0), True),
        ("25.12.26 15:00", datetime(2026, 12, 25, 15, 0), True),
        ("25.12.27 15:00", datetime(2027, 12, 25, 15, 0), True),
        ("25/12 15:00", datetime(2026, 12, 25, 15, 0), False),
        ("25-12-2026 15.00", datetime(2026, 12, 25, 15, 0), True),
        ("25.12 9:05", datetime(2026, 12, 25, 9, 5), False),
        ("25.12 09:05", datetime(2026, 12, 25, 9, 5), False),
        ("25.12 15 ч", datetime(2026, 12, 25, 15, 0), False),
        ("25.12 15ч.", datetime(2026, 12, 25, 15, 0), False),
        ("25.12 в 15", datetime(2026, 12, 25, 15, 0), False),
        ("15:00 25.12", datetime(2026, 12, 25, 15, 0), False),
        ("в 9.30 25.12", datetime(2026, 12, 25, 9, 30), False),
        ("25.12.2026 г. 15:00", datetime(2026, 12, 25, 15, 0), True),
        ("25.12, 15:00", datetime(2026, 12, 25, 15, 0), False),
        ("25.12 — 15:00", datetime(2026, 12, 25, 15, 0), False),
        ("  25.12    15:00  ", datetime(2026, 12, 25, 15, 0), False),
        ("сегодня 18:00", datetime(2026, 11, 2, 18, 0), False),
        ("завтра 16:30", datetime(2026, 11, 3, 16, 30), False),
        ("ЗАВТРА, в 16:30", datetime(2026, 11, 3, 16, 30), False),
        ("завтра - 16:30", datetime(2026, 11, 3, 16, 30), False),
        ("послезавтра в 10:00", datetime(2026, 11, 4, 10, 0), False),
        ("завтра в 9", datetime(2026, 11, 3, 9, 0), False),
        ("25 декабря 15:00", datetime(2026, 12, 25, 15, 0), False),
        ("25 Дек 15:00", datetime(2026, 12, 25, 15, 0), False),
        ("25 дек. 15:00", datetime(2026, 12, 25, 15, 0), False),
        ("25 декабрь 15:00", datetime(2026, 12, 25, 15, 0), False),
        ("1 сентября 2027 в 10:00", datetime(2027, 9, 1, 10, 0), True),
        ("1 сентября 2027 года в 10:00", datetime(2027, 9, 1, 10, 0), True),
        ("3 мая 10:00", datetime(2027, 5, 3, 10, 0), False),
        ("3 мая 10", datetime(2027, 5, 3, 10, 0), False),
        ("в пятницу 15:00", datetime(2026, 11, 6, 15, 0), False),
        ("пятница 15:00", datetime(2026, 11, 6, 15, 0), False),
        ("пт 15:00", datetime(2026, 11, 6, 15, 0), False),
        ("во вторник 12:00", datetime(2026, 11, 3, 12, 0), False),
        ("в среду в 8", datetime(2026, 11, 4, 8, 0), False),
        ("в воскресенье 11:00", datetime(2026, 11, 8, 11, 0), False),
        # Monday: 10:00 today has passed, 18:00 today is still ahead.
        ("в понедельник в 10", datetime(2026, 11, 9, 10, 0), False),
        ("понедельник 18:00", datetime(2026, 11, 2, 18, 0), False),
        ("пн 14:00", datetime(2026, 11, 9, 14, 0), False),
    ],
)
def test_parse_moment_forms(text: str, expected: datetime, had_year: bool) -> None:
    assert _local(text) == (expected, had_year)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.01 12:00", datetime(2027, 1, 10, 12, 0)),  # January is behind: next year
        ("01.11 15:00", datetime(2027, 11, 1, 15, 0)),  # yesterday: next year
        ("02.11 13:00", datetime(2027, 11, 2, 13, 0)),  # today, but the time has passed
        ("02.11 15:00", datetime(2026, 11, 2, 15, 0)),  # today, time still ahead
        ("29.02 12:00", datetime(2028, 2, 29, 12, 0)),  # the next leap year
        ("10.01 11.02", datetime(2027, 1, 10, 11, 2)),  # «date time» wins over «time date»
        ("12.30 10.01", datetime(2027, 1, 10, 12, 30)),  # only «time date» fits
    ],
)
def test_parse_moment_infers_the_year_forward(text: str, expected: datetime) -> None:
    assert _local(text) == (expected, False)


def test_parse_moment_result_is_in_the_zone_without_seconds() -> None:
    moment = parse_moment("25.12 15:00", NOW, YEKATERINBURG)
    assert isinstance(moment, Moment)
    assert moment.at.tzinfo == YEKATERINBURG
    assert (moment.at.second, moment.at.microsecond) == (0, 0)
    assert moment.at.astimezone(UTC) == datetime(2026, 12, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", DateProblem.EMPTY),
        ("   \n\t", DateProblem.EMPTY),
        ("🙂", DateProblem.UNREADABLE),
        ("asdf", DateProblem.UNREADABLE),
        ("15:00", DateProblem.UNREADABLE),  # a bare time is not a date
        ("в 15", DateProblem.UNREADABLE),
        ("15 ч", DateProblem.UNREADABLE),
        ("25.12 15:00 завтра", DateProblem.UNREADABLE),
        ("25.12 15:00" + " " * 100, DateProblem.UNREADABLE),
        ("1" * 10_000 + ".12 15:00", DateProblem.UNREADABLE),
        ("завтра", DateProblem.NO_TIME),
        ("25.12", DateProblem.NO_TIME),
        ("3 мая", DateProblem.NO_TIME),
        ("в пятницу", DateProblem.NO_TIME),
        ("32.12 15:00", DateProblem.BAD_DATE),
        ("31.02 15:00", DateProblem.BAD_DATE),
        ("00.12 15:00", DateProblem.BAD_DATE),
        ("25.13 15:00", DateProblem.BAD_DATE),
        ("29.02.2027 10:00", DateProblem.BAD_DATE),
        ("30 февраля 10:00", DateProblem.BAD_DATE),
        ("31.02", DateProblem.BAD_DATE),
        ("25.12 25:00", DateProblem.BAD_TIME),
        ("25.12 14:75", DateProblem.BAD_TIME),
        ("25.12 24:00", DateProblem.BAD_TIME),
        ("завтра в 24", DateProblem.BAD_TIME),
        ("01.11.2026 15:00", DateProblem.PAST),
        ("02.11.2026 13:00", DateProblem.PAST),
        ("сегодня 08:00", DateProblem.PAST),
        ("25.12.2030 15:00", DateProblem.TOO_FAR),
        ("01.11.2028 14:01", DateProblem.TOO_FAR),  # a minute past now + 730 days
    ],
)
def test_parse_moment_problems(text: str, problem: DateProblem) -> None:
    assert parse_moment(text, NOW, YEKATERINBURG) == problem


def test_parse_moment_horizon_is_inclusive_and_adjustable() -> None:
    assert _local("01.11.2028 14:00") == (datetime(2028, 11, 1, 14, 0), True)
    assert parse_moment("25.12 15:00", NOW, YEKATERINBURG, horizon_days=30) == DateProblem.TOO_FAR
    assert isinstance(parse_moment("25.11 15:00", NOW, YEKATERINBURG, horizon_days=30), Moment)


def test_parse_moment_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_moment("25.12 15:00", NOW.replace(tzinfo=None), YEKATERINBURG)


def _instant(text: str, zone: ZoneInfo, now: datetime = NOW) -> datetime:
    moment = parse_moment(text, now, zone)
    assert isinstance(moment, Moment), moment
    return moment.at


def test_the_same_words_in_kaliningrad_and_vladivostok_are_eight_hours_apart() -> None:
    kaliningrad = _instant("25.12 15:00", ZoneInfo("Europe/Kaliningrad"))
    vladivostok = _instant("25.12 15:00", ZoneInfo("Asia/Vladivostok"))
    assert kaliningrad - vladivostok == timedelta(hours=8)
    assert kaliningrad.astimezone(UTC) == datetime(2026, 12, 25, 13, 0, tzinfo=UTC)


def test_moscow_has_no_summer_time() -> None:
    at = _instant("01.07.2027 15:00", MOSCOW)
    assert at.astimezone(UTC) == datetime(2027, 7, 1, 12, 0, tzinfo=UTC)
    assert at.utcoffset() == timedelta(hours=3)


def test_a_skipped_wall_time_becomes_the_one_that_exists() -> None:
    # Berlin jumps from 02:00 to 03:00 on 28 March 2027: 02:30 is read at +01:00.
    at = _instant("28.03.2027 02:30", BERLIN)
    assert at.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert (at.hour, at.minute, at.utcoffset()) == (3, 30, timedelta(hours=2))


def test_a_repeated_wall_time_is_the_earlier_one() -> None:
    # Berlin goes back from 03:00 to 02:00 on 31 October 2027: 02:30 happens twice.
    at = _instant("31.10.2027 02:30", BERLIN)
    assert at.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.12", date(2026, 12, 25)),
        ("25.12.2027", date(2027, 12, 25)),
        ("25/12/27", date(2027, 12, 25)),
        ("25-12-2026 г.", date(2026, 12, 25)),
        ("3 мая", date(2027, 5, 3)),
        ("1 сентября 2027 года", date(2027, 9, 1)),
        ("25 дек", date(2026, 12, 25)),
        ("сегодня", TODAY),
        ("Завтра", date(2026, 11, 3)),
        ("послезавтра", date(2026, 11, 4)),
        ("понедельник", TODAY),  # today counts
        ("в пятницу", date(2026, 11, 6)),
        ("вс", date(2026, 11, 8)),
        ("02.11", TODAY),
        ("01.11", date(2027, 11, 1)),
        ("10.01", date(2027, 1, 10)),
        ("29.02", date(2028, 2, 29)),
    ],
)
def test_parse_day_forms(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("25.12 15:00", DateProblem.UNREADABLE),  # a time is refused, not ignored
        ("завтра в 10", DateProblem.UNREADABLE),
        ("3 мая 10", DateProblem.UNREADABLE),
        ("15:00", DateProblem.UNREADABLE),
        ("12.30", DateProblem.UNREADABLE),  # reads as a time, not as month 30
        ("привет", DateProblem.UNREADABLE),
        ("", DateProblem.EMPTY),
        (" ", DateProblem.EMPTY),
        ("31.02", DateProblem.BAD_DATE),
        ("29.02.2027", DateProblem.BAD_DATE),
        ("01.11.2026", DateProblem.PAST),
        ("1 января 2020", DateProblem.PAST),
        ("25.12.2030", DateProblem.TOO_FAR),
        ("02.11.2028", DateProblem.TOO_FAR),  # today + 731 days
    ],
)
def test_parse_day_problems(text: str, problem: DateProblem) -> None:
    assert parse_day(text, TODAY) == problem


def test_parse_day_horizon_and_allow_past() -> None:
    assert parse_day("01.11.2028", TODAY) == date(2028, 11, 1)  # today + 730 days
    assert parse_day("25.12", TODAY, horizon_days=30) == DateProblem.TOO_FAR
    assert parse_day("01.11.2026", TODAY, allow_past=True) == date(2026, 11, 1)
    assert parse_day("01.11", TODAY, allow_past=True) == date(2027, 11, 1)  # still forward


CHRISTMAS = datetime(2026, 12, 25, 12, 0, tzinfo=UTC)
SUNDAY = datetime(2026, 11, 8, 9, 0, tzinfo=UTC)
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")


@pytest.mark.parametrize(
    ("at", "zone", "locale", "expected"),
    [
        (CHRISTMAS, MOSCOW, "ru", "пт, 25.12.2026 15:00 (UTC+3)"),
        (CHRISTMAS, MOSCOW, "en", "Fri 25.12.2026 15:00 (UTC+3)"),
        (CHRISTMAS, VLADIVOSTOK, "ru", "пт, 25.12.2026 22:00 (UTC+10)"),
        (
            CHRISTMAS + timedelta(hours=15, minutes=5),
            VLADIVOSTOK,
            "ru",
            "сб, 26.12.2026 13:05 (UTC+10)",
        ),
        (NOW, YEKATERINBURG, "en", "Mon 02.11.2026 14:00 (UTC+5)"),
        (SUNDAY, YEKATERINBURG, "ru", "вс, 08.11.2026 14:00 (UTC+5)"),
        (SUNDAY, YEKATERINBURG, "en_GB", "Sun 08.11.2026 14:00 (UTC+5)"),
        (SUNDAY, YEKATERINBURG, "de", "вс, 08.11.2026 14:00 (UTC+5)"),  # unknown: Russian
    ],
)
def test_format_moment(at: datetime, zone: ZoneInfo, locale: str, expected: str) -> None:
    assert format_moment(at, zone, locale) == expected


def test_format_moment_shows_what_was_read() -> None:
    moment = parse_moment("в пятницу 15:00", NOW, YEKATERINBURG)
    assert isinstance(moment, Moment)
    assert format_moment(moment.at, YEKATERINBURG, "ru") == "пт, 06.11.2026 15:00 (UTC+5)"
    assert format_moment(moment.at, MOSCOW, "en") == "Fri 06.11.2026 13:00 (UTC+3)"
