"""patrons, items, policies, loans, holds, fines, digital lending, notices, kiosks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('branch_calendars',
    sa.Column('branch', sa.String(length=64), nullable=False),
    sa.Column('closed_weekdays', sa.String(length=13), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('branch', name=op.f('pk_branch_calendars'))
    )
    op.create_table('closures',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('branch', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('libur', 'cuti_bersama', 'cabang')", name=op.f('ck_closures_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures'))
    )
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.create_index('ix_closures_day_branch', ['day', 'branch'], unique=False)

    op.create_table('daily_stats',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('emitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_daily_stats'))
    )
    op.create_table('items',
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('home_branch', sa.String(length=64), nullable=False),
    sa.Column('current_branch', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('material_type', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source_updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('available', 'on_loan', 'in_transit', 'on_hold_shelf', 'lost', 'missing', 'withdrawn')", name=op.f('ck_items_status')),
    sa.PrimaryKeyConstraint('barcode', name=op.f('pk_items'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index('ix_items_branch_status', ['current_branch', 'status'], unique=False)
        batch_op.create_index('ix_items_record_status', ['record_id', 'status'], unique=False)

    op.create_table('licences',
    sa.Column('eresource_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('loan_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('copies >= 0 AND loan_days > 0', name=op.f('ck_licences_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licences')),
    sa.UniqueConstraint('eresource_id', name=op.f('uq_licences_eresource_id'))
    )
    op.create_table('records',
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('source_updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_records'))
    )
    op.create_table('rule_sets',
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('block_overdue_items', sa.Integer(), nullable=False),
    sa.Column('block_unpaid_fines', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=True),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'active', 'retired')", name=op.f('ck_rule_sets_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_sets')),
    sa.UniqueConstraint('version', name=op.f('uq_rule_sets_version'))
    )
    with op.batch_alter_table('rule_sets', schema=None) as batch_op:
        batch_op.create_index('uq_rule_sets_one_active', ['status'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('sip_accounts',
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('branch', sa.String(length=64), nullable=False),
    sa.Column('institution_id', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sip_accounts')),
    sa.UniqueConstraint('login', name=op.f('uq_sip_accounts_login'))
    )
    op.create_table('loan_rules',
    sa.Column('rule_set_id', sa.Uuid(), nullable=False),
    sa.Column('patron_category', sa.String(length=32), nullable=True),
    sa.Column('material_type', sa.String(length=64), nullable=True),
    sa.Column('branch', sa.String(length=64), nullable=True),
    sa.Column('loanable', sa.Boolean(), nullable=False),
    sa.Column('loan_days', sa.Integer(), nullable=False),
    sa.Column('max_loans', sa.Integer(), nullable=False),
    sa.Column('max_loans_of_type', sa.Integer(), nullable=True),
    sa.Column('renewals', sa.Integer(), nullable=False),
    sa.Column('renewal_days', sa.Integer(), nullable=True),
    sa.Column('holds_allowed', sa.Boolean(), nullable=False),
    sa.Column('max_holds', sa.Integer(), nullable=False),
    sa.Column('hold_pickup_days', sa.Integer(), nullable=False),
    sa.Column('fine_per_day', sa.Integer(), nullable=False),
    sa.Column('fine_cap', sa.Integer(), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('fine_per_day >= 0 AND fine_cap >= 0 AND grace_days >= 0', name=op.f('ck_loan_rules_fines')),
    sa.CheckConstraint('loan_days > 0 AND max_loans >= 0 AND renewals >= 0', name=op.f('ck_loan_rules_positive')),
    sa.ForeignKeyConstraint(['rule_set_id'], ['rule_sets.id'], name=op.f('fk_loan_rules_rule_set_id_rule_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_rules'))
    )
    with op.batch_alter_table('loan_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loan_rules_rule_set_id'), ['rule_set_id'], unique=False)

    op.create_table('patrons',
    sa.Column('card_number', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=True),
    sa.Column('nik', sa.String(length=16), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('gender', sa.String(length=1), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('category_code', sa.String(length=32), nullable=False),
    sa.Column('home_branch', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('reading_history', sa.Boolean(), nullable=False),
    sa.Column('pin_hash', sa.String(length=255), nullable=True),
    sa.Column('registered_by', sa.String(length=255), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pseudonym', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("gender IS NULL OR gender IN ('L', 'P')", name=op.f('ck_patrons_gender')),
    sa.CheckConstraint("status IN ('pending', 'active', 'anonymised')", name=op.f('ck_patrons_status')),
    sa.ForeignKeyConstraint(['category_code'], ['patron_categories.code'], name=op.f('fk_patrons_category_code_patron_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrons')),
    sa.UniqueConstraint('card_number', name=op.f('uq_patrons_card_number')),
    sa.UniqueConstraint('nik', name=op.f('uq_patrons_nik')),
    sa.UniqueConstraint('subject', name=op.f('uq_patrons_subject'))
    )
    with op.batch_alter_table('patrons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrons_category_code'), ['category_code'], unique=False)
        batch_op.create_index('ix_patrons_email', ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrons_status'), ['status'], unique=False)

    op.create_table('digital_loans',
    sa.Column('licence_id', sa.Uuid(), nullable=False),
    sa.Column('patron_id', sa.Uuid(), nullable=True),
    sa.Column('borrowed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_reason', sa.String(length=16), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_digital_loans_licence_id_licences')),
    sa.ForeignKeyConstraint(['patron_id'], ['patrons.id'], name=op.f('fk_digital_loans_patron_id_patrons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digital_loans'))
    )
    with op.batch_alter_table('digital_loans', schema=None) as batch_op:
        batch_op.create_index('ix_digital_loans_open_expiry', ['returned_at', 'expires_at'], unique=False)
        batch_op.create_index('uq_digital_loans_open_patron', ['licence_id', 'patron_id'], unique=True, sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))

    op.create_table('digital_waitlist',
    sa.Column('licence_id', sa.Uuid(), nullable=False),
    sa.Column('patron_id', sa.Uuid(), nullable=True),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('loan_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("status IN ('waiting', 'fulfilled', 'cancelled')", name=op.f('ck_digital_waitlist_status')),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_digital_waitlist_licence_id_licences')),
    sa.ForeignKeyConstraint(['patron_id'], ['patrons.id'], name=op.f('fk_digital_waitlist_patron_id_patrons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digital_waitlist'))
    )
    with op.batch_alter_table('digital_waitlist', schema=None) as batch_op:
        batch_op.create_index('ix_digital_waitlist_queue', ['licence_id', 'status', 'placed_at'], unique=False)
        batch_op.create_index('uq_digital_waitlist_waiting', ['licence_id', 'patron_id'], unique=True, sqlite_where=sa.text("status = 'waiting'"), postgresql_where=sa.text("status = 'waiting'"))

    op.create_table('email_verifications',
    sa.Column('patron_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('link_subject', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['patron_id'], ['patrons.id'], name=op.f('fk_email_verifications_patron_id_patrons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_verifications'))
    )
    with op.batch_alter_table('email_verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_verifications_patron_id'), ['patron_id'], unique=False)

    op.create_table('holds',
    sa.Column('patron_id', sa.Uuid(), nullable=True),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('item_barcode', sa.String(length=64), nullable=True),
    sa.Column('pickup_branch', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('trapped_barcode', sa.String(length=64), nullable=True),
    sa.Column('trapped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pickup_deadline', sa.Date(), nullable=True),
    sa.Column('fulfilled_loan_id', sa.Uuid(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.Column('placed_by', sa.String(length=255), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("status IN ('waiting', 'in_transit', 'ready', 'fulfilled', 'cancelled', 'expired')", name=op.f('ck_holds_status')),
    sa.ForeignKeyConstraint(['patron_id'], ['patrons.id'], name=op.f('fk_holds_patron_id_patrons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holds'))
    )
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.create_index('ix_holds_patron_status', ['patron_id', 'status'], unique=False)
        batch_op.create_index('ix_holds_record_queue', ['record_id', 'status', 'placed_at'], unique=False)
        batch_op.create_index('uq_holds_patron_record_active', ['patron_id', 'record_id'], unique=True, sqlite_where=sa.text("status IN ('waiting', 'in_transit', 'ready')"), postgresql_where=sa.text("status IN ('waiting', 'in_transit', 'ready')"))
        batch_op.create_index('uq_holds_trapped_item', ['trapped_barcode'], unique=True, sqlite_where=sa.text("status IN ('in_transit', 'ready')"), postgresql_where=sa.text("status IN ('in_transit', 'ready')"))

    op.create_table('loans',
    sa.Column('patron_id', sa.Uuid(), nullable=True),
    sa.Column('patron_ref', sa.String(length=64), nullable=True),
    sa.Column('patron_category', sa.String(length=32), nullable=False),
    sa.Column('item_barcode', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('material_type', sa.String(length=64), nullable=False),
    sa.Column('branch', sa.String(length=64), nullable=False),
    sa.Column('loaned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('renewals', sa.Integer(), nullable=False),
    sa.Column('last_renewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_branch', sa.String(length=64), nullable=True),
    sa.Column('rule_set_version', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('checked_out_by', sa.String(length=255), nullable=False),
    sa.Column('returned_by', sa.String(length=255), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('renewals >= 0', name=op.f('ck_loans_renewals')),
    sa.ForeignKeyConstraint(['item_barcode'], ['items.barcode'], name=op.f('fk_loans_item_barcode_items')),
    sa.ForeignKeyConstraint(['patron_id'], ['patrons.id'], name=op.f('fk_loans_patron_id_patrons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loans'))
    )
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.create_index('ix_loans_branch_loaned', ['branch', 'loaned_at'], unique=False)
        batch_op.create_index('ix_loans_due_open', ['due_on', 'returned_at'], unique=False)
        batch_op.create_index('ix_loans_patron_open', ['patron_id', 'returned_at'], unique=False)
        batch_op.create_index('ix_loans_record', ['record_id'], unique=False)
        batch_op.create_index('uq_loans_open_item', ['item_barcode'], unique=True, sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))

    op.create_table('notices',
    sa.Column('patron_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('subject_en', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('email_to', sa.String(length=254), nullable=True),
    sa.Column('email_status', sa.String(length=16), nullable=False),
    sa.Column('email_attempts', sa.Integer(), nullable=False),
    sa.Column('email_claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('email_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('email_error', sa.Text(), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("email_status IN ('pending', 'sending', 'sent', 'failed', 'skipped')", name=op.f('ck_notices_email_status')),
    sa.ForeignKeyConstraint(['patron_id'], ['patrons.id'], name=op.f('fk_notices_patron_id_patrons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('kind', 'reference', name='uq_notices_kind_reference')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_email_status', ['email_status'], unique=False)
        batch_op.create_index('ix_notices_patron_created', ['patron_id', 'created_at'], unique=False)

    op.create_table('patron_blocks',
    sa.Column('patron_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_by', sa.String(length=255), nullable=True),
    sa.Column('lift_note', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("kind IN ('manual', 'expired', 'overdue', 'fines')", name=op.f('ck_patron_blocks_kind')),
    sa.ForeignKeyConstraint(['patron_id'], ['patrons.id'], name=op.f('fk_patron_blocks_patron_id_patrons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patron_blocks'))
    )
    with op.batch_alter_table('patron_blocks', schema=None) as batch_op:
        batch_op.create_index('ix_patron_blocks_patron_open', ['patron_id', 'lifted_at'], unique=False)

    op.create_table('payments',
    sa.Column('patron_id', sa.Uuid(), nullable=False),
    sa.Column('receipt_number', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('branch', sa.String(length=64), nullable=True),
    sa.Column('received_by', sa.String(length=255), nullable=False),
    sa.Column('allocations', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['patron_id'], ['patrons.id'], name=op.f('fk_payments_patron_id_patrons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_payments_receipt_number'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_patron_id'), ['patron_id'], unique=False)

    op.create_table('fines',
    sa.Column('patron_id', sa.Uuid(), nullable=False),
    sa.Column('loan_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('paid', sa.Integer(), nullable=False),
    sa.Column('waived', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('branch', sa.String(length=64), nullable=True),
    sa.Column('overdue_days', sa.Integer(), nullable=False),
    sa.Column('chargeable_days', sa.Integer(), nullable=False),
    sa.Column('capped', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'paid', 'waived')", name=op.f('ck_fines_status')),
    sa.CheckConstraint('amount > 0 AND paid >= 0 AND waived >= 0 AND paid + waived <= amount', name=op.f('ck_fines_amounts')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_fines_loan_id_loans')),
    sa.ForeignKeyConstraint(['patron_id'], ['patrons.id'], name=op.f('fk_fines_patron_id_patrons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fines')),
    sa.UniqueConstraint('loan_id', name=op.f('uq_fines_loan_id'))
    )
    with op.batch_alter_table('fines', schema=None) as batch_op:
        batch_op.create_index('ix_fines_patron_status', ['patron_id', 'status'], unique=False)

    op.create_table('transits',
    sa.Column('item_barcode', sa.String(length=64), nullable=False),
    sa.Column('from_branch', sa.String(length=64), nullable=False),
    sa.Column('to_branch', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=8), nullable=False),
    sa.Column('hold_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_by', sa.String(length=255), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("reason IN ('hold', 'home')", name=op.f('ck_transits_reason')),
    sa.CheckConstraint("status IN ('open', 'received', 'cancelled')", name=op.f('ck_transits_status')),
    sa.ForeignKeyConstraint(['hold_id'], ['holds.id'], name=op.f('fk_transits_hold_id_holds')),
    sa.ForeignKeyConstraint(['item_barcode'], ['items.barcode'], name=op.f('fk_transits_item_barcode_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transits'))
    )
    with op.batch_alter_table('transits', schema=None) as batch_op:
        batch_op.create_index('ix_transits_to_status', ['to_branch', 'status'], unique=False)
        batch_op.create_index('uq_transits_open_item', ['item_barcode'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('waivers',
    sa.Column('fine_id', sa.Uuid(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('waived_by', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['fine_id'], ['fines.id'], name=op.f('fk_waivers_fine_id_fines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waivers'))
    )
    with op.batch_alter_table('waivers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waivers_fine_id'), ['fine_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('waivers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waivers_fine_id'))

    op.drop_table('waivers')
    with op.batch_alter_table('transits', schema=None) as batch_op:
        batch_op.drop_index('uq_transits_open_item', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index('ix_transits_to_status')

    op.drop_table('transits')
    with op.batch_alter_table('fines', schema=None) as batch_op:
        batch_op.drop_index('ix_fines_patron_status')

    op.drop_table('fines')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_patron_id'))

    op.drop_table('payments')
    with op.batch_alter_table('patron_blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_patron_blocks_patron_open')

    op.drop_table('patron_blocks')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notices_patron_created')
        batch_op.drop_index('ix_notices_email_status')

    op.drop_table('notices')
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index('uq_loans_open_item', sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))
        batch_op.drop_index('ix_loans_record')
        batch_op.drop_index('ix_loans_patron_open')
        batch_op.drop_index('ix_loans_due_open')
        batch_op.drop_index('ix_loans_branch_loaned')

    op.drop_table('loans')
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.drop_index('uq_holds_trapped_item', sqlite_where=sa.text("status IN ('in_transit', 'ready')"), postgresql_where=sa.text("status IN ('in_transit', 'ready')"))
        batch_op.drop_index('uq_holds_patron_record_active', sqlite_where=sa.text("status IN ('waiting', 'in_transit', 'ready')"), postgresql_where=sa.text("status IN ('waiting', 'in_transit', 'ready')"))
        batch_op.drop_index('ix_holds_record_queue')
        batch_op.drop_index('ix_holds_patron_status')

    op.drop_table('holds')
    with op.batch_alter_table('email_verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_verifications_patron_id'))

    op.drop_table('email_verifications')
    with op.batch_alter_table('digital_waitlist', schema=None) as batch_op:
        batch_op.drop_index('uq_digital_waitlist_waiting', sqlite_where=sa.text("status = 'waiting'"), postgresql_where=sa.text("status = 'waiting'"))
        batch_op.drop_index('ix_digital_waitlist_queue')

    op.drop_table('digital_waitlist')
    with op.batch_alter_table('digital_loans', schema=None) as batch_op:
        batch_op.drop_index('uq_digital_loans_open_patron', sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))
        batch_op.drop_index('ix_digital_loans_open_expiry')

    op.drop_table('digital_loans')
    with op.batch_alter_table('patrons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrons_status'))
        batch_op.drop_index('ix_patrons_email')
        batch_op.drop_index(batch_op.f('ix_patrons_category_code'))

    op.drop_table('patrons')
    with op.batch_alter_table('loan_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loan_rules_rule_set_id'))

    op.drop_table('loan_rules')
    op.drop_table('sip_accounts')
    with op.batch_alter_table('rule_sets', schema=None) as batch_op:
        batch_op.drop_index('uq_rule_sets_one_active', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.drop_table('rule_sets')
    op.drop_table('records')
    op.drop_table('licences')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_record_status')
        batch_op.drop_index('ix_items_branch_status')

    op.drop_table('items')
    op.drop_table('daily_stats')
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_index('ix_closures_day_branch')

    op.drop_table('closures')
    op.drop_table('branch_calendars')
