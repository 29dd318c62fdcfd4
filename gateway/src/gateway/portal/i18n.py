"""The portal's message catalogs: Indonesian first (default), English second.

Catalogs are flat JSON objects (``{"nav.catalog": "Katalog"}``) named after the language,
``<dir>/id.json`` and ``<dir>/en.json``. Pages added by later features bring their own folder
(:meth:`Catalogs.add_dir`); keys are merged, later folders winning. Templates call
``t("key", name=value)``; a missing key falls back to Indonesian, then to the key itself.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANGUAGE_COOKIE = "lang"
CATALOG_DIR = Path(__file__).parent / "i18n"


class Catalogs:
    def __init__(self, *dirs: Path) -> None:
        self.messages: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        self.dirs: list[Path] = []
        for folder in dirs or (CATALOG_DIR,):
            self.add_dir(folder)

    def add_dir(self, folder: Path) -> None:
        folder = Path(folder)
        self.dirs.append(folder)
        for lang in LANGUAGES:
            path = folder / f"{lang}.json"
            if path.is_file():
                data = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    raise ValueError(f"{path}: a catalog is a JSON object of key → text")
                self.messages[lang].update({str(k): str(v) for k, v in data.items()})

    def add(self, lang: str, messages: dict[str, str]) -> None:
        self.messages[lang].update(messages)

    def translate(self, lang: str, key: str, **params: Any) -> str:
        text = self.messages.get(lang, {}).get(key)
        if text is None:
            text = self.messages[DEFAULT_LANGUAGE].get(key)
            if text is None:
                log.warning("missing portal message %r", key)
                return key
        if params:
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def translator(self, lang: str) -> Translator:
        return Translator(self, lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


class Translator:
    def __init__(self, catalogs: Catalogs, lang: str) -> None:
        self.catalogs = catalogs
        self.lang = lang

    def __call__(self, key: str, **params: Any) -> str:
        return self.catalogs.translate(self.lang, key, **params)


def pick_language(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE
