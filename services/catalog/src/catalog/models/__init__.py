"""The catalog service's tables (its own metadata: no other service reads them)."""

from catalog.models.base import Base
from catalog.models.branch import Branch, BranchType, JakartaCity
from catalog.models.contribution import ReadingList, ReadingListEntry, Review, ReviewStatus
from catalog.models.eresource import AccessRule, EResource, TextStatus
from catalog.models.import_job import DedupePolicy, ImportJob, ImportProblem, ImportStatus, ProblemSeverity
from catalog.models.item import CIRCULATION_STATUSES, AcquisitionSource, Item, ItemStatus
from catalog.models.record import BibRecord, IdentifierKind, RecordIdentifier, RecordSource
from catalog.models.special import CollectionRecord, DigitisedDocument, SpecialCollection
from catalog.models.stocktake import ScanResult, Stocktake, StocktakeEntry, StocktakeStatus

__all__ = [
    "CIRCULATION_STATUSES",
    "AccessRule",
    "AcquisitionSource",
    "Base",
    "BibRecord",
    "Branch",
    "BranchType",
    "CollectionRecord",
    "DedupePolicy",
    "DigitisedDocument",
    "EResource",
    "IdentifierKind",
    "ImportJob",
    "ImportProblem",
    "ImportStatus",
    "Item",
    "ItemStatus",
    "JakartaCity",
    "ProblemSeverity",
    "ReadingList",
    "ReadingListEntry",
    "RecordIdentifier",
    "RecordSource",
    "Review",
    "ReviewStatus",
    "ScanResult",
    "SpecialCollection",
    "Stocktake",
    "StocktakeEntry",
    "StocktakeStatus",
    "TextStatus",
]
