"""Turning a child's log lines into one readable, prefixed, coloured line each.

Services log JSON (``pusip_kit.observability.configure_logging``)::

    {"time": "2024-05-01 10:00:00,123", "level": "INFO", "logger": "uvicorn.error",
     "message": "Application startup complete.", "service": "catalog", "request_id": null}

which becomes ``10:00:00 INFO  uvicorn.error  Application startup complete.``. Anything else
(Celery's own format, a traceback, a print) passes through unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

COLOURS: tuple[str, ...] = ("bright_magenta", "cyan", "green", "yellow", "blue", "bright_red", "bright_cyan")
LEVEL_STYLES: dict[str, str] = {
    "DEBUG": "dim",
    "INFO": "",
    "WARNING": "yellow",
    "ERROR": "bold red",
    "CRITICAL": "bold white on red",
}
_SKIP = frozenset(
    {
        "time",
        "asctime",
        "timestamp",
        "level",
        "levelname",
        "logger",
        "name",
        "message",
        "msg",
        "service",
        "request_id",
        "exc_info",
        "exc_text",
        "stack_info",
        "taskName",
        "color_message",
    }
)


def _clock(value: Any) -> str:
    """``2024-05-01 10:00:00,123`` or ISO ``2024-05-01T10:00:00.123+00:00`` → ``10:00:00``."""
    text = str(value or "")
    for sep in (" ", "T"):
        if sep in text:
            text = text.split(sep, 1)[1]
            break
    return text[:8]


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value if value and " " not in value else json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str)


def parse_json_log(line: str) -> dict[str, Any] | None:
    stripped = line.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        record = json.loads(stripped)
    except ValueError:
        return None
    return record if isinstance(record, dict) and ("message" in record or "msg" in record) else None


def format_record(record: dict[str, Any]) -> Text:
    """One JSON log record as a readable one-liner (tracebacks follow on their own lines)."""
    level = str(record.get("level") or record.get("levelname") or "INFO").upper()
    logger = str(record.get("logger") or record.get("name") or "")
    message = str(record.get("message", record.get("msg", ""))).rstrip()
    text = Text()
    when = _clock(record.get("time") or record.get("asctime") or record.get("timestamp"))
    if when:
        text.append(when + " ", style="dim")
    text.append(f"{level:<5} ", style=LEVEL_STYLES.get(level, ""))
    if logger:
        text.append(logger + "  ", style="dim")
    text.append(message, style=LEVEL_STYLES.get(level, "") if level in ("ERROR", "CRITICAL") else "")
    extras = [f"{k}={_value(v)}" for k, v in record.items() if k not in _SKIP and v not in (None, "")]
    if extras:
        text.append("  " + " ".join(extras), style="dim")
    request_id = record.get("request_id")
    if request_id:
        text.append(f"  [{str(request_id)[:12]}]", style="dim")
    trace = record.get("exc_info") or record.get("exc_text") or record.get("stack_info")
    if trace:
        text.append("\n" + str(trace).rstrip(), style="red")
    return text


def format_line(line: str) -> Text:
    record = parse_json_log(line)
    if record is not None:
        return format_record(record)
    return Text(line.rstrip("\r\n"))


def prefixed(prefix: str, width: int, style: str, body: Text) -> Text:
    """``catalog         │ <body>``; continuation lines of the body keep the prefix."""
    out = Text()
    for index, part in enumerate(body.split("\n", allow_blank=True)):
        if index:
            out.append("\n")
        out.append(f"{prefix:<{width}} │ ", style=style)
        out.append_text(part)
    return out
