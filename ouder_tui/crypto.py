"""Protecting the database with a passphrase: scrypt for the key, AES-GCM for the data.

Nothing here is hand-made cryptography: the key comes from scrypt and the data is
sealed with AES-256-GCM, both from the ``cryptography`` package. This module only
fixes the file layout::

    OUDERTUI-VERSLEUTELD\\n                 a marker anyone opening the file can read
    {"v":2,"kdf":"scrypt","n":...,"r":...,"p":...,"zout":"<base64>","sleutelcontrole":"<base64>","kop":"<hex>"}\\n
    <12-byte nonce><ciphertext and 16-byte tag>

The marker and the header line are authenticated with the data (AES-GCM's
associated data), so neither can be changed unnoticed. The salt is drawn when a
passphrase is set and kept until it changes; every save draws a fresh nonce.

Two small fields tell a wrong passphrase from a damaged file, which AES-GCM alone
cannot: ``sleutelcontrole`` is an HMAC of a fixed text under the derived key (a
passphrase that gives another value is wrong; one that gives this value is right,
so a tag that then fails means damage), and ``kop`` is a SHA-256 of the header line
itself, so damage to the salt or the costs is not mistaken for a wrong passphrase.
Files of format 1 (without both) still open; they are written as format 2 on the
next save.

The costs a header may ask for are capped (:data:`MAX_KDF_MEMORY`, :data:`MAX_KDF_WORK`),
so no file can make opening it take more than 256 MB of memory or a few seconds.

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
FORMAT_VERSION = 2
#: Format 1 had no key check value and no header checksum; it is still read.
READABLE_FORMATS = (1, 2)
#: scrypt's cost: 2**17 with r=8 and p=1 is OWASP's advice (128 MiB, about half a second).
#: Stored in each file, so a file keeps opening when this changes.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
#: What a file may ask for: more would let a crafted file exhaust the memory of the PC
#: (scrypt needs 128 * r * n bytes) or keep it busy for minutes (work grows with n * r * p).
MAX_SCRYPT_N = 2**20
MAX_KDF_MEMORY = 256 * 2**20
MAX_KDF_WORK = 4 * 2**17 * 8
KCV_BYTES = 16
_KOP_ZEROS = "0" * 16
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


class PassphraseTextError(StoreError):
    """The passphrase given holds bytes that are not text; nothing was tried."""


class DamagedFileError(Exception):
    """A protected file whose header or data is broken (internal: storage turns it into its own error)."""


class Passphrase:
    """A passphrase that never shows itself: ``repr`` and ``str`` print ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        # One form for the same characters: 'é' typed on Windows and on Linux must open the same file.
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are no text, e.g. from an environment variable
            raise PassphraseTextError(
                "Het wachtwoord bevat bytes die geen tekst zijn (geen UTF-8), bv. in OUDER_TUI_WACHTWOORD. "
                "Er is niets gewijzigd.") from None
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

    def header(self, check_value: bytes | None = None) -> bytes:
        """The header of a file sealed with these parameters (format 2 with the key's check value)."""
        if check_value is None:  # format 1: only for tests that build old files
            line = msgspec.json.encode({"v": 1, "kdf": "scrypt", "n": self.n, "r": self.r, "p": self.p,
                                        "zout": base64.b64encode(self.salt).decode("ascii")})
            return MAGIC + line + b"\n"
        line = msgspec.json.encode({"v": FORMAT_VERSION, "kdf": "scrypt", "n": self.n, "r": self.r, "p": self.p,
                                    "zout": base64.b64encode(self.salt).decode("ascii"),
                                    "sleutelcontrole": base64.b64encode(check_value).decode("ascii"),
                                    "kop": _KOP_ZEROS})
        line = line.replace(_KOP_ZEROS.encode(), _header_digest(line).encode())
        return MAGIC + line + b"\n"


def _header_digest(line: bytes) -> str:
    """The checksum of a header line, computed with its own ``kop`` value written as zeros."""
    return hashlib.sha256(line).hexdigest()[:len(_KOP_ZEROS)]


class Key:
    """A key derived from a passphrase, ready to seal and open data. Prints as ``Key(***)``."""

    __slots__ = ("_aead", "_check", "check_value", "params")

    def __init__(self, passphrase: Passphrase, params: KdfParams) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        raw = Scrypt(salt=params.salt, length=32, n=params.n, r=params.r, p=params.p).derive(passphrase.reveal())
        self.params = params
        self._aead = AESGCM(raw)
        # To tell whether a passphrase typed later is this one, without keeping the key bytes around.
        self._check = hmac.new(raw, b"ouder-tui sleutelcontrole", hashlib.sha256).digest()
        #: Written in the header so that a wrong passphrase is told from a damaged file.
        self.check_value = hmac.new(raw, b"ouder-tui sleutelcontrole in de kop", hashlib.sha256).digest()[:KCV_BYTES]

    @classmethod
    def new(cls, passphrase: Passphrase) -> Key:
        """A key with a fresh salt, for turning protection on or changing the passphrase."""
        return cls(passphrase, KdfParams.fresh())

    def same_as(self, other: Key) -> bool:
        return self.params == other.params and hmac.compare_digest(self._check, other._check)

    def seals(self, raw: bytes) -> bool:
        """Whether ``raw`` was sealed with this key's passphrase and salt (judged by the header)."""
        try:
            if parse_header(raw)[0] != self.params:
                return False
            check = header_check_value(raw)
        except DamagedFileError:
            return False
        return check is None or hmac.compare_digest(check, self.check_value)

    def seal(self, plain: bytes) -> bytes:
        return b"".join(self.seal_pieces(plain))

    def seal_pieces(self, plain: bytes | bytearray) -> list[bytes]:
        """:meth:`seal` as the pieces to write one after the other: the header with the nonce, and the sealed
        data (joining them would copy the whole file once more)."""
        header = self.params.header(self.check_value)
        nonce = os.urandom(NONCE_BYTES)
        return [header + nonce, self._aead.encrypt(nonce, plain, header)]

    def open(self, raw: bytes) -> bytes:
        """The plain bytes of ``raw``.

        :class:`OtherPassphraseError` when it was sealed with another salt (the passphrase changed),
        :class:`DamagedFileError` when the data does not authenticate under this (verified) key.
        """
        from cryptography.exceptions import InvalidTag

        params, start = parse_header(raw)
        check = header_check_value(raw)
        if params != self.params or (check is not None and not hmac.compare_digest(check, self.check_value)):
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
    """Whether ``raw`` (a file's bytes, or its first bytes; any buffer that slices to bytes) is a protected file."""
    return raw[:len(MAGIC)] == MAGIC


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
    sleutelcontrole: str = ""
    kop: str = ""


