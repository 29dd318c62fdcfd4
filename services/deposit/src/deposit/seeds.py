"""The seed publications and their PDFs: shared with the catalog demo, kept in the kit."""

from pusip_kit.documents.seeds import SEED_WORKS, SeedWork, seed_pdf, text_to_pdf

__all__ = ["SEED_WORKS", "SeedWork", "seed_pdf", "text_to_pdf"]
