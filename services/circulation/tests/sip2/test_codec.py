import contextlib
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circulation.sip2 import Sip2Error, Sip2Message, checksum, decode, encode, sip_datetime


def test_checksum_of_a_known_login_message() -> None:
    # computed by hand: the 16-bit two's complement of the byte sum, in hex
    body = b"9300CNkiosk1|COrahasia|CPcikini|AY1AZ"
    assert checksum(body) == f"{(0x10000 - sum(body) % 0x10000) % 0x10000:04X}"
    frame = body + checksum(body).encode() + b"\r"
    message = decode(frame, require_checksum=True)
    assert message.code == "93" and message.sequence == 1
    assert message.fixed == {"uid_algorithm": "0", "pwd_algorithm": "0"}
    assert (message.get("CN"), message.get("CO"), message.get("CP")) == ("kiosk1", "rahasia", "cikini")


def test_round_trip_checkout() -> None:
    now = sip_datetime(datetime(2026, 11, 21, 9, 30, 5))
    assert now == "20261121    093005"
    msg = Sip2Message(
        "11",
        {"sc_renewal_policy": "N", "no_block": "N", "transaction_date": now, "nb_due_date": " " * 18},
        [("AO", "dispusip"), ("AA", "P0001"), ("AB", "B000123"), ("AC", "")],
        sequence=7,
    )
    frame = encode(msg)
    assert frame.endswith(b"\r")
    back = decode(frame, require_checksum=True)
    assert back == msg


def test_values_cannot_smuggle_delimiters() -> None:
    msg = Sip2Message(
        "10",
        {"ok": "1", "resensitize": "Y", "magnetic_media": "N", "alert": "N", "transaction_date": "x" * 18},
        [("AF", "a|b\rc")],
    )
    assert decode(encode(msg)).get("AF") == "a/b c"


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        b"\r",
        b"XX",
        b"11",  # too short for its fixed fields
        b"55hello",  # unknown code
        b"9300CNa|AY1AZFFFF\r",  # wrong checksum
        b"9300\x00CNa|",
        b"9300cna|",  # field ids are upper-case letters
        b"9" * 5000,
    ],
)
def test_garbage_frames_raise_a_clear_error(frame: bytes) -> None:
    with pytest.raises(Sip2Error):
        decode(frame)


def test_checksum_can_be_required() -> None:
    with pytest.raises(Sip2Error, match="required"):
        decode(b"9900302.00\r", require_checksum=True)
    assert decode(b"9900302.00\r").fixed["protocol_version"] == "2.00"


@given(st.binary(max_size=300))
def test_decode_never_fails_other_than_with_sip2_error(frame: bytes) -> None:
    with contextlib.suppress(Sip2Error):
        decode(frame)
