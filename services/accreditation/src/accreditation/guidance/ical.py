"""An iCalendar (RFC 5545) feed of guidance activities, written by hand: one VCALENDAR with a
VEVENT per activity, UTC times, escaped text and lines folded at 75 octets, CRLF line ends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from accreditation.models import CITY_NAMES, GuidanceActivity

PRODID = "-//Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta//Pusip Akreditasi//ID"


def escape_text(value: str) -> str:
    """TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " " + ch, 1 + width, 75
        else:
            current += ch
            size += width
    out.append(current)
    return "\r\n".join(out)


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(activity: GuidanceActivity, *, domain: str, url: str | None) -> list[str]:
    location = ", ".join(p for p in (activity.venue, CITY_NAMES.get(activity.city or "")) if p)
    description = activity.description or ""
    if activity.online_url:
        description = f"{description}\n\nDaring / online: {activity.online_url}".strip()
    categories = ",".join(escape_text(c) for c in (activity.kind, activity.level, activity.segment) if c)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{activity.id}@{domain}",
        f"DTSTAMP:{stamp(activity.updated_at)}",
        f"LAST-MODIFIED:{stamp(activity.updated_at)}",
        f"CREATED:{stamp(activity.created_at)}",
        f"DTSTART:{stamp(activity.starts_at)}",
        f"DTEND:{stamp(activity.ends_at)}",
        f"SUMMARY:{escape_text(activity.title)}",
        f"STATUS:{'CANCELLED' if activity.status == 'cancelled' else 'CONFIRMED'}",
        f"CATEGORIES:{categories}",
        "TRANSP:OPAQUE",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if activity.organizer:
        lines.append(f"X-PUSIP-ORGANIZER:{escape_text(activity.organizer)}")
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def calendar(
    activities: Iterable[GuidanceActivity],
    *,
    domain: str,
    name: str = "Kegiatan Pembinaan Perpustakaan",
    url_of: dict[str, str] | None = None,
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:Asia/Jakarta",
    ]
    for activity in activities:
        lines += _event(activity, domain=domain, url=(url_of or {}).get(str(activity.id)))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
