"""The archive records search index: descriptive fields, full text and the policy fields."""

from __future__ import annotations

from archive.access.search import POLICY_FIELDS
from pusip_kit.search import FieldSpec, FieldType, IndexSchema

ARCHIVE_SCHEMA = IndexSchema(
    name="archive_records",
    fields=(
        FieldSpec(name="id", type=FieldType.KEYWORD),
        FieldSpec(name="title", type=FieldType.TEXT, boost=3.0),
        FieldSpec(name="description", type=FieldType.TEXT, boost=1.5),
        FieldSpec(name="fulltext", type=FieldType.TEXT, stored=False),
        FieldSpec(name="reference_number", type=FieldType.KEYWORD),
        FieldSpec(name="classification_code", type=FieldType.KEYWORD, facet=True),
        FieldSpec(name="status", type=FieldType.KEYWORD, facet=True),
        FieldSpec(name="kind", type=FieldType.KEYWORD, facet=True),  # dinamis | statis
        FieldSpec(name="record_date", type=FieldType.DATE, sortable=True),
        FieldSpec(name="year", type=FieldType.INTEGER, facet=True),
        *POLICY_FIELDS,
    ),
    aliases={"judul": "title", "nomor": "reference_number", "kode": "classification_code", "isi": "fulltext"},
)
