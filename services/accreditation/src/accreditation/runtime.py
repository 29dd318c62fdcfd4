"""What the service's code needs beyond a database session: its object store.

One store (bucket ``accreditation-files``) holds evidence files (``evidence/<assessment>/<id>``)
and activity materials (``materials/<activity>/<id>``). Web processes keep it on ``app.state``;
files are streamed through the service's own endpoints (access is checked per request), so no
presigned URLs are handed out.
"""

from __future__ import annotations

from fastapi import FastAPI

from accreditation.config import AccreditationSettings
from pusip_kit.storage import ObjectStore, make_object_store

BUCKET = "accreditation-files"


def open_store(settings: AccreditationSettings) -> ObjectStore:
    return make_object_store(settings, BUCKET)


async def open_runtime(app: FastAPI) -> None:
    settings: AccreditationSettings = app.state.settings
    app.state.accreditation_store = open_store(settings)


async def close_runtime(app: FastAPI) -> None:
    store: ObjectStore | None = getattr(app.state, "accreditation_store", None)
    if store is not None:
        await store.close()
