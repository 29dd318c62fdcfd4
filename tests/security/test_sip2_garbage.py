"""Garbage on the SIP2 port never crashes the server, and every bad frame gets a 96 (please resend).

Against the circulation service's SIP2 server in the running suite: random bytes, control
characters, overlong lines, bad checksums, unknown and response-only message ids, a frame with no
CR followed by the connection closing. After every garbage frame the same connection still answers
a valid SC status (99 → 98), a 97 gets the last response again, and a fresh connection works.
"""

from __future__ import annotations

import random
import socket

import pytest

from circulation.sip2.codec import MAX_MESSAGE_BYTES, checksum

from .suite import Suite

pytestmark = pytest.mark.timeout(300)

SC_STATUS = b"9900302.00"


def _with_checksum(body: str) -> bytes:
    framed = f"{body}AY1AZ"
    return f"{framed}{checksum(framed.encode())}\r".encode()


class Kiosk:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buffer = b""

    def send(self, frame: bytes) -> None:
        self.sock.sendall(frame)

    def answer(self) -> bytes:
        while b"\r" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"the SIP2 server closed the connection (buffer {self.buffer!r})")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r")
        return line

    def ask(self, frame: bytes) -> bytes:
        self.send(frame)
        return self.answer()

    def close(self) -> None:
        self.sock.close()


def garbage_frames(seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    frames: list[tuple[str, bytes]] = []
    for i in range(12):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))).replace(b"\r", b"")
        frames.append((f"random bytes #{i}", raw + b"\r"))
    good = _with_checksum("9900302.00")
    bad_sum = good[:-5] + (b"0000" if not good.endswith(b"0000\r") else b"FFFF") + b"\r"
    frames += [
        ("overlong line", b"99" + b"x" * (MAX_MESSAGE_BYTES * 3) + b"\r"),
        ("just over the frame limit", b"9900302.00" + b"A" * MAX_MESSAGE_BYTES + b"\r"),
        ("bad checksum", bad_sum),
        ("bad sequence number", b"9900302.00AYxAZ" + checksum(b"9900302.00AYxAZ").encode() + b"\r"),
        ("unknown message id", b"ZZ hello\r"),
        ("unsupported numeric id", b"42some text\r"),
        ("a response code sent to the server", b"98YYYNYN01000320260101    0000002.00AOdispusip|\r"),
        ("too short for its fixed fields", b"11YN\r"),
        ("control characters", b"99\x00\x01\x02302.00\r"),
        ("only a code", b"63\r"),
    ]
    return frames


def test_garbage_gets_96_and_the_server_keeps_answering(suite: Suite) -> None:
    kiosk = Kiosk(suite.sip2_port)
    try:
        assert kiosk.ask(SC_STATUS + b"\r").startswith(b"98"), "the control status request failed"
        for what, frame in garbage_frames(2026):
            response = kiosk.ask(frame)
            assert response == b"96", (what, response[:100])
            after = kiosk.ask(SC_STATUS + b"\r")
            assert after.startswith(b"98"), (what, after[:100])
        # bytes that are not UTF-8 are read as Latin-1 (older kiosks): a normal protocol answer
        latin = kiosk.ask(b"23\xff\xfe\xfd" + b"A" * 18 + b"AOdispusip|AA\xe9|AC|AD|\r")
        assert latin.startswith(b"24"), latin[:100]
        # 97 (resend) repeats the last answer, byte for byte
        last = kiosk.ask(_with_checksum("9900302.00"))
        assert last.startswith(b"98") and b"AY1AZ" in last
        assert kiosk.ask(b"97\r") == last
    finally:
        kiosk.close()


def test_a_half_frame_then_hang_up_leaves_the_server_serving(suite: Suite) -> None:
    for seed in range(3):
        dropped = Kiosk(suite.sip2_port)
        dropped.send(bytes(random.Random(seed).randrange(1, 256) for _ in range(5000)).replace(b"\r", b""))
        dropped.close()
    with socket.create_connection(("127.0.0.1", suite.sip2_port), timeout=30) as raw:
        raw.sendall(b"\r\n\r\n")  # empty frames are skipped, not answered
    fresh = Kiosk(suite.sip2_port)
    try:
        assert fresh.ask(SC_STATUS + b"\r").startswith(b"98")
        # transactions before the kiosk logged in are refused in the protocol, not by a crash
        refused = fresh.ask(b"2300120260101    120000AOdispusip|AApatron|AC|AD|\r")
        assert refused.startswith(b"24"), refused
    finally:
        fresh.close()
