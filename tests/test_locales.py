"""Every message id the code uses is translated in ru and en; Russian plurals have three forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES, LOCALES_DIR, Catalogs

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "_n": (1,), "t": None}
PLURAL_FORMS = {"ru": 3, "en": 2}


def _catalog(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "kollega.po").open("rb") as po:
        return read_po(po, locale=locale)


def _used_ids() -> set[str]:
    """Literal message ids passed to ctx._ / ctx._n / t in the code."""
    found: set[str] = set()
    for package in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            ids = message if isinstance(message, tuple) else (message,)
            found.update(i for i in ids if i and "." in i and " " not in i)
    return found


def _ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_used_message_is_in_the_catalog(locale: str) -> None:
    missing = _used_ids() - _ids(_catalog(locale))
    assert not missing, f"{locale} lacks {sorted(missing)}"


def test_catalogs_have_the_same_ids() -> None:
    ru, en = (_ids(_catalog(loc)) for loc in ("ru", "en"))
    assert ru - en == set(), f"only in ru: {sorted(ru - en)}"
    assert en - ru == set(), f"only in en: {sorted(en - ru)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_empty_or_fuzzy_translation(locale: str) -> None:
    for message in _catalog(locale):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"{locale}: empty {message.id}"
        assert not message.fuzzy, f"{locale}: fuzzy {message.id}"
        if message.pluralizable:
            assert len(strings) == PLURAL_FORMS[locale], f"{locale}: plural forms of {message.id}"


def test_same_placeholders_in_both_languages() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    ru, en = _catalog("ru"), _catalog("en")
    for message in ru:
        if not message.id or message.pluralizable:
            continue
        other = en.get(message.id)
        assert other is not None
        assert fields(message.string) == fields(other.string), message.id


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 организация"), (2, "2 организации"), (4, "4 организации"), (5, "5 организаций"),
     (11, "11 организаций"), (12, "12 организаций"), (21, "21 организация"),
     (22, "22 организации"), (25, "25 организаций"), (101, "101 организация"),
     (111, "111 организаций"), (0, "0 организаций")],
)
def test_russian_plural_forms(n: int, expected: str) -> None:
    assert Catalogs.load().translator("ru").plural("count.organizations", n) == expected


def test_english_plural_forms() -> None:
    t = Catalogs.load().translator("en")
    assert [t.plural("count.topics", n) for n in (0, 1, 2)] == ["0 topics", "1 topic", "2 topics"]


def test_message_ids_built_from_data_exist() -> None:
    """Ids the code composes at run time (f"position.{code}") cannot be extracted; list them."""
    from handlers.dates import DateProblem
    from handlers.events import cards as event_cards
    from handlers.groups.edit import FIELDS as GROUP_FIELDS
    from handlers.matching import formation, jobs
    from handlers.matching.periods import EVERY, PAUSES
    from handlers.matching.plan import KINDS
    from handlers.matching.rounds import OFF
    from handlers.network import LIMITS
    from handlers.profile_card import FIELDS
    from handlers.questions.choices import POSITIONS
    from handlers.questions.lists import QUESTIONS
    from handlers.questions.zones import OFFERED
    from storage.audience import AudienceKind
    from storage.events import EventFormat
    from storage.groups import GroupKind, MemberRole

    composed = (
        {f"position.{code}" for code in POSITIONS}
        | {f"profile.edit.{field}" for field in FIELDS}
        | {f"lang.{locale}" for locale in LOCALES}
        | {f"network.usage.{kind}" for kind in LIMITS}
        | {f"q.{question.step}.ask" for question in QUESTIONS.values()}
        | {key for _, key in OFFERED}
        | {f"bc.kind.{kind}" for kind in AudienceKind}
        | {f"bc.ask_{kind}" for kind in AudienceKind if kind is not AudienceKind.EVERYONE}
        | {f"mt.{key}{kind}" for kind in KINDS for key in (
            "kind.", "preview_confirm_", "left_none_", "scheduled_", "scheduled_nothing_")}
        | {f"mt.pause.{period}" for period in PAUSES}
        | {f"mt.every.{every}" for every in EVERY}
        | {f"mt.every_button.{every}" for every in (*EVERY, OFF)}
        | set(formation.OUTBOX_MESSAGES) | set(jobs.OUTBOX_MESSAGES)
        | {f"gr.kind.{kind}" for kind in GroupKind}
        | {f"gr.role.{role}" for role in MemberRole if role is not MemberRole.MEMBER}
        | {f"gr.field.{field}" for field in GROUP_FIELDS}
        | {f"gr.edit.ask_{field}" for field in GROUP_FIELDS}
        | set(event_cards.CARD_MESSAGES) | {"ev.promoted"}
        | {f"ev.new.format.{fmt}" for fmt in EventFormat}
        | {f"ev.date.{problem}" for problem in DateProblem}
        | {"help.newevent", "help.events", "help.my_events", "help.organized"}
        | {f"ev.reminder.{fmt}" for fmt in EventFormat}
        | {f"ev.change.ask_{what}" for what in ("when", "link", "place")}
        | {"ev.note.moved", "ev.note.new_link", "ev.note.new_place", "ev.note.cancelled"}
    )
    for locale in LOCALES:
        assert composed - _ids(_catalog(locale)) == set(), locale
