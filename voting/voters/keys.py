"""The keyed hashes that stand for a voter's number and for a code sent to it (HMAC-SHA256
with ``settings.VOTING_NUMBER_KEY``): without the key, a stored hash cannot be turned back into
the number by trying the 10⁹ possible numbers. Pure functions."""

import hashlib
import hmac
import re
import secrets

from django.conf import settings

NUMBER = re.compile(r"^1[3-9]\d{9}$")


def _key() -> bytes:
    key = settings.VOTING_NUMBER_KEY
    if key:
        return key.encode()
    return hashlib.sha256(b"voting.number:" + settings.SECRET_KEY.encode()).digest()


def normalize_number(raw: str) -> str | None:
    """An 11-digit mainland mobile number from what a voter typed (spaces, dashes, +86 or 86
    in front), or None when it is not one."""
    digits = re.sub(r"[\s\-()（）]", "", raw or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if NUMBER.match(digits) else None


def number_hash(number: str) -> str:
    return hmac.new(_key(), b"number:" + number.encode(), hashlib.sha256).hexdigest()


PREFIX_DIGITS = 7


def prefix_hash(number: str) -> str:
    """The keyed hash of the number's block (its first 7 digits: operator and area)."""
    return hmac.new(_key(), b"prefix:" + number[:PREFIX_DIGITS].encode(), hashlib.sha256).hexdigest()


def code_hash(code: str, *, voter_id: int) -> str:
    return hmac.new(_key(), f"code:{voter_id}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(1_000_000):06d}"


def codes_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
