"""Libraries under guidance and accreditation.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "libraries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("npp", sa.String(length=32), nullable=True),
        sa.Column("owner_agency", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=40), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("collection_size", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "collection_size >= 0", name=op.f("ck_libraries_collection_size_non_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_libraries")),
        sa.UniqueConstraint("code", name=op.f("uq_libraries_code")),
        sa.UniqueConstraint("npp", name=op.f("uq_libraries_npp")),
    )
    op.create_index(op.f("ix_libraries_name"), "libraries", ["name"])
    op.create_index(op.f("ix_libraries_type"), "libraries", ["type"])
    op.create_index(op.f("ix_libraries_city"), "libraries", ["city"])
    op.create_index(op.f("ix_libraries_active"), "libraries", ["active"])


def downgrade() -> None:
    op.drop_table("libraries")
