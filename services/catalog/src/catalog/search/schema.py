"""The catalogue's one search index: ``catalog_records``, one document per live record."""

from __future__ import annotations

from pusip_kit.search import FacetRange, FieldSpec, FieldType, IndexSchema

F = FieldType

CATALOG_SCHEMA = IndexSchema(
    name="catalog_records",
    id_field="id",
    fields=(
        FieldSpec(name="id", type=F.KEYWORD),
        FieldSpec(name="title", type=F.TEXT, autocomplete=True, boost=3.0),
        FieldSpec(name="authors", type=F.TEXT, multi=True, autocomplete=True, boost=2.0),
        FieldSpec(name="subjects", type=F.TEXT, multi=True, autocomplete=True, facet=True, boost=1.5),
        FieldSpec(name="isbns", type=F.KEYWORD, multi=True),
        FieldSpec(name="issns", type=F.KEYWORD, multi=True),
        FieldSpec(name="publisher", type=F.TEXT),
        FieldSpec(name="call_number", type=F.KEYWORD),
        FieldSpec(name="control_number", type=F.KEYWORD),
        FieldSpec(name="year", type=F.INTEGER, sortable=True),
        FieldSpec(name="language", type=F.KEYWORD, facet=True),
        FieldSpec(name="material_type", type=F.KEYWORD, facet=True),
        FieldSpec(name="branches", type=F.KEYWORD, multi=True, facet=True),
        FieldSpec(name="available_branches", type=F.KEYWORD, multi=True),  # a filter, never a facet
        FieldSpec(name="available", type=F.BOOLEAN, facet=True),
        FieldSpec(name="title_sort", type=F.KEYWORD, sortable=True),
        FieldSpec(name="series", type=F.TEXT, multi=True),
        FieldSpec(name="edition", type=F.TEXT),
        FieldSpec(name="summary", type=F.TEXT),
        # e-resource text, one field per audience (see ``catalog.search.audience``)
        FieldSpec(name="fulltext", type=F.TEXT),  # public files
        FieldSpec(name="fulltext_members", type=F.TEXT),  # members-only files
        FieldSpec(name="fulltext_staff", type=F.TEXT),  # on-site and restricted files
        FieldSpec(name="holdings", type=F.STORED_ONLY),
        FieldSpec(name="eresources", type=F.STORED_ONLY),
    ),
    multi_key_sort=False,  # the OPAC sorts by one key; Tantivy then needs no sort proxy columns
    aliases={
        "judul": "title",
        "pengarang": "authors",
        "author": "authors",
        "subjek": "subjects",
        "subject": "subjects",
        "penerbit": "publisher",
        "isbn": "isbns",
        "issn": "issns",
        "seri": "series",
        "teks": "fulltext",
    },
)

TEXT_SEARCH_FIELDS = ("title", "authors", "subjects", "publisher", "series", "edition", "summary", "fulltext")

YEAR_RANGES: tuple[FacetRange, ...] = (
    FacetRange(key="<1900", lt=1900),
    FacetRange(key="1900-1944", gte=1900, lt=1945),
    FacetRange(key="1945-1969", gte=1945, lt=1970),
    FacetRange(key="1970-1989", gte=1970, lt=1990),
    FacetRange(key="1990-1999", gte=1990, lt=2000),
    FacetRange(key="2000-2009", gte=2000, lt=2010),
    FacetRange(key="2010-2019", gte=2010, lt=2020),
    FacetRange(key="2020-", gte=2020),
)
