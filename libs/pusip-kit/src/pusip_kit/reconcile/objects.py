"""An object bucket against the rows that name its objects.

* an object no row names, older than the grace period → ``orphan_object`` (repair: delete it; a
  write interrupted before its row committed leaves exactly this);
* a row whose object is not there → ``missing_object`` (not repairable: restore from a backup);
* a row whose recorded SHA-256 differs from the store's → ``sha256_mismatch`` (not repairable);
* with ``verify_content``, every named object is re-read and hashed → ``content_corrupt``.

The listing is taken before the rows are read, and a row whose object the listing lacks is looked
up again, so writes racing the check are not reported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pusip_kit.reconcile.report import CheckResult
from pusip_kit.storage import ObjectNotFound, ObjectStore, StoredObject


@dataclass(frozen=True)
class ExpectedObject:
    """An object a row names: ``sha256`` is ``None`` when the row records none (derived text)."""

    key: str
    owner: str
    sha256: str | None = None
    optional: bool = False
    """May be absent (a file whose purge is under way): neither missing nor, if present, an orphan."""


ExpectedObjects = Callable[[], Awaitable[Iterable[ExpectedObject]]]


async def reconcile_objects(
    store: ObjectStore,
    *,
    check: str,
    expected: ExpectedObjects,
    repair: bool,
    grace: timedelta = timedelta(minutes=15),
    verify_content: bool = False,
    prefix: str = "",
) -> CheckResult:
    result = CheckResult(check)
    started = datetime.now(UTC)
    listed: dict[str, StoredObject] = {}
    try:
        async for obj in store.list(prefix):
            listed[obj.key] = obj
    except Exception as exc:
        result.errors.append(f"{type(exc).__name__}: {exc}")
        return result
    wanted: dict[str, ExpectedObject] = {e.key: e for e in await expected()}
    result.examined = len(wanted.keys() | listed.keys())
    orphans: list[str] = []
    for key, obj in sorted(listed.items()):
        if key in wanted:
            continue
        if started - obj.last_modified < grace:
            continue  # may be a write whose row is about to commit
        orphans.append(key)
        result.add("orphan_object", key, f"{obj.size} bytes, no row names it")
    for key, row in sorted(wanted.items()):
        found = listed.get(key)
        if found is None:
            try:
                found = await store.stat(key)
            except ObjectNotFound:
                if row.optional:
                    continue
                result.add("missing_object", key, f"named by {row.owner}", repairable=False)
                continue
        obj = found
        if row.sha256 is not None and obj.sha256 != row.sha256.lower():
            result.add(
                "sha256_mismatch",
                key,
                f"{row.owner} records {row.sha256[:12]}…, the store {obj.sha256[:12]}…",
                repairable=False,
            )
        elif verify_content and not await store.verify(key):
            result.add("content_corrupt", key, f"named by {row.owner}", repairable=False)
    if repair:
        try:
            for key in orphans:
                await store.delete(key)
                result.repaired += 1
            await store.cleanup_incomplete(older_than=grace)
        except Exception as exc:
            result.errors.append(f"{type(exc).__name__}: {exc}")
    return result
