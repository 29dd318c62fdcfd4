"""Parse the free text of real classification and retention schedules into structured rules.

Real JRA tables are typed by hand: "2 Tahun setelah tidak berlaku", "2 Tshun setelah …",
"Musnah, kecuali yang bernilai guna sejarah Permanen", "Miusnah", "Biasa / Terbuka". Every value
is parsed into a structure or reported as a problem; a tolerated misspelling is parsed *and*
reported, so nothing is guessed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum

from pusip_kit.auth.subject import SecurityLevel


class Disposition(StrEnum):
    """Final disposition in a JRA (PP 28/2012)."""

    MUSNAH = "MUSNAH"
    PERMANEN = "PERMANEN"
    DINILAI_KEMBALI = "DINILAI_KEMBALI"


class Severity(StrEnum):
    ERROR = "error"  # the entry cannot be used as it stands
    WARNING = "warning"  # parsed, but a person should look
    INFO = "info"  # skipped on purpose (a header row)


@dataclass(frozen=True)
class ImportProblem:
    source_row: int | None
    code: str | None
    kind: str
    severity: Severity
    message: str
    message_en: str
    raw: str | None = None


@dataclass(frozen=True)
class Retention:
    """A retention period: whole years, counted from an event when one is named."""

    years: int
    event: str | None = None  # "setelah tidak berlaku" → counted from that event, not from creation
    raw: str = ""


@dataclass(frozen=True)
class DispositionRule:
    disposition: Disposition | None
    exception_condition: str | None = None  # "kecuali yang bernilai guna sejarah"
    exception_disposition: Disposition | None = None
    follows_file: str | None = None  # "masuk berkas perseorangan": follows another file's schedule
    note: str | None = None  # extra condition text ("setelah masuk menjadi evaluasi program …")
    raw: str = ""


@dataclass
class CodeEntry:
    code: str
    title: str | None = None
    description: str | None = None
    parent_code: str | None = None
    active_retention: Retention | None = None
    inactive_retention: Retention | None = None
    disposition: DispositionRule | None = None
    security_level: SecurityLevel | None = None
    source_row: int | None = None

    @property
    def has_schedule(self) -> bool:
        return any((self.active_retention, self.inactive_retention, self.disposition, self.security_level))

    @property
    def level(self) -> int:
        return self.code.count(".") + 1


@dataclass
class InstrumentImport:
    entries: dict[str, CodeEntry] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)

    def problem(
        self,
        row: int | None,
        code: str | None,
        kind: str,
        severity: Severity,
        message: str,
        message_en: str,
        raw: str | None = None,
    ) -> None:
        self.problems.append(ImportProblem(row, code, kind, severity, message, message_en, raw))

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity is severity)


_CODE = re.compile(
    r"^(?:\d{3}(?:\.\d+)*|[A-Z]{2}(?:\.\d{2})*(?:\.[a-z])?|[A-Z]{2}(?:\.\d{2})+(?:\.\d+)*(?:\.[a-z])?)$"
)


def normalize_code(raw: str) -> str:
    return re.sub(r"\s+", "", raw or "").strip(".")


def valid_code(code: str) -> bool:
    """Dotted decimal (000, 000.1, 000.1.1) or letter codes (KP, KP.01, KP.01.02, UM.02.03.a)."""
    return bool(_CODE.match(code))


def parent_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def _squash(text: str) -> str:
    return " ".join((text or "").split())


# ------------------------------------------------------------------ retention

_YEARS = re.compile(r"^(?P<n>\d{1,3})\s*(?P<unit>[a-z]{4,6})\b\s*(?P<rest>.*)$", re.IGNORECASE)


def _near_tahun(word: str) -> bool:
    """A misspelling of "tahun" (years): close by similarity and still shaped t…n."""
    return word[0] == "t" and word[-1] == "n" and SequenceMatcher(None, word, "tahun").ratio() >= 0.6


def parse_retention(raw: str) -> tuple[Retention | None, list[tuple[str, Severity, str, str]]]:
    """Parse "2 Tahun", "2 Tahun setelah X" or "-" (none). Returns the retention and any issues."""
    text = _squash(raw)
    if text in ("", "-", "–"):
        return (Retention(0, None, raw) if text else None), []
    match = _YEARS.match(text)
    if not match:
        return None, [
            (
                "retention_unparsed",
                Severity.ERROR,
                f"Retensi tidak dapat dibaca: {text!r}",
                f"Retention could not be read: {text!r}",
            )
        ]
    unit = match["unit"].lower()
    issues: list[tuple[str, Severity, str, str]] = []
    if unit != "tahun":
        if not _near_tahun(unit):
            return None, [
                (
                    "retention_unit_unknown",
                    Severity.ERROR,
                    f"Satuan retensi tidak dikenal: {match['unit']!r}",
                    f"Unknown retention unit: {match['unit']!r}",
                )
            ]
        issues.append(
            (
                "retention_unit_misspelled",
                Severity.WARNING,
                f"Ejaan satuan {match['unit']!r} dibaca sebagai 'Tahun'",
                f"Unit spelled {match['unit']!r} read as 'Tahun' (years)",
            )
        )
    rest = match["rest"].strip(" ,.")
    event = None
    if rest:
        event = re.sub(r"^setelah\s+", "setelah ", rest, flags=re.IGNORECASE)
        if not event.lower().startswith("setelah"):
            issues.append(
                (
                    "retention_condition_unusual",
                    Severity.WARNING,
                    f"Keterangan retensi tanpa 'setelah': {rest!r}",
                    f"Retention condition without 'setelah' (after): {rest!r}",
                )
            )
    return Retention(int(match["n"]), event, raw), issues


# ------------------------------------------------------------------ disposition

_DISPOSITION_WORDS = {
    "musnah": Disposition.MUSNAH,
    "miusnah": Disposition.MUSNAH,
    "musna": Disposition.MUSNAH,
    "permanen": Disposition.PERMANEN,
    "permanent": Disposition.PERMANEN,
    "dinilai kembali": Disposition.DINILAI_KEMBALI,
}
_TYPO_WORDS = {"miusnah", "musna", "permanent"}
_FOLLOWS = re.compile(r"masuk\s+berkas\s+(?P<file>per\w*ora\w*)", re.IGNORECASE)


def _word(text: str) -> tuple[Disposition | None, str | None]:
    lowered = text.lower().strip(" ,.")
    for word, value in _DISPOSITION_WORDS.items():
        if lowered == word or lowered.startswith(word + " ") or lowered.startswith(word + ","):
            return value, word
    return None, None


def parse_disposition(raw: str) -> tuple[DispositionRule | None, list[tuple[str, Severity, str, str]]]:
    text = _squash(raw)
    if not text:
        return None, []
    issues: list[tuple[str, Severity, str, str]] = []
    follows = _FOLLOWS.match(text)
    if follows:
        issues.append(
            (
                "disposition_follows_file",
                Severity.WARNING,
                f"Nasib akhir mengikuti berkas lain ({text!r}); tetapkan nasib akhirnya secara manual bila perlu",
                f"Disposition follows another file ({text!r}); set it by hand where needed",
            )
        )
        return DispositionRule(None, follows_file=_squash(follows.group(0)), raw=raw), issues
    base, word = _word(text)
    if base is None:
        return None, [
            (
                "disposition_unparsed",
                Severity.ERROR,
                f"Nasib akhir tidak dapat dibaca: {text!r}",
                f"Final disposition could not be read: {text!r}",
            )
        ]
    if word in _TYPO_WORDS:
        issues.append(
            (
                "disposition_misspelled",
                Severity.WARNING,
                f"Ejaan {text.split()[0]!r} dibaca sebagai {base.value}",
                f"{text.split()[0]!r} read as {base.value}",
            )
        )
    rest = text[len(word or "") :].strip(" ,.")
    if not rest:
        return DispositionRule(base, raw=raw), issues
    exception = re.match(r"^kecuali\s+(?P<cond>.+)$", rest, re.IGNORECASE)
    if exception:
        cond = exception["cond"].strip(" ,.")
        # The exception's own disposition is the last disposition word in the clause, if any.
        tail = re.search(r"(permanen|musnah|dinilai kembali)\s*$", cond, re.IGNORECASE)
        other = _DISPOSITION_WORDS[tail.group(1).lower()] if tail else None
        follows_in_exception = _FOLLOWS.search(cond)
        if tail:
            cond = cond[: tail.start()].strip(" ,.")
        if other is None and follows_in_exception is None:
            issues.append(
                (
                    "disposition_exception_open",
                    Severity.WARNING,
                    f"Pengecualian tanpa nasib akhir yang jelas: {text!r}",
                    f"Exception without a stated disposition: {text!r}",
                )
            )
        return (
            DispositionRule(
                base,
                exception_condition="kecuali " + cond,
                exception_disposition=other,
                follows_file=_squash(follows_in_exception.group(0)) if follows_in_exception else None,
                raw=raw,
            ),
            issues,
        )
    return DispositionRule(base, note=rest, raw=raw), issues


# ------------------------------------------------------------------ security (SKKAAD)

_SECURITY = {
    "biasa": SecurityLevel.BIASA,
    "terbuka": SecurityLevel.BIASA,
    "biasa/terbuka": SecurityLevel.BIASA,
    "terbatas": SecurityLevel.TERBATAS,
    "rahasia": SecurityLevel.RAHASIA,
    "sangat rahasia": SecurityLevel.SANGAT_RAHASIA,
}


def parse_security(raw: str) -> tuple[SecurityLevel | None, list[tuple[str, Severity, str, str]]]:
    text = _squash(raw).lower().replace(" / ", "/")
    if not text:
        return None, []
    level = _SECURITY.get(text)
    if level is None:
        return None, [
            (
                "security_unparsed",
                Severity.ERROR,
                f"Klasifikasi keamanan tidak dikenal: {raw!r}",
                f"Unknown security classification: {raw!r}",
            )
        ]
    return level, []
