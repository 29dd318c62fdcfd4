"""Bibliographic records, their match keys, items, e-resources and import jobs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("marc", sa.Text(), nullable=False),
        sa.Column("control_number", sa.String(length=64), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_sort", sa.String(length=255), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("isbns", sa.JSON(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("material_type", sa.String(length=32), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("call_number", sa.String(length=100), nullable=True),
        sa.Column("derived", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=True),
        sa.Column("regional", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("datestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    for column in ("control_number", "title_sort", "year", "language", "material_type", "source"):
        op.create_index(op.f(f"ix_records_{column}"), "records", [column])
    op.create_index(op.f("ix_records_regional"), "records", ["regional"])
    op.create_index(op.f("ix_records_deleted"), "records", ["deleted"])
    op.create_index("ix_records_datestamp_id", "records", ["datestamp", "id"])

    op.create_table(
        "record_identifiers",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_record_identifiers_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", "kind", "value", name=op.f("pk_record_identifiers")),
    )
    op.create_index("ix_record_identifiers_kind_value", "record_identifiers", ["kind", "value"])

    op.create_table(
        "items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("branch_code", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("call_number", sa.String(length=100), nullable=True),
        sa.Column("material_type", sa.String(length=32), nullable=False),
        sa.Column("acquisition_source", sa.String(length=32), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["branch_code"], ["branches.code"], name=op.f("fk_items_branch_code_branches")
        ),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_items_record_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("barcode", name=op.f("uq_items_barcode")),
    )
    op.create_index(op.f("ix_items_record_id"), "items", ["record_id"])
    op.create_index(op.f("ix_items_branch_code"), "items", ["branch_code"])
    op.create_index(op.f("ix_items_status"), "items", ["status"])

    op.create_table(
        "eresources",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("object_key", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("access", sa.String(length=20), nullable=False),
        sa.Column("text_status", sa.String(length=20), nullable=False),
        sa.Column("fulltext", sa.Text(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=200), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_eresources_record_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eresources")),
        sa.UniqueConstraint("object_key", name=op.f("uq_eresources_object_key")),
    )
    op.create_index(op.f("ix_eresources_record_id"), "eresources", ["record_id"])

    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_format", sa.String(length=16), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("dedupe", sa.String(length=16), nullable=False),
        sa.Column("target_branch", sa.String(length=64), nullable=True),
        sa.Column("acquisition_source", sa.String(length=32), nullable=False),
        sa.Column("record_source", sa.String(length=32), nullable=False),
        sa.Column("object_key", sa.String(length=300), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("total_bytes", sa.BigInteger(), nullable=False),
        sa.Column("bytes_read", sa.BigInteger(), nullable=False),
        sa.Column("position_done", sa.Integer(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "records_read",
                "records_stored",
                "records_created",
                "records_replaced",
                "records_merged",
                "records_skipped",
                "records_reported",
                "items_created",
                "warnings",
            )
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_message_en", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )
    op.create_index(op.f("ix_import_jobs_status"), "import_jobs", ["status"])

    op.create_table(
        "import_problems",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=True),
        sa.Column("control_number", sa.String(length=200), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["import_jobs.id"],
            name=op.f("fk_import_problems_job_id_import_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_problems")),
    )
    op.create_index(op.f("ix_import_problems_job_id"), "import_problems", ["job_id"])


def downgrade() -> None:
    for table in ("import_problems", "import_jobs", "eresources", "items", "record_identifiers", "records"):
        op.drop_table(table)
