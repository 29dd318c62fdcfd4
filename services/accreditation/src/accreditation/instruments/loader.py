"""Reading an instrument's indicator file (JSON, CSV or XLSX) with every problem itemised.

JSON is the shape of :class:`~accreditation.instruments.schemas.IndicatorsLoad`::

    {"components": [{"code": "KOLEKSI", "indicators": [
        {"code": "KOLEKSI.1", "text": "…", "options": {"a": {"points": 5, "text": "…"}, …},
         "evidence": "…", "evidence_required": true}]}]}

A table has one indicator per row with the columns ``component, code, text, a, b, c, d, e,
points_a … points_e, evidence, evidence_required``: ``a``–``e`` are the option texts, ``points_*``
their points (an option with a text and no points gets the default 5-4-3-2-1; a row with no option
at all gets options a–e with those default points).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from accreditation.instruments.schemas import OPTION_LETTERS, IndicatorIn, IndicatorsLoad, LoadProblem
from accreditation.scoring.grading import DEFAULT_POINTS
from accreditation.tabular import read_table
from pusip_kit.errors import PusipError

TABLE_COLUMNS = (
    "component",
    "code",
    "text",
    *OPTION_LETTERS,
    *(f"points_{letter}" for letter in OPTION_LETTERS),
    "evidence",
    "evidence_required",
)
_TRUE = {"1", "true", "ya", "y", "yes", "wajib"}


def problem(location: str, code: str, message: str, message_en: str, field: str | None = None) -> LoadProblem:
    return LoadProblem(location=location, field=field, code=code, message=message, message_en=message_en)


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def validation_problems(exc: ValidationError, location: str | None = None) -> list[LoadProblem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        field = next((str(p) for p in reversed(loc) if isinstance(p, str)), None)
        message = str(error.get("msg", ""))
        problems.append(
            problem(
                location or _path(loc),
                str(error.get("type", "invalid")),
                f"Isian tidak valid: {message}",
                message,
                field if location is None else _path(loc),
            )
        )
    return problems


def parse_indicators(data: bytes) -> tuple[IndicatorsLoad | None, list[LoadProblem]]:
    stripped = data.lstrip()
    if stripped[:1] in (b"{", b"["):
        return _parse_json(data)
    try:
        return _parse_table(data)
    except PusipError as exc:
        return None, [problem("file", exc.code, exc.message, exc.message_en)]


def _parse_json(data: bytes) -> tuple[IndicatorsLoad | None, list[LoadProblem]]:
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, [problem("file", "json_invalid", f"JSON tidak sah: {exc}", f"Invalid JSON: {exc}")]
    try:
        return IndicatorsLoad.model_validate(raw), []
    except ValidationError as exc:
        return None, validation_problems(exc)


def _parse_table(data: bytes) -> tuple[IndicatorsLoad | None, list[LoadProblem]]:
    header, rows = read_table(data)
    problems: list[LoadProblem] = []
    missing = [c for c in ("component", "code", "text") if c not in header]
    if missing:
        listed = ", ".join(missing)
        return None, [
            problem(
                "header",
                "column_missing",
                f"Kolom wajib tidak ada: {listed}",
                f"Required columns missing: {listed}",
            )
        ]
    components: dict[str, list[IndicatorIn]] = {}
    for row in rows:
        location = f"baris {row.number}"
        values = row.values
        component = values.get("component", "").strip().upper()
        if not component:
            problems.append(
                problem(
                    location,
                    "component_missing",
                    "Kode komponen kosong",
                    "Component code is empty",
                    "component",
                )
            )
            continue
        options: dict[str, dict[str, Any]] = {}
        for letter in OPTION_LETTERS:
            text = values.get(letter, "").strip()
            points = values.get(f"points_{letter}", "").strip()
            if not text and not points:
                continue
            if points:
                try:
                    value = int(points)
                except ValueError:
                    problems.append(
                        problem(
                            location,
                            "points_invalid",
                            f"Poin pilihan {letter} bukan bilangan bulat: {points!r}",
                            f"Points of option {letter} are not an integer: {points!r}",
                            f"points_{letter}",
                        )
                    )
                    continue
            else:
                value = DEFAULT_POINTS[letter]
            options[letter] = {"points": value, "text": text or None}
        if not options:
            options = {letter: {"points": DEFAULT_POINTS[letter]} for letter in OPTION_LETTERS}
        raw = {
            "code": values.get("code", ""),
            "text": values.get("text", ""),
            "options": options,
            "evidence": values.get("evidence") or None,
            "evidence_required": values.get("evidence_required", "").strip().lower() in _TRUE,
        }
        try:
            components.setdefault(component, []).append(IndicatorIn.model_validate(raw))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, location))
    if problems:
        return None, problems
    if not components:
        return None, [problem("file", "no_indicators", "Tidak ada indikator", "No indicators")]
    load = IndicatorsLoad.model_validate(
        {
            "components": [
                {"code": c, "indicators": [i.model_dump() for i in items]} for c, items in components.items()
            ]
        }
    )
    return load, []
