"""Obligations, deposits, warnings, rules as data (seeded with PP 55/2021), accounts, reminders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 20:50:26.130332
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("deposit_id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("reader_name", sa.String(length=200), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("watermarked", sa.Boolean(), nullable=False),
        sa.Column("pages", sa.String(length=40), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index(op.f("ix_access_log_at"), "access_log", ["at"])
    op.create_index(op.f("ix_access_log_deposit_id"), "access_log", ["deposit_id"])
    op.create_index(op.f("ix_access_log_file_id"), "access_log", ["file_id"])
    op.create_index(op.f("ix_access_log_subject"), "access_log", ["subject"])

    op.create_table(
        "rule_versions",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("printed_months", sa.Integer(), nullable=False),
        sa.Column("printed_copies", sa.Integer(), nullable=False),
        sa.Column("recorded_months", sa.Integer(), nullable=False),
        sa.Column("recorded_copies", sa.Integer(), nullable=False),
        sa.Column("appreciation_min_due", sa.Integer(), nullable=False),
        sa.Column("appreciation_min_rate", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("appreciation_min_on_time_rate", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_versions")),
        sa.UniqueConstraint("code", name=op.f("uq_rule_versions_code")),
        sa.UniqueConstraint("valid_from", name=op.f("uq_rule_versions_valid_from")),
    )
    op.create_table(
        "sequences",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "year", name=op.f("pk_sequences")),
    )
    op.create_table(
        "depositor_accounts",
        sa.Column("depositor_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("linked_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["depositor_id"],
            ["depositors.id"],
            name=op.f("fk_depositor_accounts_depositor_id_depositors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_depositor_accounts")),
        sa.UniqueConstraint("depositor_id", "subject", name="uq_depositor_accounts_subject"),
        sa.UniqueConstraint("depositor_id", "username", name="uq_depositor_accounts_username"),
    )
    op.create_index(op.f("ix_depositor_accounts_depositor_id"), "depositor_accounts", ["depositor_id"])
    op.create_index(op.f("ix_depositor_accounts_subject"), "depositor_accounts", ["subject"])
    op.create_index(op.f("ix_depositor_accounts_username"), "depositor_accounts", ["username"])

    op.create_table(
        "history",
        sa.Column("depositor_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["depositor_id"],
            ["depositors.id"],
            name=op.f("fk_history_depositor_id_depositors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history")),
    )
    op.create_index(op.f("ix_history_at"), "history", ["at"])
    op.create_index(op.f("ix_history_depositor_id"), "history", ["depositor_id"])
    op.create_index(op.f("ix_history_entity_id"), "history", ["entity_id"])

    op.create_table(
        "obligations",
        sa.Column("depositor_id", sa.Uuid(), nullable=False),
        sa.Column("rule_version_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("identifier", sa.String(length=40), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("copies_required", sa.Integer(), nullable=False),
        sa.Column("copies_accepted", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("exempt_reason", sa.Text(), nullable=True),
        sa.Column("fulfilled_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["depositor_id"],
            ["depositors.id"],
            name=op.f("fk_obligations_depositor_id_depositors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_version_id"],
            ["rule_versions.id"],
            name=op.f("fk_obligations_rule_version_id_rule_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligations")),
        sa.UniqueConstraint("identifier", name="uq_obligations_identifier"),
    )
    op.create_index(op.f("ix_obligations_depositor_id"), "obligations", ["depositor_id"])
    op.create_index(op.f("ix_obligations_due_on"), "obligations", ["due_on"])
    op.create_index(op.f("ix_obligations_kind"), "obligations", ["kind"])
    op.create_index(op.f("ix_obligations_rule_version_id"), "obligations", ["rule_version_id"])
    op.create_index(op.f("ix_obligations_status"), "obligations", ["status"])

    op.create_table(
        "refresh_reminders",
        sa.Column("depositor_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["depositor_id"],
            ["depositors.id"],
            name=op.f("fk_refresh_reminders_depositor_id_depositors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_reminders")),
        sa.UniqueConstraint("depositor_id", "due_on", name="uq_refresh_reminders_due"),
    )
    op.create_index(op.f("ix_refresh_reminders_depositor_id"), "refresh_reminders", ["depositor_id"])

    op.create_table(
        "warning_steps",
        sa.Column("rule_version_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("days_overdue", sa.Integer(), nullable=False),
        sa.Column("days_after_previous", sa.Integer(), nullable=False),
        sa.Column("letter_text", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_version_id"],
            ["rule_versions.id"],
            name=op.f("fk_warning_steps_rule_version_id_rule_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_steps")),
        sa.UniqueConstraint("rule_version_id", "level", name="uq_warning_steps_level"),
    )
    op.create_index(op.f("ix_warning_steps_rule_version_id"), "warning_steps", ["rule_version_id"])

    op.create_table(
        "warnings",
        sa.Column("depositor_id", sa.Uuid(), nullable=False),
        sa.Column("rule_version_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("obligation_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("letter_object_key", sa.String(length=300), nullable=True),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["depositor_id"],
            ["depositors.id"],
            name=op.f("fk_warnings_depositor_id_depositors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_version_id"], ["rule_versions.id"], name=op.f("fk_warnings_rule_version_id_rule_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warnings")),
        sa.UniqueConstraint("number", name=op.f("uq_warnings_number")),
    )
    op.create_index(op.f("ix_warnings_depositor_id"), "warnings", ["depositor_id"])
    op.create_index(op.f("ix_warnings_status"), "warnings", ["status"])

    op.create_table(
        "deposits",
        sa.Column("depositor_id", sa.Uuid(), nullable=False),
        sa.Column("obligation_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("subtitle", sa.String(length=500), nullable=True),
        sa.Column("creators", sa.JSON(), nullable=False),
        sa.Column("isbn", sa.String(length=13), nullable=True),
        sa.Column("issn", sa.String(length=9), nullable=True),
        sa.Column("ismn", sa.String(length=13), nullable=True),
        sa.Column("edition", sa.String(length=100), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=3), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("copies_declared", sa.Integer(), nullable=False),
        sa.Column("copies_received", sa.Integer(), nullable=False),
        sa.Column("receipt_number", sa.String(length=40), nullable=True),
        sa.Column("receipt_facts", sa.JSON(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_by", sa.String(length=200), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_subject", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decision_reasons", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["depositor_id"],
            ["depositors.id"],
            name=op.f("fk_deposits_depositor_id_depositors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"], ["obligations.id"], name=op.f("fk_deposits_obligation_id_obligations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposits")),
        sa.UniqueConstraint("receipt_number", name=op.f("uq_deposits_receipt_number")),
    )
    op.create_index(op.f("ix_deposits_depositor_id"), "deposits", ["depositor_id"])
    op.create_index(op.f("ix_deposits_isbn"), "deposits", ["isbn"])
    op.create_index(op.f("ix_deposits_ismn"), "deposits", ["ismn"])
    op.create_index(op.f("ix_deposits_issn"), "deposits", ["issn"])
    op.create_index(op.f("ix_deposits_kind"), "deposits", ["kind"])
    op.create_index(op.f("ix_deposits_obligation_id"), "deposits", ["obligation_id"])
    op.create_index(op.f("ix_deposits_status"), "deposits", ["status"])

    op.create_table(
        "deposit_files",
        sa.Column("deposit_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("path_in_package", sa.String(length=1000), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bucket", sa.String(length=63), nullable=False),
        sa.Column("object_key", sa.String(length=300), nullable=False),
        sa.Column("text_status", sa.String(length=16), nullable=False),
        sa.Column("text_object_key", sa.String(length=300), nullable=True),
        sa.Column("text_chars", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deposit_id"],
            ["deposits.id"],
            name=op.f("fk_deposit_files_deposit_id_deposits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_files")),
        sa.UniqueConstraint("object_key", name=op.f("uq_deposit_files_object_key")),
    )
    op.create_index(op.f("ix_deposit_files_deposit_id"), "deposit_files", ["deposit_id"])

    with op.batch_alter_table("depositors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_confirmed_at", sa.DateTime(timezone=True), nullable=True))

    _seed_rules()


# The first version of the rules as data (administrators add later versions through the API).
# Periods and copies: UU 13/2018 art. 4-5 and PP 55/2021 for a provincial library. Warning steps
# and appreciation thresholds are the agency's defaults (check), editable in later versions.
BASE_RULES_ID = uuid.UUID("5e1f0c2a-55a0-4021-9d2b-000000000001")
LETTER_1 = (
    "Berdasarkan Undang-Undang Nomor 13 Tahun 2018 tentang Serah Simpan Karya Cetak dan Karya Rekam "
    "dan Peraturan Pemerintah Nomor 55 Tahun 2021, setiap penerbit dan produsen karya rekam wajib "
    "menyerahkan karya yang diterbitkannya kepada Perpustakaan Provinsi. Menurut catatan kami, karya "
    "dalam daftar berikut telah melewati batas waktu penyerahan. Dengan surat ini kami menyampaikan "
    "teguran tertulis dan meminta Saudara menyerahkan karya tersebut dalam waktu 30 hari."
)
LETTER_2 = (
    "Menindaklanjuti teguran tertulis yang telah kami sampaikan, karya dalam daftar berikut belum "
    "juga diserahkan. Sesuai ketentuan sanksi administratif serah simpan, kami merekomendasikan "
    "pembekuan sementara kegiatan usaha penerbitan Saudara sampai kewajiban serah simpan dipenuhi."
)
LETTER_3 = (
    "Kewajiban serah simpan atas karya dalam daftar berikut tetap tidak dipenuhi setelah teguran "
    "tertulis dan pembekuan sementara. Kami merekomendasikan pencabutan izin kepada instansi "
    "yang berwenang."
)


def _seed_rules() -> None:
    rule_versions = sa.table(
        "rule_versions",
        sa.column("id", sa.Uuid()),
        sa.column("code", sa.String()),
        sa.column("legal_basis", sa.Text()),
        sa.column("valid_from", sa.Date()),
        sa.column("printed_months", sa.Integer()),
        sa.column("printed_copies", sa.Integer()),
        sa.column("recorded_months", sa.Integer()),
        sa.column("recorded_copies", sa.Integer()),
        sa.column("appreciation_min_due", sa.Integer()),
        sa.column("appreciation_min_rate", sa.Numeric(5, 1)),
        sa.column("appreciation_min_on_time_rate", sa.Numeric(5, 1)),
        sa.column("note", sa.Text()),
        sa.column("created_by", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    warning_steps = sa.table(
        "warning_steps",
        sa.column("id", sa.Uuid()),
        sa.column("rule_version_id", sa.Uuid()),
        sa.column("level", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("name", sa.String()),
        sa.column("name_en", sa.String()),
        sa.column("days_overdue", sa.Integer()),
        sa.column("days_after_previous", sa.Integer()),
        sa.column("letter_text", sa.Text()),
    )
    op.bulk_insert(
        rule_versions,
        [
            {
                "id": BASE_RULES_ID,
                "code": "PP-55-2021",
                "legal_basis": "UU 13/2018 tentang Serah Simpan Karya Cetak dan Karya Rekam; PP 55/2021",
                "valid_from": date(1900, 1, 1),
                "printed_months": 3,
                "printed_copies": 1,
                "recorded_months": 12,
                "recorded_copies": 1,
                "appreciation_min_due": 3,
                "appreciation_min_rate": Decimal("100.0"),
                "appreciation_min_on_time_rate": Decimal("80.0"),
                "note": "Versi dasar / base version. Tahapan sanksi dan kriteria apresiasi: bawaan (periksa).",
                "created_by": "migration:0002",
                "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            }
        ],
    )
    op.bulk_insert(
        warning_steps,
        [
            {
                "id": uuid.UUID("5e1f0c2a-55a0-4021-9d2b-000000000011"),
                "rule_version_id": BASE_RULES_ID,
                "level": 1,
                "code": "teguran_tertulis",
                "name": "Teguran tertulis",
                "name_en": "Written warning",
                "days_overdue": 30,
                "days_after_previous": 0,
                "letter_text": LETTER_1,
            },
            {
                "id": uuid.UUID("5e1f0c2a-55a0-4021-9d2b-000000000012"),
                "rule_version_id": BASE_RULES_ID,
                "level": 2,
                "code": "pembekuan_sementara",
                "name": "Pembekuan sementara",
                "name_en": "Temporary suspension",
                "days_overdue": 30,
                "days_after_previous": 30,
                "letter_text": LETTER_2,
            },
            {
                "id": uuid.UUID("5e1f0c2a-55a0-4021-9d2b-000000000013"),
                "rule_version_id": BASE_RULES_ID,
                "level": 3,
                "code": "pencabutan_izin",
                "name": "Pencabutan izin",
                "name_en": "Licence revocation",
                "days_overdue": 30,
                "days_after_previous": 60,
                "letter_text": LETTER_3,
            },
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("depositors") as batch_op:
        batch_op.drop_column("data_confirmed_at")
    for table in (
        "deposit_files",
        "deposits",
        "warnings",
        "warning_steps",
        "refresh_reminders",
        "obligations",
        "history",
        "depositor_accounts",
        "sequences",
        "rule_versions",
        "access_log",
    ):
        op.drop_table(table)
