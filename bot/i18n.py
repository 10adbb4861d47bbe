"""Translations from the gettext catalogs in locales/, keyed by message ids like `reg.ask_name`.

The .po files are compiled in memory at start, so there is no build step and no stale .mo file.
"""

from __future__ import annotations

import gettext
import io
import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("ru", "en")
DOMAIN = "kollega"

def _locales_dir() -> Path:
    """locales/ beside the packages in a checkout; in the working directory when installed."""
    beside = Path(__file__).resolve().parent.parent / "locales"
    return beside if beside.is_dir() else Path.cwd() / "locales"


LOCALES_DIR = _locales_dir()

log = logging.getLogger(__name__)


class Translator:
    """Renders message ids in one locale; parameters are substituted with str.format."""

    def __init__(self, locale: str, translations: gettext.NullTranslations) -> None:
        self.locale = locale
        self._translations = translations

    def __call__(self, key: str, /, **params: object) -> str:
        text = self._translations.gettext(key)
        if text == key:
            log.error("missing translation %s for %s", key, self.locale)
        return text.format(**params) if params else text

    def plural(self, key: str, n: int, /, **params: object) -> str:
        """A phrase with a count: «1 участник», «2 участника», «5 участников»."""
        text = self._translations.ngettext(key, key, n)
        return text.format(n=n, **params)


class Catalogs:
    def __init__(self, translations: dict[str, gettext.NullTranslations], default: str) -> None:
        self._translations = translations
        self.default = default

    @classmethod
    def load(cls, default: str = "ru", directory: Path = LOCALES_DIR) -> Catalogs:
        return cls({loc: _compile(directory / loc / "LC_MESSAGES" / f"{DOMAIN}.po", loc)
                    for loc in LOCALES}, default)

    def translator(self, locale: str | None) -> Translator:
        chosen = locale if locale in self._translations else self.default
        assert chosen is not None
        return Translator(chosen, self._translations[chosen])

    def pick_locale(self, *candidates: str | None) -> str:
        """The first supported locale among the candidates (e.g. saved choice, messenger hint)."""
        for candidate in candidates:
            short = (candidate or "").split("-")[0].split("_")[0].lower()
            if short in self._translations:
                return short
        return self.default


def _compile(po_path: Path, locale: str) -> gettext.GNUTranslations:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
