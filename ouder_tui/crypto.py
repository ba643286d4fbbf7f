"""Protecting the database with a passphrase: scrypt for the key, AES-GCM for the data.

Nothing here is hand-made cryptography: the key comes from scrypt and the data is
sealed with AES-256-GCM, both from the ``cryptography`` package. This module only
fixes the file layout::

    OUDERTUI-VERSLEUTELD\\n                 a marker anyone opening the file can read
    {"v":1,"kdf":"scrypt","n":...,"r":...,"p":...,"zout":"<base64>"}\\n
    <12-byte nonce><ciphertext and 16-byte tag>

The marker and the header line are authenticated with the data (AES-GCM's
associated data), so neither can be changed unnoticed. The salt is drawn when a
passphrase is set and kept until it changes; every save draws a fresh nonce.

The passphrase travels as a :class:`Passphrase` and the key lives inside a
:class:`Key`: both print as ``***``, so neither can reach a log, a traceback
(Textual shows the local variables of a crash) or the terminal by accident.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import msgspec

from ouder_tui.errors import StoreError

# ``cryptography`` is imported by the functions that use it: a database without a passphrase
# never loads it, so the first screen does not wait for it.

MAGIC = b"OUDERTUI-VERSLEUTELD\n"
#: The name ending of a sealed export, so nobody mistakes it for a file Excel or a browser opens.
SEALED_SUFFIX = ".versleuteld"
FORMAT_VERSION = 1
#: scrypt's cost: 2**17 with r=8 and p=1 is OWASP's advice (128 MiB, about half a second).
#: Stored in each file, so a file keeps opening when this changes.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
#: What a file may ask for: more would let a crafted file exhaust the memory of the PC.
MAX_SCRYPT_N = 2**20
SALT_BYTES = 16
NONCE_BYTES = 12
MIN_PASSPHRASE = 8

WRONG_PASSPHRASE = "Dat wachtwoord klopt niet. Let op hoofdletters en de Caps Lock-toets. Er is niets gewijzigd."
#: Said before protection goes on, in the interface and on the command line.
LOST_PASSPHRASE_WARNING = (
    "Wie het wachtwoord vergeet, verliest alle gegevens: niemand kan de databank, haar reservekopieën of "
    "versleutelde exports dan nog openen, ook de makers van ouder-tui niet. Spreek af waar de school het "
    "wachtwoord veilig bewaart (bv. bij de directie) voor je verdergaat."
)

#: Wrong passphrases in a row that are free; after them every next try waits.
FREE_TRIES = 5
WAIT_SECONDS = 30.0


class WrongPassphraseError(StoreError):
    """The passphrase does not open the file; nothing was changed."""


class PassphraseNeededError(StoreError):
    """The file is protected and no passphrase was given."""


class OtherPassphraseError(StoreError):
    """The file was sealed with another passphrase than the one this window knows (changed meanwhile)."""


class DamagedFileError(Exception):
    """A protected file whose header or data is broken (internal: storage turns it into its own error)."""


class Passphrase:
    """A passphrase that never shows itself: ``repr`` and ``str`` print ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        # One form for the same characters: 'é' typed on Windows and on Linux must open the same file.
        self._value = unicodedata.normalize("NFC", value)

    def reveal(self) -> bytes:
        """The bytes for the key derivation; call it only there."""
        return self._value.encode("utf-8")

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Passphrase) and hmac.compare_digest(self.reveal(), other.reveal())

    def __hash__(self) -> int:  # pragma: no cover - not meant for sets; defined because __eq__ is
        return 0

    def __repr__(self) -> str:
        return "Passphrase(***)"

    __str__ = __repr__

    def __reduce__(self):  # never pickled, so never written by accident
        raise TypeError("Een wachtwoord wordt nooit bewaard.")


def check_new_passphrase(value: str, repeated: str) -> dict[str, str]:
    """Dutch messages per field for a new passphrase and its repetition; empty when it is good."""
    errors = {}
    if len(unicodedata.normalize("NFC", value)) < MIN_PASSPHRASE:
        errors["nieuw"] = f"Kies een wachtwoord van minstens {MIN_PASSPHRASE} tekens; een zin is het makkelijkst."
    elif value != repeated:
        errors["herhaal"] = "De twee wachtwoorden verschillen."
    return errors


@dataclass(frozen=True)
class KdfParams:
    """How a key was derived: scrypt's costs and the salt (stored, in the clear, in the header)."""

    n: int
    r: int
    p: int
    salt: bytes

    @classmethod
    def fresh(cls) -> KdfParams:
        return cls(SCRYPT_N, SCRYPT_R, SCRYPT_P, os.urandom(SALT_BYTES))

    def header(self) -> bytes:
        line = msgspec.json.encode({"v": FORMAT_VERSION, "kdf": "scrypt", "n": self.n, "r": self.r, "p": self.p,
                                    "zout": base64.b64encode(self.salt).decode("ascii")})
        return MAGIC + line + b"\n"


