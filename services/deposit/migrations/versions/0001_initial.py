"""Depositors and their ISBN/ISMN prefixes.

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
        "depositors",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_identity_kind", sa.String(length=16), nullable=False),
        sa.Column("legal_identity_number", sa.String(length=120), nullable=False),
        sa.Column("domicile_province", sa.String(length=100), nullable=False),
        sa.Column("domicile_city", sa.String(length=100), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner_subject", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_depositors")),
        sa.UniqueConstraint(
            "legal_identity_kind", "legal_identity_number", name=op.f("uq_depositors_legal_identity")
        ),
    )
    op.create_index(op.f("ix_depositors_type"), "depositors", ["type"])
    op.create_index(op.f("ix_depositors_name"), "depositors", ["name"])
    op.create_index(op.f("ix_depositors_domicile_province"), "depositors", ["domicile_province"])
    op.create_index(op.f("ix_depositors_status"), "depositors", ["status"])
    op.create_index(op.f("ix_depositors_owner_subject"), "depositors", ["owner_subject"])
    op.create_table(
        "depositor_prefixes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("depositor_id", sa.Uuid(), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("text", sa.String(length=32), nullable=False),
        sa.Column("digits", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["depositor_id"],
            ["depositors.id"],
            name=op.f("fk_depositor_prefixes_depositor_id_depositors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_depositor_prefixes")),
        sa.UniqueConstraint("digits", name=op.f("uq_depositor_prefixes_digits")),
    )
    op.create_index(op.f("ix_depositor_prefixes_depositor_id"), "depositor_prefixes", ["depositor_id"])


def downgrade() -> None:
    op.drop_table("depositor_prefixes")
    op.drop_table("depositors")
