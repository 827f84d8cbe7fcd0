"""Request verification: Ed25519 over ``timestamp + raw body``, and a freshness window.

Discord signs every request with the application's key; its public half is
``DISCORD_PUBLIC_KEY`` (64 hex characters). Verification runs on the raw bytes
before anything is parsed or stored, and every failure is the same 401.
"""

from __future__ import annotations

import binascii
import re
import time
from collections.abc import Callable

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from adventorator.errors import ConfigError

MAX_SKEW_S = 300.0
"""How far (seconds) a request's timestamp may be from our clock, either way."""

# Unix seconds in ASCII digits only: int() would also take "+1", "1_0", " 1 " and
# other scripts' digits, and 309 digits overflow the float comparison.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"[0-9a-fA-F]{128}")  # 64 bytes of Ed25519 signature, in hex


def parse_public_key(hex_key: str) -> VerifyKey:
    """The verify key for a hex public key; ConfigError naming the setting when malformed."""
    try:
        raw = binascii.unhexlify(hex_key.strip())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ConfigError("DISCORD_PUBLIC_KEY must be 64 hex characters (the Ed25519 public key)")
    return VerifyKey(raw)


class SignatureVerifier:
    """Checks the two signature headers of a request against its raw body."""

    def __init__(
        self,
        key: VerifyKey,
        *,
        max_skew: float = MAX_SKEW_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = key
        self._max_skew = max_skew
        self._clock = clock

    def verify(self, signature: str | None, timestamp: str | None, body: bytes) -> bool:
        """True when both headers are present, fresh, and sign ``timestamp + body``."""
        if not signature or not timestamp:
            return False
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return False
        if abs(self._clock() - int(timestamp)) > self._max_skew:
            return False
        try:
            self._key.verify(timestamp.encode() + body, binascii.unhexlify(signature))
        except BadSignatureError:
            return False
        return True
