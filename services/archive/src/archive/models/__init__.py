"""The archive service's tables (its own metadata: no other service reads them)."""

from archive.models.base import Base
from archive.models.classification import ClassificationCode

__all__ = ["Base", "ClassificationCode"]
