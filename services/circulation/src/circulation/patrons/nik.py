"""The NIK (Nomor Induk Kependudukan) format: ``PPKKCC DDMMYY SSSS``.

* ``PP`` province code (Kemendagri), ``KK`` regency/city and ``CC`` district, neither ``00``;
* ``DDMMYY`` date of birth, with 40 added to the day for women;
* ``SSSS`` a serial, never ``0000``.

Only the format is checked: whether a NIK really belongs to the person is Dukcapil's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from circulation import clock

PROVINCE_CODES: dict[str, str] = {
    "11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi",
    "16": "Sumatera Selatan", "17": "Bengkulu", "18": "Lampung", "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau", "31": "DKI Jakarta", "32": "Jawa Barat", "33": "Jawa Tengah",
    "34": "DI Yogyakarta", "35": "Jawa Timur", "36": "Banten", "51": "Bali", "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur", "61": "Kalimantan Barat", "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan", "64": "Kalimantan Timur", "65": "Kalimantan Utara", "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah", "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara", "75": "Gorontalo",
    "76": "Sulawesi Barat", "81": "Maluku", "82": "Maluku Utara", "91": "Papua", "92": "Papua Barat",
    "93": "Papua Selatan", "94": "Papua Tengah", "95": "Papua Pegunungan", "96": "Papua Barat Daya",
}  # fmt: skip


@dataclass(frozen=True)
class NikInfo:
    province_code: str
    province: str
    birth_date: date
    gender: str  # "L" (laki-laki) or "P" (perempuan)


class NikError(ValueError):
    """Why a NIK is not plausible (message: Indonesian / English)."""


def parse_nik(nik: str, *, today: date | None = None) -> NikInfo:
    today = today or clock.today()
    if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        raise NikError("NIK harus 16 angka / NIK must be 16 digits")
    province = nik[:2]
    if province not in PROVINCE_CODES:
        raise NikError(f"kode provinsi {province} tidak dikenal / unknown province code {province}")
    if nik[2:4] == "00" or nik[4:6] == "00":
        raise NikError(
            "kode kabupaten/kota atau kecamatan 00 tidak sah / regency or district code 00 is invalid"
        )
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    gender = "L"
    if day > 40:
        day -= 40
        gender = "P"
    year = 2000 + year2 if 2000 + year2 <= today.year else 1900 + year2
    try:
        born = date(year, month, day)
    except ValueError as exc:
        raise NikError(
            f"tanggal lahir dalam NIK ({nik[6:12]}) tidak sah / the birth date in the NIK ({nik[6:12]}) is invalid"
        ) from exc
    if born > today:
        raise NikError("tanggal lahir dalam NIK di masa depan / the birth date in the NIK is in the future")
    if nik[12:] == "0000":
        raise NikError("nomor urut 0000 tidak sah / serial 0000 is invalid")
    return NikInfo(province, PROVINCE_CODES[province], born, gender)


def mask_nik(nik: str | None) -> str | None:
    return None if nik is None else nik[:4] + "*" * 8 + nik[12:]
