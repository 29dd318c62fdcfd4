"""announcements, visits, patron photos, record authors and year

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('announcements',
    sa.Column('branch_code', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_announcements_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index('ix_announcements_branch_window', ['branch_code', 'starts_on', 'ends_on'], unique=False)

    op.create_table('visits',
    sa.Column('branch', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('patron_ref', sa.String(length=64), nullable=True),
    sa.Column('patron_category', sa.String(length=32), nullable=True),
    sa.Column('visitors', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=255), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('visitors >= 1', name=op.f('ck_visits_visitors')),
    sa.CheckConstraint("source IN ('gate', 'counter', 'kiosk')", name=op.f('ck_visits_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_day_branch', ['day', 'branch'], unique=False)
        batch_op.create_index(
            'uq_visits_patron_day', ['branch', 'day', 'patron_ref'], unique=True,
            sqlite_where=sa.text('patron_ref IS NOT NULL'), postgresql_where=sa.text('patron_ref IS NOT NULL'),
        )

    with op.batch_alter_table('patrons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_type', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('photo_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('photo_updated_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authors', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('year', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_column('year')
        batch_op.drop_column('authors')
    with op.batch_alter_table('patrons', schema=None) as batch_op:
        batch_op.drop_column('photo_updated_at')
        batch_op.drop_column('photo_sha256')
        batch_op.drop_column('photo_type')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('uq_visits_patron_day')
        batch_op.drop_index('ix_visits_day_branch')
    op.drop_table('visits')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index('ix_announcements_branch_window')
    op.drop_table('announcements')
