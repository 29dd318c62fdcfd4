"""SIP2 (3M Standard Interchange Protocol 2.00) for self-check kiosks."""

from circulation.sip2.codec import Sip2Error, Sip2Message, checksum, decode, encode, sip_datetime

__all__ = ["Sip2Error", "Sip2Message", "checksum", "decode", "encode", "sip_datetime"]
