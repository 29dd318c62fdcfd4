"""The object stores of the deposit service, one pair per process and data directory.

``deposit-files``      deposited files, BagIt packages and their payload files, extracted texts
``deposit-documents``  rendered documents: warning letters (receipts are rendered on demand)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from deposit.config import DepositSettings
from pusip_kit.storage import ObjectStore, make_object_store

FILES_BUCKET = "deposit-files"
DOCUMENTS_BUCKET = "deposit-documents"


@dataclass
class Stores:
    files: ObjectStore
    documents: ObjectStore

    async def close(self) -> None:
        await self.files.close()
        await self.documents.close()


_stores: dict[tuple[str, str, str], Stores] = {}
_guard = threading.Lock()


def _key(settings: DepositSettings) -> tuple[str, str, str]:
    return (settings.storage_backend, str(settings.data_dir), settings.minio_endpoint)


def make_stores(settings: DepositSettings) -> Stores:
    return Stores(
        files=make_object_store(settings, FILES_BUCKET),
        documents=make_object_store(settings, DOCUMENTS_BUCKET),
    )


def process_stores(settings: DepositSettings) -> Stores:
    """The stores a worker process (or the CLI) uses, made once per process and settings."""
    with _guard:
        stores = _stores.get(_key(settings))
        if stores is None:
            stores = _stores[_key(settings)] = make_stores(settings)
        return stores
