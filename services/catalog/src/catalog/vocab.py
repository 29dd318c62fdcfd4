"""Small enumerations shared by the models and by code that must not import the database layer
(the import reader's child process)."""

from __future__ import annotations

from enum import StrEnum


class RecordSource(StrEnum):
    """How a record entered the catalogue."""

    IMPORT = "import"
    CATALOGING = "cataloging"
    COPY_CATALOGING = "copy_cataloging"
    LEGAL_DEPOSIT = "legal_deposit"


class IdentifierKind(StrEnum):
    """Keys an incoming record is matched on when de-duplicating (in this order)."""

    CONTROL_NUMBER = "001"  # 001, prefixed by the 003 agency code when present: "DLC|  00000002 "
    SYSTEM_NUMBER = "035"  # 035 $a, e.g. "(OCoLC)12345"
    ISBN = "isbn"  # ISBN-13 (ISBN-10 converted), check digit verified
