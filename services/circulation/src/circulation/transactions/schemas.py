"""Request and response shapes of the circulation transactions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from circulation.models import Loan
from pusip_kit.schemas import Schema, WriteSchema

Barcode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Card = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Branch = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class CheckoutRequest(WriteSchema):
    patron: Card = Field(description="Nomor kartu anggota / patron card number")
    item: Barcode = Field(description="Barcode eksemplar / item barcode")
    branch: Branch = Field(description="Cabang tempat transaksi / branch of the desk")


class CheckinRequest(WriteSchema):
    item: Barcode
    branch: Branch
    returned_on: date | None = Field(
        default=None,
        description="Tanggal kembali bila diproses belakangan (kotak pengembalian) / book-drop date",
    )


class RenewRequest(WriteSchema):
    item: Barcode
    patron: Card | None = Field(
        default=None, description="Untuk memastikan anggota yang tepat / to make sure"
    )


class ReceiveRequest(WriteSchema):
    item: Barcode
    branch: Branch


class ReasonRead(Schema):
    code: str
    message: str
    message_en: str
    details: dict[str, Any] | None = None


class LoanRead(Schema):
    id: uuid.UUID
    patron_card: str | None
    item_barcode: str
    record_id: str
    title: str
    material_type: str
    branch: str
    loaned_at: datetime
    due_on: date
    renewals: int
    renewals_left: int
    returned_at: datetime | None
    return_branch: str | None
    overdue: bool
    channel: str
    rule_set_version: str

    @classmethod
    def of(cls, loan: Loan, card: str | None, today: date) -> LoanRead:
        allowed = int(loan.rule.get("renewals", 0))
        return cls(
            id=loan.id,
            patron_card=card,
            item_barcode=loan.item_barcode,
            record_id=loan.record_id,
            title=loan.title,
            material_type=loan.material_type,
            branch=loan.branch,
            loaned_at=loan.loaned_at,
            due_on=loan.due_on,
            renewals=loan.renewals,
            renewals_left=max(0, allowed - loan.renewals),
            returned_at=loan.returned_at,
            return_branch=loan.return_branch,
            overdue=loan.returned_at is None and loan.due_on < today,
            channel=loan.channel,
            rule_set_version=loan.rule_set_version,
        )


class CheckoutRead(LoanRead):
    fulfilled_hold_id: uuid.UUID | None = None


class DryRun(Schema):
    allowed: bool
    reasons: list[ReasonRead]
    due_date: date | None = None


class FineBrief(Schema):
    id: uuid.UUID
    amount: int
    overdue_days: int
    chargeable_days: int
    capped: bool


class TransitRead(Schema):
    id: uuid.UUID
    item_barcode: str
    from_branch: str
    to_branch: str
    reason: str
    hold_id: uuid.UUID | None
    status: str
    created_at: datetime
    received_at: datetime | None
    slip_url: str | None = None


class CheckinRead(Schema):
    item_barcode: str
    item_status: str
    current_branch: str
    action: str = Field(description="shelve | hold_shelf | transit | withdrawn")
    loan: LoanRead | None
    fine: FineBrief | None
    transit: TransitRead | None
    hold_id: uuid.UUID | None
    pickup_deadline: date | None = None


class CheckinPreview(Schema):
    allowed: bool
    reasons: list[ReasonRead]
    loan_id: uuid.UUID | None
    fine: int
    action: str
    destination: str
    hold_id: uuid.UUID | None


class ReceiveRead(Schema):
    item_barcode: str
    item_status: str
    current_branch: str
    action: str
    transit: TransitRead | None
    hold_id: uuid.UUID | None
    pickup_deadline: date | None = None


class ValidatorList(Schema):
    checkout: list[str]
    renew: list[str]
    receive: list[str]
    hold: list[str]
    digital: list[str]
    payment: list[str]
