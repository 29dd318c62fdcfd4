"""registry, guidance, instruments, assessments, literacy

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 20:51:45.663586
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('circulation_branches',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('city', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_circulation_branches'))
    )
    op.create_table('circulation_daily_stats',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('branch', sa.String(length=64), nullable=False),
    sa.Column('city', sa.String(length=40), nullable=True),
    sa.Column('active_members', sa.Integer(), nullable=True),
    sa.Column('visits', sa.Integer(), nullable=True),
    sa.Column('loans', sa.Integer(), nullable=True),
    sa.Column('titles_loaned', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Uuid(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circulation_daily_stats')),
    sa.UniqueConstraint('day', 'branch', name=op.f('uq_circulation_daily_stats_day'))
    )
    with op.batch_alter_table('circulation_daily_stats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circulation_daily_stats_city'), ['city'], unique=False)
        batch_op.create_index(batch_op.f('ix_circulation_daily_stats_day'), ['day'], unique=False)

    op.create_table('city_populations',
    sa.Column('city', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_populations')),
    sa.UniqueConstraint('city', 'year', name=op.f('uq_city_populations_city'))
    )
    with op.batch_alter_table('city_populations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_city_populations_year'), ['year'], unique=False)

    op.create_table('guidance_activities',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('segment', sa.String(length=40), nullable=True),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('city', sa.String(length=40), nullable=True),
    sa.Column('venue', sa.String(length=300), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registration_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('organizer', sa.String(length=200), nullable=True),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_activities'))
    )
    with op.batch_alter_table('guidance_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guidance_activities_city'), ['city'], unique=False)
        batch_op.create_index(batch_op.f('ix_guidance_activities_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_guidance_activities_segment'), ['segment'], unique=False)
        batch_op.create_index(batch_op.f('ix_guidance_activities_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_guidance_activities_status'), ['status'], unique=False)

    op.create_table('instruments',
    sa.Column('library_type', sa.String(length=32), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('weights_published', sa.Boolean(), nullable=False),
    sa.Column('weights_note', sa.Text(), nullable=True),
    sa.Column('bands', sa.JSON(), nullable=False),
    sa.Column('bands_note', sa.Text(), nullable=True),
    sa.Column('validity_years', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instruments')),
    sa.UniqueConstraint('library_type', 'version', name=op.f('uq_instruments_library_type'))
    )
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instruments_library_type'), ['library_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_instruments_status'), ['status'], unique=False)

    op.create_table('iplm_inputs',
    sa.Column('city', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('element', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_iplm_inputs')),
    sa.UniqueConstraint('city', 'year', 'element', name=op.f('uq_iplm_inputs_city'))
    )
    with op.batch_alter_table('iplm_inputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_iplm_inputs_year'), ['year'], unique=False)

    op.create_table('iplm_models',
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('elements', sa.JSON(), nullable=False),
    sa.Column('bands', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_iplm_models')),
    sa.UniqueConstraint('version', name=op.f('uq_iplm_models_version'))
    )
    op.create_table('iplm_results',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.Column('model_version', sa.String(length=32), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('ratios', sa.JSON(), nullable=False),
    sa.Column('index', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('band', sa.String(length=100), nullable=False),
    sa.Column('band_en', sa.String(length=100), nullable=False),
    sa.Column('computed_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_iplm_results')),
    sa.UniqueConstraint('year', 'area', 'model_version', name=op.f('uq_iplm_results_year'))
    )
    with op.batch_alter_table('iplm_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_iplm_results_year'), ['year'], unique=False)

    op.create_table('tgm_models',
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('normalisers', sa.JSON(), nullable=False),
    sa.Column('bands', sa.JSON(), nullable=False),
    sa.Column('age_min', sa.Integer(), nullable=False),
    sa.Column('age_max', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tgm_models')),
    sa.UniqueConstraint('version', name=op.f('uq_tgm_models_version'))
    )
    op.create_table('assessments',
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('library_id', sa.Uuid(), nullable=False),
    sa.Column('instrument_id', sa.Uuid(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by', sa.String(length=200), nullable=True),
    sa.Column('assessor', sa.String(length=200), nullable=True),
    sa.Column('visit_date', sa.Date(), nullable=True),
    sa.Column('visited_by', sa.String(length=200), nullable=True),
    sa.Column('graded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('total', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('grade', sa.String(length=32), nullable=True),
    sa.Column('grade_label', sa.String(length=200), nullable=True),
    sa.Column('grade_label_en', sa.String(length=200), nullable=True),
    sa.Column('component_scores', sa.JSON(), nullable=True),
    sa.Column('certificate_number', sa.String(length=100), nullable=True),
    sa.Column('certified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('certified_by', sa.String(length=200), nullable=True),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_assessments_instrument_id_instruments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_assessments_library_id_libraries'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('certificate_number', name=op.f('uq_assessments_certificate_number')),
    sa.UniqueConstraint('number', name=op.f('uq_assessments_number'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_grade'), ['grade'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_library_id'), ['library_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_mode'), ['mode'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_year'), ['year'], unique=False)

    op.create_table('guidance_materials',
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('object_key', sa.String(length=500), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['guidance_activities.id'], name=op.f('fk_guidance_materials_activity_id_guidance_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_materials')),
    sa.UniqueConstraint('object_key', name=op.f('uq_guidance_materials_object_key'))
    )
    with op.batch_alter_table('guidance_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guidance_materials_activity_id'), ['activity_id'], unique=False)

    op.create_table('instrument_components',
    sa.Column('instrument_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('weight', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_instrument_components_instrument_id_instruments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instrument_components')),
    sa.UniqueConstraint('instrument_id', 'code', name=op.f('uq_instrument_components_instrument_id'))
    )
    with op.batch_alter_table('instrument_components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instrument_components_instrument_id'), ['instrument_id'], unique=False)

    op.create_table('library_staff',
    sa.Column('library_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('employment', sa.String(length=40), nullable=True),
    sa.Column('education', sa.String(length=200), nullable=True),
    sa.Column('library_science', sa.Boolean(), nullable=False),
    sa.Column('certification_status', sa.String(length=20), nullable=False),
    sa.Column('certification_number', sa.String(length=100), nullable=True),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.Column('certified_until', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_library_staff_library_id_libraries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_staff'))
    )
    with op.batch_alter_table('library_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_staff_library_id'), ['library_id'], unique=False)

    op.create_table('refresh_reminders',
    sa.Column('library_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_refresh_reminders_library_id_libraries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_reminders')),
    sa.UniqueConstraint('library_id', 'year', name=op.f('uq_refresh_reminders_library_id'))
    )
    op.create_table('tgm_surveys',
    sa.Column('city', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['model_version'], ['tgm_models.version'], name=op.f('fk_tgm_surveys_model_version_tgm_models'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tgm_surveys')),
    sa.UniqueConstraint('city', 'year', name=op.f('uq_tgm_surveys_city'))
    )
    with op.batch_alter_table('tgm_surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tgm_surveys_city'), ['city'], unique=False)
        batch_op.create_index(batch_op.f('ix_tgm_surveys_year'), ['year'], unique=False)

    op.create_table('accreditation_records',
    sa.Column('library_id', sa.Uuid(), nullable=False),
    sa.Column('assessment_id', sa.Uuid(), nullable=True),
    sa.Column('grade', sa.String(length=32), nullable=False),
    sa.Column('total', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('certificate_number', sa.String(length=100), nullable=True),
    sa.Column('accredited_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('issuer', sa.String(length=200), nullable=True),
    sa.Column('instrument_version', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_accreditation_records_assessment_id_assessments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_accreditation_records_library_id_libraries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditation_records')),
    sa.UniqueConstraint('assessment_id', name=op.f('uq_accreditation_records_assessment_id'))
    )
    with op.batch_alter_table('accreditation_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accreditation_records_library_id'), ['library_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accreditation_records_valid_until'), ['valid_until'], unique=False)

    op.create_table('assessment_answers',
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('indicator_code', sa.String(length=40), nullable=False),
    sa.Column('self_option', sa.String(length=1), nullable=True),
    sa.Column('self_note', sa.Text(), nullable=True),
    sa.Column('assessor_option', sa.String(length=1), nullable=True),
    sa.Column('assessor_note', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_answers_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_answers')),
    sa.UniqueConstraint('assessment_id', 'indicator_code', name=op.f('uq_assessment_answers_assessment_id'))
    )
    with op.batch_alter_table('assessment_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_answers_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('assessment_evidence',
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('indicator_code', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('object_key', sa.String(length=500), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_evidence_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_evidence')),
    sa.UniqueConstraint('object_key', name=op.f('uq_assessment_evidence_object_key'))
    )
    with op.batch_alter_table('assessment_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_evidence_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('assessment_steps',
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_steps_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_steps'))
    )
    with op.batch_alter_table('assessment_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_steps_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('guidance_registrations',
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('library_id', sa.Uuid(), nullable=True),
    sa.Column('staff_id', sa.Uuid(), nullable=True),
    sa.Column('participant_name', sa.String(length=200), nullable=False),
    sa.Column('participant_email', sa.String(length=200), nullable=True),
    sa.Column('participant_phone', sa.String(length=40), nullable=True),
    sa.Column('participant_position', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('attended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registered_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['guidance_activities.id'], name=op.f('fk_guidance_registrations_activity_id_guidance_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['library_id'], ['libraries.id'], name=op.f('fk_guidance_registrations_library_id_libraries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_id'], ['library_staff.id'], name=op.f('fk_guidance_registrations_staff_id_library_staff'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_registrations'))
    )
    with op.batch_alter_table('guidance_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guidance_registrations_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guidance_registrations_library_id'), ['library_id'], unique=False)

    op.create_table('instrument_indicators',
    sa.Column('instrument_id', sa.Uuid(), nullable=False),
    sa.Column('component_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('evidence_required', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['instrument_components.id'], name=op.f('fk_instrument_indicators_component_id_instrument_components'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_instrument_indicators_instrument_id_instruments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instrument_indicators')),
    sa.UniqueConstraint('instrument_id', 'code', name=op.f('uq_instrument_indicators_instrument_id'))
    )
    with op.batch_alter_table('instrument_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instrument_indicators_component_id'), ['component_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instrument_indicators_instrument_id'), ['instrument_id'], unique=False)

    op.create_table('tgm_responses',
    sa.Column('survey_id', sa.Uuid(), nullable=False),
    sa.Column('respondent', sa.String(length=64), nullable=False),
    sa.Column('age', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('reading_frequency', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('reading_minutes', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('items_per_quarter', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('internet_frequency', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('internet_minutes', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('entered_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['tgm_surveys.id'], name=op.f('fk_tgm_responses_survey_id_tgm_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tgm_responses')),
    sa.UniqueConstraint('survey_id', 'respondent', name=op.f('uq_tgm_responses_survey_id'))
    )
    with op.batch_alter_table('tgm_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tgm_responses_survey_id'), ['survey_id'], unique=False)

    with op.batch_alter_table('libraries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('segment', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('district', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('village', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('head_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('collection_titles', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('opening_hours', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('data_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_libraries_segment'), ['segment'], unique=False)
        batch_op.create_check_constraint('collection_titles_non_negative', 'collection_titles >= 0')


def downgrade() -> None:
    with op.batch_alter_table('libraries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_libraries_collection_titles_non_negative'), type_='check')
        batch_op.drop_index(batch_op.f('ix_libraries_segment'))
        batch_op.drop_column('data_confirmed_at')
        batch_op.drop_column('opening_hours')
        batch_op.drop_column('collection_titles')
        batch_op.drop_column('head_name')
        batch_op.drop_column('email')
        batch_op.drop_column('phone')
        batch_op.drop_column('village')
        batch_op.drop_column('district')
        batch_op.drop_column('segment')

    with op.batch_alter_table('tgm_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tgm_responses_survey_id'))

    op.drop_table('tgm_responses')
    with op.batch_alter_table('instrument_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instrument_indicators_instrument_id'))
        batch_op.drop_index(batch_op.f('ix_instrument_indicators_component_id'))

    op.drop_table('instrument_indicators')
    with op.batch_alter_table('guidance_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guidance_registrations_library_id'))
        batch_op.drop_index(batch_op.f('ix_guidance_registrations_activity_id'))

    op.drop_table('guidance_registrations')
    with op.batch_alter_table('assessment_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_steps_assessment_id'))

    op.drop_table('assessment_steps')
    with op.batch_alter_table('assessment_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_evidence_assessment_id'))

    op.drop_table('assessment_evidence')
    with op.batch_alter_table('assessment_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_answers_assessment_id'))

    op.drop_table('assessment_answers')
    with op.batch_alter_table('accreditation_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accreditation_records_valid_until'))
        batch_op.drop_index(batch_op.f('ix_accreditation_records_library_id'))

    op.drop_table('accreditation_records')
    with op.batch_alter_table('tgm_surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tgm_surveys_year'))
        batch_op.drop_index(batch_op.f('ix_tgm_surveys_city'))

    op.drop_table('tgm_surveys')
    op.drop_table('refresh_reminders')
    with op.batch_alter_table('library_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_staff_library_id'))

    op.drop_table('library_staff')
    with op.batch_alter_table('instrument_components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instrument_components_instrument_id'))

    op.drop_table('instrument_components')
    with op.batch_alter_table('guidance_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guidance_materials_activity_id'))

    op.drop_table('guidance_materials')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_year'))
        batch_op.drop_index(batch_op.f('ix_assessments_status'))
        batch_op.drop_index(batch_op.f('ix_assessments_mode'))
        batch_op.drop_index(batch_op.f('ix_assessments_library_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_instrument_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_grade'))

    op.drop_table('assessments')
    op.drop_table('tgm_models')
    with op.batch_alter_table('iplm_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_iplm_results_year'))

    op.drop_table('iplm_results')
    op.drop_table('iplm_models')
    with op.batch_alter_table('iplm_inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_iplm_inputs_year'))

    op.drop_table('iplm_inputs')
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instruments_status'))
        batch_op.drop_index(batch_op.f('ix_instruments_library_type'))

    op.drop_table('instruments')
    with op.batch_alter_table('guidance_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guidance_activities_status'))
        batch_op.drop_index(batch_op.f('ix_guidance_activities_starts_at'))
        batch_op.drop_index(batch_op.f('ix_guidance_activities_segment'))
        batch_op.drop_index(batch_op.f('ix_guidance_activities_level'))
        batch_op.drop_index(batch_op.f('ix_guidance_activities_city'))

    op.drop_table('guidance_activities')
    with op.batch_alter_table('city_populations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_city_populations_year'))

    op.drop_table('city_populations')
    with op.batch_alter_table('circulation_daily_stats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circulation_daily_stats_day'))
        batch_op.drop_index(batch_op.f('ix_circulation_daily_stats_city'))

    op.drop_table('circulation_daily_stats')
    op.drop_table('circulation_branches')

