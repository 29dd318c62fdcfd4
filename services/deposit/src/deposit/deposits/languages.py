"""Language codes a deposit may declare, as data: MARC / ISO 639-2 codes (what the catalog stores).

Two-letter ISO 639-1 codes are accepted and mapped to the three-letter code. The list holds the
languages of Indonesia's publishing (national, regional, foreign) rather than all of ISO 639;
administrators extend it here.
"""

from __future__ import annotations

# MARC/ISO 639-2 code -> (ISO 639-1 code or "", Indonesian name)
LANGUAGES: dict[str, tuple[str, str]] = {
    "ind": ("id", "Indonesia"),
    "may": ("ms", "Melayu"),
    "jav": ("jv", "Jawa"),
    "sun": ("su", "Sunda"),
    "mad": ("", "Madura"),
    "min": ("", "Minangkabau"),
    "ban": ("", "Bali"),
    "bug": ("", "Bugis"),
    "ace": ("", "Aceh"),
    "bat": ("", "Batak"),
    "mak": ("", "Makassar"),
    "map": ("", "Austronesia lainnya (mis. Betawi)"),
    "eng": ("en", "Inggris"),
    "ara": ("ar", "Arab"),
    "chi": ("zh", "Tionghoa"),
    "dut": ("nl", "Belanda"),
    "jpn": ("ja", "Jepang"),
    "kor": ("ko", "Korea"),
    "ger": ("de", "Jerman"),
    "fre": ("fr", "Prancis"),
    "spa": ("es", "Spanyol"),
    "por": ("pt", "Portugis"),
    "rus": ("ru", "Rusia"),
    "hin": ("hi", "Hindi"),
    "tha": ("th", "Thai"),
    "vie": ("vi", "Vietnam"),
    "tgl": ("tl", "Tagalog"),
    "tam": ("ta", "Tamil"),
    "per": ("fa", "Persia"),
    "tur": ("tr", "Turki"),
    "ita": ("it", "Italia"),
    "lat": ("la", "Latin"),
    "san": ("sa", "Sanskerta"),
    "mul": ("", "Multibahasa"),
    "zxx": ("", "Tanpa isi kebahasaan (mis. musik instrumental)"),
}
_BY_TWO = {two: three for three, (two, _) in LANGUAGES.items() if two}


def normalise_language(value: str) -> str:
    """``id`` or ``IND`` → ``ind``; ValueError (bilingual) for a code not in :data:`LANGUAGES`."""
    code = (value or "").strip().lower()
    code = _BY_TWO.get(code, code)
    if code not in LANGUAGES:
        raise ValueError(
            f"kode bahasa '{value}' tidak dikenal (ISO 639, mis. ind, eng, jav) / "
            f"unknown language code '{value}' (ISO 639, e.g. ind, eng, jav)"
        )
    return code
