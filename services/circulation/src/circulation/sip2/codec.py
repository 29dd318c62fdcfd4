"""Encoding and decoding of SIP2 messages.

A message is a two-digit code, fixed-length fields in an order set per code, then variable
fields ``XXvalue|`` (two-letter id, value, pipe). With error detection on, it ends with
``AY<sequence digit>AZ<checksum>``: the checksum is the 16-bit two's complement of the sum of
every byte up to and including ``AZ``, written as four upper-case hex digits. Messages end with CR.
Text is carried as UTF-8 here (kiosks sold in Indonesia send ASCII or UTF-8; both decode).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MAX_MESSAGE_BYTES = 4096

# Fixed fields per message code: (name, length), in wire order.
FIXED: dict[str, tuple[tuple[str, int], ...]] = {
    # requests from the kiosk (SC)
    "93": (("uid_algorithm", 1), ("pwd_algorithm", 1)),
    "99": (("status_code", 1), ("max_print_width", 3), ("protocol_version", 4)),
    "23": (("language", 3), ("transaction_date", 18)),
    "63": (("language", 3), ("transaction_date", 18), ("summary", 10)),
    "11": (("sc_renewal_policy", 1), ("no_block", 1), ("transaction_date", 18), ("nb_due_date", 18)),
    "09": (("no_block", 1), ("transaction_date", 18), ("return_date", 18)),
    "29": (("third_party_allowed", 1), ("no_block", 1), ("transaction_date", 18), ("nb_due_date", 18)),
    "35": (("transaction_date", 18),),
    "17": (("transaction_date", 18),),
    "15": (("hold_mode", 1), ("transaction_date", 18)),
    "37": (("transaction_date", 18), ("fee_type", 2), ("payment_type", 2), ("currency_type", 3)),
    "65": (("transaction_date", 18),),
    "01": (("card_retained", 1), ("transaction_date", 18)),
    "97": (),
    # responses from the library system (ACS)
    "94": (("ok", 1),),
    "98": (
        ("online_status", 1),
        ("checkin_ok", 1),
        ("checkout_ok", 1),
        ("acs_renewal_policy", 1),
        ("status_update_ok", 1),
        ("offline_ok", 1),
        ("timeout_period", 3),
        ("retries_allowed", 3),
        ("date_time_sync", 18),
        ("protocol_version", 4),
    ),
    "24": (("patron_status", 14), ("language", 3), ("transaction_date", 18)),
    "64": (
        ("patron_status", 14),
        ("language", 3),
        ("transaction_date", 18),
        ("hold_items_count", 4),
        ("overdue_items_count", 4),
        ("charged_items_count", 4),
        ("fine_items_count", 4),
        ("recall_items_count", 4),
        ("unavailable_holds_count", 4),
    ),
    "12": (("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1), ("transaction_date", 18)),
    "10": (("ok", 1), ("resensitize", 1), ("magnetic_media", 1), ("alert", 1), ("transaction_date", 18)),
    "30": (("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1), ("transaction_date", 18)),
    "36": (("end_session", 1), ("transaction_date", 18)),
    "18": (("circulation_status", 2), ("security_marker", 2), ("fee_type", 2), ("transaction_date", 18)),
    "16": (("ok", 1), ("available", 1), ("transaction_date", 18)),
    "38": (("payment_accepted", 1), ("transaction_date", 18)),
    "66": (("ok", 1), ("renewed_count", 4), ("unrenewed_count", 4), ("transaction_date", 18)),
    "96": (),
}


class Sip2Error(ValueError):
    """A frame that is not a valid SIP2 message; the server answers with a resend request (96)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Sip2Message:
    code: str
    fixed: dict[str, str] = field(default_factory=dict)
    fields: list[tuple[str, str]] = field(default_factory=list)
    sequence: int | None = None

    def get(self, field_id: str, default: str | None = None) -> str | None:
        for fid, value in self.fields:
            if fid == field_id:
                return value
        return default

    def get_all(self, field_id: str) -> list[str]:
        return [value for fid, value in self.fields if fid == field_id]


def checksum(data: bytes) -> str:
    return f"{(-sum(data)) & 0xFFFF:04X}"


def sip_datetime(moment: datetime) -> str:
    """SIP2 date: YYYYMMDD, four-character zone (blank = local), HHMMSS."""
    return moment.strftime("%Y%m%d") + "    " + moment.strftime("%H%M%S")


def _clean(value: str) -> str:
    # a field value may not hold the delimiter or a line end
    return value.replace("|", "/").replace("\r", " ").replace("\n", " ")


def encode(message: Sip2Message, *, error_detection: bool = True) -> bytes:
    spec = FIXED.get(message.code)
    if spec is None:
        raise Sip2Error(f"unknown message code {message.code}")
    out = [message.code]
    for name, length in spec:
        value = message.fixed.get(name, "")
        if len(value) != length:
            raise Sip2Error(
                f"fixed field {name} of {message.code} must be {length} characters, got {value!r}"
            )
        out.append(value)
    for fid, value in message.fields:
        out.append(f"{fid}{_clean(value)}|")
    text = "".join(out)
    if error_detection:
        text += f"AY{(message.sequence or 0) % 10}AZ"
        text += checksum(text.encode("utf-8"))
    return (text + "\r").encode("utf-8")


def decode(frame: bytes, *, require_checksum: bool = False) -> Sip2Message:
    """Parse one frame (with or without its trailing CR). Anything malformed raises Sip2Error."""
    if len(frame) > MAX_MESSAGE_BYTES:
        raise Sip2Error("frame too long")
    raw = frame.rstrip(b"\r\n")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("latin-1")
        except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes everything
            raise Sip2Error("undecodable frame") from exc
    if any(ord(c) < 0x20 for c in text):
        raise Sip2Error("control characters in frame")
    if len(text) < 2 or not text[:2].isdigit():
        raise Sip2Error("no message code")
    code = text[:2]
    spec = FIXED.get(code)
    if spec is None:
        raise Sip2Error(f"unsupported message code {code}")
    sequence = None
    az = text.rfind("AZ")
    if az != -1 and len(text) - az == 6 and text[az - 3 : az - 1] == "AY":
        expected = checksum(raw[: len(raw) - 4])
        if text[az + 2 :].upper() != expected:
            raise Sip2Error("checksum mismatch")
        if not text[az - 1].isdigit():
            raise Sip2Error("bad sequence number")
        sequence = int(text[az - 1])
        body = text[: az - 3]
    elif require_checksum:
        raise Sip2Error("checksum required")
    else:
        body = text
    position = 2
    fixed: dict[str, str] = {}
    for name, length in spec:
        value = body[position : position + length]
        if len(value) != length:
            raise Sip2Error(f"message {code} too short for fixed field {name}")
        fixed[name] = value
        position += length
    fields: list[tuple[str, str]] = []
    rest = body[position:]
    while rest:
        end = rest.find("|")
        chunk = rest if end == -1 else rest[:end]
        rest = "" if end == -1 else rest[end + 1 :]
        if not chunk:
            continue
        if len(chunk) < 2 or not chunk[:2].isalpha() or not chunk[:2].isupper():
            raise Sip2Error(f"bad field id in {chunk[:10]!r}")
        fields.append((chunk[:2], chunk[2:]))
    return Sip2Message(code, fixed, fields, sequence)
