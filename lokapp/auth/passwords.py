"""Password hashing with argon2id and the strength rule."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

# argon2id with the library's current recommended parameters.
_strong = PasswordHasher()
# Only for the test suite (``PASSWORD_HASH_FAST``): hundreds of accounts are created there, and
# the recommended cost would make the suite minutes slower without testing anything more.
# A fast hash is flagged by ``needs_rehash`` in any other configuration.
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"):
        return _fast
    return _strong


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def burn_verification_time(password: str) -> None:
    """Verify against a throwaway hash so an unknown email takes as long as a wrong password."""
    hasher = _hasher()
    if hasher not in _dummy_hashes:
        _dummy_hashes[hasher] = hasher.hash(secrets.token_hex(16))
    verify_password(_dummy_hashes[hasher], password)


_dummy_hashes: dict[PasswordHasher, str] = {}

# Staff created by an administrator have no password until they follow the invitation link.
UNUSABLE_PREFIX = "!"


def unusable_password() -> str:
    """A value for ``password_hash`` that no password matches (argon2 cannot parse it)."""
    return UNUSABLE_PREFIX + secrets.token_hex(16)


def has_usable_password(password_hash: str | None) -> bool:
    return bool(password_hash) and not password_hash.startswith(UNUSABLE_PREFIX)


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


# --- The strength rule ----------------------------------------------------------------------
#
# Length is what makes a password hard to guess, so the rule is simple and explained in the
# form's hint: at least 12 characters, not (almost) one repeated character, not the person's own
# email address or name, and not one of the passwords everybody tries first. No composition rules
# (digits, capitals) – they make passwords harder to remember, not harder to guess (NIST 800-63B).

MIN_LENGTH = 12
MAX_LENGTH = 200

# Words that common passwords are built from; a password that is one of these (in any case) with
# only digits or punctuation around it is refused, e.g. "Lösenord2026!" or "qwerty123456".
_COMMON_WORDS = frozenset({
    "password", "passw0rd", "lösenord", "losenord", "losen", "lösen", "hemligt", "hemlig",
    "qwerty", "qwertyuiop", "qwertyuiopå", "asdfgh", "asdfghjkl", "asdfghjklöä", "zxcvbnm",
    "azerty", "abc", "abcdef", "abcdefgh", "abcdefghijkl", "iloveyou", "jagälskardig",
    "welcome", "välkommen", "valkommen", "admin", "administrator", "letmein", "monkey",
    "dragon", "master", "sunshine", "princess", "football", "fotboll", "hockey", "sommar",
    "vinter", "hösten", "hosten", "våren", "varen", "vasteras", "västerås", "sverige",
    "sweden", "stockholm", "lokapp", "test", "testtest", "changeme", "default", "secret",
    "trustno1", "superman", "batman", "hejhej", "hejsan", "kalle", "anka", "kalleanka",
})

# Whole passwords of 12+ characters that appear in every leaked-password list.
_COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "12345678901234", "123456789123", "111111111111",
    "000000000000", "123123123123", "121212121212", "987654321098", "098765432109",
    "qwertyuiop12", "qwerty123456", "1q2w3e4r5t6y", "1qaz2wsx3edc", "q1w2e3r4t5y6",
    "zaq12wsxcde3", "passwordpassword", "iloveyouiloveyou", "abcd1234abcd", "abc123abc123",
    "qwertyqwerty", "asdfasdfasdf", "aaaaaaaaaaaa", "abcabcabcabc", "correcthorsebatterystaple",
})

_DECORATION = "0123456789!\"#¤%&/()=?@£$€{[]}\\+´`^¨~*'-_.:,;<>| "


def _squash(text: str) -> str:
    return "".join(text.lower().split())


def _base_word(password: str) -> str:
    """The password without surrounding digits, punctuation and spaces, lower case."""
    return password.lower().strip(_DECORATION)


def password_problem(password: str, *, email: str = "", name: str = "") -> LazyString | None:
    """Why ``password`` is too weak, as a Swedish sentence; ``None`` when it is fine.

    The message is a lazy string, translated when it is shown.
    """
    if len(password) < MIN_LENGTH:
        return _l("Lösenordet måste ha minst 12 tecken.")
    if len(password) > MAX_LENGTH:
        return _l("Lösenordet får ha högst 200 tecken.")
    squashed = _squash(password)
    most_common = max(squashed.count(ch) for ch in set(squashed)) if squashed else 0
    if len(set(squashed)) < 4 or most_common * 2 > len(squashed):
        return _l("Lösenordet består nästan bara av samma tecken. Välj ett med fler olika tecken.")
    personal = set()
    email = (email or "").strip().lower()
    if email:
        local = email.partition("@")[0]
        personal.update({_squash(email), _squash(local), _base_word(local)})
    if name and name.strip():
        personal.add(_squash(name))
        personal.update(part.lower() for part in name.split() if len(part) >= 4)
    personal.discard("")
    base = _base_word(password)
    if squashed in personal or base in personal or _squash(base) in personal:
        return _l("Lösenordet får inte vara din e-postadress eller ditt namn.")
    if squashed in _COMMON_PASSWORDS or base in _COMMON_WORDS or _squash(base) in _COMMON_WORDS \
            or _is_sequence(squashed):
        return _l("Lösenordet är ett av de vanligaste lösenorden och lätt att gissa. Välj ett annat.")
    return None


def _is_sequence(text: str) -> bool:
    """``abcdefghijkl``, ``123456789012``, ``zyxwvutsrqpo`` and similar runs."""
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(steps) == 1 and steps <= {1, -1} or \
        (text.isdigit() and text in "12345678901234567890" * 2)
