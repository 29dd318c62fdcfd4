"""Schema.org JSON-LD of a record page, with the library's copies as offers (Schema Bib Extend)."""

from __future__ import annotations

from typing import Any

from catalog.models import BibRecord
from catalog.records.schemas import BranchAvailability

TYPES = {
    "book": "Book",
    "serial": "Periodical",
    "manuscript": "Manuscript",
    "map": "Map",
    "music_score": "SheetMusic",
    "video": "Movie",
    "audio": "AudioObject",
    "music_audio": "MusicRecording",
    "graphic": "VisualArtwork",
    "electronic": "DigitalDocument",
}


def record_jsonld(record: BibRecord, availability: list[BranchAvailability], base_url: str) -> dict[str, Any]:
    d = record.derived or {}
    url = f"{base_url.rstrip('/')}/records/{record.id}"
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": TYPES.get(record.material_type, "CreativeWork"),
        "@id": url,
        "url": url,
        "name": record.title,
    }
    if record.authors:
        doc["author"] = [{"@type": "Person", "name": a} for a in record.authors[:1]]
        if len(record.authors) > 1:
            doc["contributor"] = [{"@type": "Person", "name": a} for a in record.authors[1:]]
    if record.isbns and doc["@type"] == "Book":
        doc["isbn"] = record.isbns
    if d.get("issns"):
        doc["issn"] = d["issns"]
    if record.year:
        doc["datePublished"] = str(record.year)
    if record.publisher:
        publisher: dict[str, Any] = {"@type": "Organization", "name": record.publisher}
        if d.get("place"):
            publisher["location"] = d["place"]
        doc["publisher"] = publisher
    if record.language:
        doc["inLanguage"] = record.language
    if d.get("subjects"):
        doc["about"] = [{"@type": "Thing", "name": s} for s in d["subjects"]]
    if d.get("edition") and doc["@type"] == "Book":
        doc["bookEdition"] = d["edition"]
    if d.get("summary"):
        doc["description"] = d["summary"]
    if d.get("series"):
        doc["isPartOf"] = [{"@type": "CreativeWorkSeries", "name": s} for s in d["series"]]
    if record.control_number:
        doc["identifier"] = record.control_number
    offers = [
        {
            "@type": "Offer",
            "businessFunction": "http://purl.org/goodrelations/v1#LeaseOut",
            "availability": "https://schema.org/InStock" if a.available else "https://schema.org/OutOfStock",
            "offeredBy": {"@type": "Library", "name": a.name or a.branch, "identifier": a.branch},
            "inventoryLevel": {"@type": "QuantitativeValue", "value": a.available, "maxValue": a.total},
            "price": 0,
            "priceCurrency": "IDR",
        }
        for a in availability
    ]
    if offers:
        doc["offers"] = offers
    return doc
