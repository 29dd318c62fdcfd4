"""The circulation service's tables (its own metadata: no other service reads them)."""

from circulation.models.base import Base
from circulation.models.branch import Branch
from circulation.models.patron_category import PatronCategory

__all__ = ["Base", "Branch", "PatronCategory"]
