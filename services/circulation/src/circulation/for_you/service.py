"""For you (*informasi koleksi sesuai profil pemustaka*): recommendations and the patron's announcements.

Recommendations, never a title the patron has on loan, holds or (with history kept) has read:

* with the reading-history opt-in only: ``borrowed_together`` (titles most borrowed by the other
  members who borrowed the patron's titles) and ``same_author`` (titles by the authors the patron
  reads, when catalog's record events carried authors; the replica holds no subjects);
* for everyone: ``popular_in_category`` (titles borrowed by the most distinct members of the
  patron's category over the last ``for_you_window_days``).

Announcements: those showing today for the patron's home branch, the branches they borrowed from
(history kept only with the opt-in, open loans always) and the whole network.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from circulation import clock
from circulation.announcements.repository import AnnouncementRepository
from circulation.announcements.schemas import AnnouncementPublic
from circulation.for_you.repository import ForYouRepository
from circulation.for_you.schemas import ForYou, Reason, Recommendation
from circulation.models import Patron
from circulation.patrons.service import patron_service
from pusip_kit.auth.subject import AuthSubject

REASONS: dict[str, Reason] = {
    "borrowed_together": Reason(
        code="borrowed_together",
        label="Sering dipinjam bersama bacaan Anda",
        label_en="Often borrowed with what you read",
    ),
    "same_author": Reason(
        code="same_author", label="Dari pengarang yang Anda baca", label_en="By an author you read"
    ),
    "popular_in_category": Reason(
        code="popular_in_category",
        label="Populer di kategori anggota Anda",
        label_en="Popular in your member category",
    ),
}
MAX_ANNOUNCEMENTS = 20


class ForYouService:
    async def for_me(
        self, session: AsyncSession, auth_subject: AuthSubject, *, limit: int, window_days: int
    ) -> ForYou:
        patron = await patron_service.me(session, auth_subject)
        return ForYou(
            recommendations=await self.recommendations(session, patron, limit=limit, window_days=window_days),
            announcements=await self.announcements(session, patron),
        )

    async def recommendations(
        self, session: AsyncSession, patron: Patron, *, limit: int, window_days: int
    ) -> list[Recommendation]:
        repository = ForYouRepository(session)
        seen = await repository.records_of(patron.id)
        picked: dict[str, str] = {}  # record id → reason code, in order

        def take(record_ids: list[str], code: str) -> None:
            for record_id in record_ids:
                if len(picked) < limit and record_id not in seen and record_id not in picked:
                    picked[record_id] = code

        if patron.reading_history:
            history = await repository.history(patron.id)
            take(
                await repository.borrowed_together(
                    history, own_ref=patron.pseudonym, exclude=seen, limit=limit
                ),
                "borrowed_together",
            )
            if len(picked) < limit:
                authors = (await repository.authors_of(history))[:5]
                take(
                    await repository.by_authors(authors, exclude=seen | set(picked), limit=limit),
                    "same_author",
                )
        if len(picked) < limit:
            since = datetime.combine(clock.today() - timedelta(days=window_days), time(0), tzinfo=clock.WIB)
            take(
                await repository.popular_in_category(
                    patron.category_code, since=since, exclude=seen | set(picked), limit=limit
                ),
                "popular_in_category",
            )
        ids = list(picked)
        records = await repository.records(ids)
        titles = await repository.titles_from_items([i for i in ids if i not in records])
        available = await repository.available_branches(ids)
        out = []
        for record_id, code in picked.items():
            record = records.get(record_id)
            out.append(
                Recommendation(
                    record_id=record_id,
                    title=(
                        record.title if record is not None and record.title else titles.get(record_id, "")
                    ),
                    authors=list(record.authors or []) if record is not None else [],
                    year=record.year if record is not None else None,
                    reason=REASONS[code],
                    available_branches=available.get(record_id, []),
                )
            )
        return out

    async def announcements(self, session: AsyncSession, patron: Patron) -> list[AnnouncementPublic]:
        branches = await ForYouRepository(session).branches_borrowed_from(patron.id)
        if patron.home_branch:
            branches.add(patron.home_branch)
        rows = await AnnouncementRepository(session).current_for(
            branches, today=clock.today(), limit=MAX_ANNOUNCEMENTS
        )
        return [AnnouncementPublic.model_validate(a) for a in rows]


for_you_service = ForYouService()
