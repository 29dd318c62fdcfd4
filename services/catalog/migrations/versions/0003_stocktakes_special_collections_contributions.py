"""Stock-taking sessions, special collections with digitised documents, reviews and reading lists.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "stocktakes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("branch_code", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("misplaced", sa.Integer(), nullable=False),
        sa.Column("unexpected", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("missing", sa.Integer(), nullable=True),
        sa.Column("statuses_updated", sa.Boolean(), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["branch_code"], ["branches.code"], name=op.f("fk_stocktakes_branch_code_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktakes")),
        sa.UniqueConstraint("number", name=op.f("uq_stocktakes_number")),
    )
    op.create_index(op.f("ix_stocktakes_branch_code"), "stocktakes", ["branch_code"])
    op.create_index(op.f("ix_stocktakes_status"), "stocktakes", ["status"])

    op.create_table(
        "stocktake_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("stocktake_id", sa.Uuid(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("call_number", sa.String(length=100), nullable=True),
        sa.Column("item_branch", sa.String(length=64), nullable=True),
        sa.Column("item_location", sa.String(length=100), nullable=True),
        sa.Column("item_status", sa.String(length=32), nullable=True),
        sa.Column("scan_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("first_scanned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_scanned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scanned_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["stocktake_id"],
            ["stocktakes.id"],
            name=op.f("fk_stocktake_entries_stocktake_id_stocktakes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktake_entries")),
        sa.UniqueConstraint("stocktake_id", "barcode", name=op.f("uq_stocktake_entries_stocktake_id")),
    )
    op.create_index(op.f("ix_stocktake_entries_stocktake_id"), "stocktake_entries", ["stocktake_id"])
    op.create_index(op.f("ix_stocktake_entries_result"), "stocktake_entries", ["result"])

    op.create_table(
        "special_collections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("curator_branch", sa.String(length=64), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["curator_branch"], ["branches.code"], name=op.f("fk_special_collections_curator_branch_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_special_collections")),
        sa.UniqueConstraint("code", name=op.f("uq_special_collections_code")),
    )
    op.create_index(op.f("ix_special_collections_curator_branch"), "special_collections", ["curator_branch"])
    op.create_index(op.f("ix_special_collections_public"), "special_collections", ["public"])

    op.create_table(
        "special_collection_records",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_by", sa.String(length=200), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["special_collections.id"],
            name=op.f("fk_special_collection_records_collection_id_special_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_special_collection_records_record_id_records")
        ),
        sa.PrimaryKeyConstraint("collection_id", "record_id", name=op.f("pk_special_collection_records")),
    )
    op.create_index(
        op.f("ix_special_collection_records_record_id"), "special_collection_records", ["record_id"]
    )

    op.create_table(
        "digitised_documents",
        sa.Column("eresource_id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("conservation_status", sa.String(length=32), nullable=False),
        sa.Column("access_condition", sa.String(length=16), nullable=False),
        sa.Column("original_description", sa.Text(), nullable=True),
        sa.Column("digitised_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["eresource_id"],
            ["eresources.id"],
            name=op.f("fk_digitised_documents_eresource_id_eresources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["special_collections.id"],
            name=op.f("fk_digitised_documents_collection_id_special_collections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("eresource_id", name=op.f("pk_digitised_documents")),
    )
    op.create_index(op.f("ix_digitised_documents_collection_id"), "digitised_documents", ["collection_id"])
    op.create_index(
        op.f("ix_digitised_documents_conservation_status"), "digitised_documents", ["conservation_status"]
    )

    op.create_table(
        "reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("author_subject", sa.String(length=200), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("moderated_by", sa.String(length=200), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderation_reason", sa.Text(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_reviews_record_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("record_id", "author_subject", name=op.f("uq_reviews_record_id")),
    )
    op.create_index(op.f("ix_reviews_record_id"), "reviews", ["record_id"])
    op.create_index(op.f("ix_reviews_author_subject"), "reviews", ["author_subject"])
    op.create_index(op.f("ix_reviews_status"), "reviews", ["status"])

    op.create_table(
        "reading_lists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_subject", sa.String(length=200), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_lists")),
    )
    op.create_index(op.f("ix_reading_lists_owner_subject"), "reading_lists", ["owner_subject"])
    op.create_index(op.f("ix_reading_lists_public"), "reading_lists", ["public"])

    op.create_table(
        "reading_list_entries",
        sa.Column("list_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["reading_lists.id"],
            name=op.f("fk_reading_list_entries_list_id_reading_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_reading_list_entries_record_id_records")
        ),
        sa.PrimaryKeyConstraint("list_id", "record_id", name=op.f("pk_reading_list_entries")),
    )
    op.create_index(op.f("ix_reading_list_entries_record_id"), "reading_list_entries", ["record_id"])


def downgrade() -> None:
    for table in (
        "reading_list_entries",
        "reading_lists",
        "reviews",
        "digitised_documents",
        "special_collection_records",
        "special_collections",
        "stocktake_entries",
        "stocktakes",
    ):
        op.drop_table(table)
