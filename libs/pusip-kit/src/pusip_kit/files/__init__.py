"""Files as the suite receives them: what a file really is, from its content."""

from pusip_kit.files.sniff import FileKind, sniff

__all__ = ["FileKind", "sniff"]