class Key:
    """A key derived from a passphrase, ready to seal and open data. Prints as ``Key(***)``."""

    __slots__ = ("_aead", "_check", "params")

    def __init__(self, passphrase: Passphrase, params: KdfParams) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        raw = Scrypt(salt=params.salt, length=32, n=params.n, r=params.r, p=params.p).derive(passphrase.reveal())
        self.params = params
        self._aead = AESGCM(raw)
        # To tell whether a passphrase typed later is this one, without keeping the key bytes around.
        self._check = hmac.new(raw, b"ouder-tui sleutelcontrole", hashlib.sha256).digest()

    @classmethod
    def new(cls, passphrase: Passphrase) -> Key:
        """A key with a fresh salt, for turning protection on or changing the passphrase."""
        return cls(passphrase, KdfParams.fresh())

    def same_as(self, other: Key) -> bool:
        return self.params == other.params and hmac.compare_digest(self._check, other._check)

    def seals(self, raw: bytes) -> bool:
        """Whether ``raw`` was sealed with this key's passphrase and salt (judged by the header)."""
        try:
            return parse_header(raw)[0] == self.params
        except DamagedFileError:
            return False

    def seal(self, plain: bytes) -> bytes:
        header = self.params.header()
        nonce = os.urandom(NONCE_BYTES)
        return header + nonce + self._aead.encrypt(nonce, plain, header)

    def open(self, raw: bytes) -> bytes:
        """The plain bytes of ``raw``.

        :class:`OtherPassphraseError` when it was sealed with another salt (the passphrase changed),
        :class:`DamagedFileError` when the data does not authenticate under this (verified) key.
        """
        from cryptography.exceptions import InvalidTag

        params, start = parse_header(raw)
        if params != self.params:
            raise OtherPassphraseError(
                "Het wachtwoord van de databank werd intussen gewijzigd (in een ander venster of op een andere pc). "
                "Sluit ouder-tui en open het opnieuw met het nieuwe wachtwoord; er is niets gewijzigd."
            )
        try:
            return self._open_body(raw, start)
        except InvalidTag:
            raise DamagedFileError("de versleutelde gegevens zijn beschadigd") from None

    def _open_body(self, raw: bytes, start: int) -> bytes:
        nonce = raw[start:start + NONCE_BYTES]
        if len(nonce) != NONCE_BYTES:
            raise DamagedFileError("het bestand is afgebroken")
        return self._aead.decrypt(nonce, raw[start + NONCE_BYTES:], raw[:start])

    def __repr__(self) -> str:
        return "Key(***)"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("Een sleutel wordt nooit bewaard.")


def is_protected(raw: bytes) -> bool:
    """Whether ``raw`` (a file's bytes, or its first bytes) is a protected file."""
    return raw.startswith(MAGIC)


def file_is_protected(path: os.PathLike | str) -> bool:
    """Whether the file at ``path`` is protected (reads only its first bytes)."""
    with open(path, "rb") as handle:
        return is_protected(handle.read(len(MAGIC)))


class _Header(msgspec.Struct):
    v: int
    kdf: str
    n: int
    r: int
    p: int
    zout: str


def parse_header(raw: bytes) -> tuple[KdfParams, int]:
    """The key derivation's parameters and where the nonce starts; :class:`DamagedFileError` otherwise."""
    if not is_protected(raw):
        raise DamagedFileError("dit is geen beveiligd ouder-tui-bestand")
    end = raw.find(b"\n", len(MAGIC))
    if end < 0:
        raise DamagedFileError("de kop van het beveiligde bestand is afgebroken")
    try:
        header = msgspec.json.decode(raw[len(MAGIC):end], type=_Header)
        salt = base64.b64decode(header.zout, validate=True)
    except (msgspec.DecodeError, ValueError):
        raise DamagedFileError("de kop van het beveiligde bestand is beschadigd") from None
    if header.v != FORMAT_VERSION or header.kdf != "scrypt":
        raise DamagedFileError("dit bestand is beveiligd door een nieuwere versie van ouder-tui")
    n, r, p = header.n, header.r, header.p
    if not (2 <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16) or len(salt) < 8:
        raise DamagedFileError("de kop van het beveiligde bestand vraagt onmogelijke waarden")
    return KdfParams(n, r, p, salt), end + 1


def unlock(raw: bytes, passphrase: Passphrase) -> tuple[Key, bytes]:
    """Derive the key of ``raw`` from ``passphrase`` and open it: the key and the plain bytes.

    :class:`WrongPassphraseError` when the passphrase does not open it (the tag proves it, never a guess),
    :class:`DamagedFileError` when the header is broken.
    """
    from cryptography.exceptions import InvalidTag

    params, start = parse_header(raw)
    key = Key(passphrase, params)
    try:
        return key, key._open_body(raw, start)
    except InvalidTag:
        raise WrongPassphraseError(WRONG_PASSPHRASE) from None


class Throttle:
    """Counts wrong passphrases in a row; after :data:`FREE_TRIES` every next try waits a while."""

    def __init__(self, *, free: int = FREE_TRIES, wait: float = WAIT_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free = free
        self.wait = wait
        self.clock = clock
        self.wrong = 0
        self._not_before = 0.0

    def seconds_left(self) -> float:
        """How long before the next try is accepted (0 when it may go now)."""
        return max(0.0, self._not_before - self.clock())

    def failed(self) -> None:
        self.wrong += 1
        if self.wrong >= self.free:
            self._not_before = self.clock() + self.wait

    def succeeded(self) -> None:
        self.wrong = 0
        self._not_before = 0.0

    def refusal(self) -> str | None:
        """The Dutch message while a try must wait, else ``None``."""
        left = self.seconds_left()
        if left <= 0:
            return None
        return (f"{self.wrong} keer na elkaar een fout wachtwoord. "
                f"Wacht nog {int(left + 0.999)} seconden voor je opnieuw probeert.")
