"""Records classification codes.

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
        "classification_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("scheme_version", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["classification_codes.code"],
            name=op.f("fk_classification_codes_parent_code_classification_codes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classification_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_classification_codes_code")),
    )
    op.create_index(op.f("ix_classification_codes_parent_code"), "classification_codes", ["parent_code"])
    op.create_index(op.f("ix_classification_codes_level"), "classification_codes", ["level"])
    op.create_index(op.f("ix_classification_codes_scheme_version"), "classification_codes", ["scheme_version"])


def downgrade() -> None:
    op.drop_table("classification_codes")
