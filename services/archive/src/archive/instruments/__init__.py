"""Records-management instruments as data: classification scheme, JRA retention, SKKAAD security."""

from archive.instruments.parse import (
    CodeEntry,
    Disposition,
    ImportProblem,
    InstrumentImport,
    Retention,
    parse_disposition,
    parse_retention,
    parse_security,
)
from archive.instruments.readers import merge, read_opensid_csv, read_simpel_sql, read_tvri_jra_json

__all__ = [
    "CodeEntry",
    "Disposition",
    "ImportProblem",
    "InstrumentImport",
    "Retention",
    "merge",
    "parse_disposition",
    "parse_retention",
    "parse_security",
    "read_opensid_csv",
    "read_simpel_sql",
    "read_tvri_jra_json",
]
