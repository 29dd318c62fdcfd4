"""The accreditation service's tables (its own metadata: no other service reads them)."""

from accreditation.models.base import Base
from accreditation.models.library import JakartaCity, Library, LibraryType

__all__ = ["Base", "JakartaCity", "Library", "LibraryType"]