def _read_header(raw: bytes) -> tuple[_Header, bytes, int]:
    if not is_protected(raw):
        raise DamagedFileError("dit is geen beveiligd ouder-tui-bestand")
    end = raw.find(b"\n", len(MAGIC))
    if end < 0:
        raise DamagedFileError("de kop van het beveiligde bestand is afgebroken")
    line = raw[len(MAGIC):end]
    try:
        header = msgspec.json.decode(line, type=_Header)
        salt = base64.b64decode(header.zout, validate=True)
    except (msgspec.DecodeError, ValueError):
        raise DamagedFileError("de kop van het beveiligde bestand is beschadigd") from None
    if header.v not in READABLE_FORMATS:
        if header.v > FORMAT_VERSION:
            raise DamagedFileError("dit bestand is beveiligd door een nieuwere versie van ouder-tui")
        raise DamagedFileError("de kop van het beveiligde bestand is beschadigd")
    if header.v >= 2:
        if len(header.kop) != len(_KOP_ZEROS) or not header.kop.isascii():
            raise DamagedFileError("de kop van het beveiligde bestand is beschadigd")
        zeroed = line.replace(f'"kop":"{header.kop}"'.encode(), f'"kop":"{_KOP_ZEROS}"'.encode(), 1)
        if not hmac.compare_digest(_header_digest(zeroed), header.kop):
            raise DamagedFileError("de kop van het beveiligde bestand is beschadigd")
    if header.kdf != "scrypt":
        raise DamagedFileError("dit bestand is beveiligd door een nieuwere versie van ouder-tui")
    return header, salt, end + 1


def parse_header(raw: bytes) -> tuple[KdfParams, int]:
    """The key derivation's parameters and where the nonce starts; :class:`DamagedFileError` otherwise.

    A header asking for more than :data:`MAX_KDF_MEMORY` or :data:`MAX_KDF_WORK` is refused before any work.
    """
    header, salt, start = _read_header(raw)
    n, r, p = header.n, header.r, header.p
    if not (2 <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16) or len(salt) < 8:
        raise DamagedFileError("de kop van het beveiligde bestand vraagt onmogelijke waarden")
    if 128 * r * n > MAX_KDF_MEMORY or n * r * p > MAX_KDF_WORK:
        raise DamagedFileError("de kop van het beveiligde bestand vraagt meer geheugen of rekentijd dan toegestaan "
                               "(beschadigd, of niet door ouder-tui gemaakt)")
    return KdfParams(n, r, p, salt), start


def header_check_value(raw: bytes) -> bytes | None:
    """The key check value in a protected file's header (``None`` for format 1); the header must be sound."""
    header, _, _ = _read_header(raw)
    if header.v < 2:
        return None
    try:
        value = base64.b64decode(header.sleutelcontrole, validate=True)
    except ValueError:
        raise DamagedFileError("de kop van het beveiligde bestand is beschadigd") from None
    if len(value) != KCV_BYTES:
        raise DamagedFileError("de kop van het beveiligde bestand is beschadigd")
    return value


def unlock(raw: bytes, passphrase: Passphrase) -> tuple[Key, bytes]:
    """Derive the key of ``raw`` from ``passphrase`` and open it: the key and the plain bytes.

    :class:`WrongPassphraseError` when the passphrase is not the file's (the key check value in the header
    says so; a file of format 1 has none, so there a failing tag counts as a wrong passphrase),
    :class:`DamagedFileError` when the header is broken or the data does not authenticate under the right key.
    """
    from cryptography.exceptions import InvalidTag

    params, start = parse_header(raw)
    check = header_check_value(raw)
    key = Key(passphrase, params)
    if check is not None and not hmac.compare_digest(check, key.check_value):
        raise WrongPassphraseError(WRONG_PASSPHRASE)
    try:
        return key, key._open_body(raw, start)
    except InvalidTag:
        if check is not None:
            raise DamagedFileError("de versleutelde gegevens zijn beschadigd") from None
        raise WrongPassphraseError(WRONG_PASSPHRASE) from None


def right_passphrase(raw: bytes, key: Key) -> bool | None:
    """Whether ``key`` is the one ``raw`` was sealed with, judged by the header alone (``None``: format 1 cannot say)."""
    check = header_check_value(raw)
    if check is None:
        return None
    return key.params == parse_header(raw)[0] and hmac.compare_digest(check, key.check_value)


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
