"""Official documents as PDF: receipts, letters, reports, minutes (berita acara), certificates."""

from pusip_kit.documents.pdf import OfficialDocument, Signatory, render_pdf

__all__ = ["OfficialDocument", "Signatory", "render_pdf"]
