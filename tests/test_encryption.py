"""Protecting the database with a passphrase: the sealed format, the store's operations, backups and secrecy."""

from __future__ import annotations

import io
import pickle
import unicodedata
from pathlib import Path

import pytest
from rich.console import Console
from rich.traceback import Traceback

from ouder_tui import backups, crypto, storage
from ouder_tui.errors import CorruptDatabaseError
from ouder_tui.leerlingen import Gezin, Leerling, Registry
from ouder_tui.privacy import wis, wisplan_gezin
from ouder_tui.filestore import FileStore
from ouder_tui.store import Store
from tests.conftest import FixedClock

SECRET = "Zonnebloem op het speelplein"
OTHER = "Regenboog boven de refter"
NAME = "Yasmina El Idrissi"


def pp(value: str = SECRET) -> crypto.Passphrase:
    return crypto.Passphrase(value)


def plain_of(path: Path, value: str = SECRET) -> bytes:
    """The plain bytes of a sealed file, opened independently of the store."""
    _, plain = crypto.unlock(path.read_bytes(), pp(value))
    return plain


@pytest.fixture
def protected(tmp_path: Path, clock: FixedClock) -> Store:
    store = FileStore.open(tmp_path / "school.json", user="Els", clock=clock)
    store.insert("leerlingen", {"naam": NAME, "notitie": "vertrouwelijk: papa werkt in ploegen"})
    store.set_passphrase(pp())
    return store


# -- the sealed format -----------------------------------------------------------------------------------
def test_seal_and_open_round_trip_with_a_fresh_nonce_each_time() -> None:
    key = crypto.Key.new(pp())
    one, two = key.seal(b'{"a":1}'), key.seal(b'{"a":1}')
    assert one != two  # a fresh nonce per save
    assert key.open(one) == key.open(two) == b'{"a":1}'
    assert one.startswith(crypto.MAGIC) and b'"kdf":"scrypt"' in one
    assert crypto.unlock(one, pp())[1] == b'{"a":1}'


def test_a_wrong_passphrase_is_refused_in_dutch() -> None:
    sealed = crypto.Key.new(pp()).seal(b"{}")
    with pytest.raises(crypto.WrongPassphraseError, match="wachtwoord klopt niet"):
        crypto.unlock(sealed, pp(OTHER))
    with pytest.raises(crypto.WrongPassphraseError):
        crypto.unlock(sealed, pp(""))


def test_a_changed_header_or_body_does_not_open() -> None:
    """The header is authenticated with the data: lowering the cost or flipping a bit is noticed, and with the
    right passphrase it is called damage, not a wrong passphrase (the key check value in the header)."""
    key = crypto.Key.new(pp())
    sealed = key.seal(b'{"leerlingen":{}}')
    flipped = sealed[:-5] + bytes([sealed[-5] ^ 1]) + sealed[-4:]
    with pytest.raises(crypto.DamagedFileError):
        key.open(flipped)
    with pytest.raises(crypto.DamagedFileError):
        crypto.unlock(flipped, pp())
    with pytest.raises(crypto.WrongPassphraseError):
        crypto.unlock(flipped, pp(OTHER))
    start = sealed.index(b"\n", len(crypto.MAGIC)) + 1
    for at in range(len(crypto.MAGIC), start - 1):  # every byte of the header line
        damaged = sealed[:at] + bytes([sealed[at] ^ 4]) + sealed[at + 1:]
        with pytest.raises(crypto.DamagedFileError):
            crypto.unlock(damaged, pp())
    # a format-1 file (no key check value) with another salt: a wrong passphrase, as before
    other_salt = crypto.KdfParams(key.params.n, key.params.r, key.params.p, b"\0" * 16).header()
    with pytest.raises(crypto.WrongPassphraseError):
        crypto.unlock(other_salt + sealed[start:], pp())


def test_a_crafted_header_cannot_ask_for_more_than_256_mb() -> None:
    """A 300-byte file asking scrypt for r=32, n=2**20 (4 GB) is refused before any key is derived."""
    for n, r, p in ((2**20, 32, 1), (2**20, 8, 1), (2**18, 16, 1), (2**17, 8, 16)):
        header = (b'{"v":1,"kdf":"scrypt","n":%d,"r":%d,"p":%d,"zout":"AAAAAAAAAAAAAAAAAAAAAA=="}' % (n, r, p))
        with pytest.raises(crypto.DamagedFileError, match="meer geheugen of rekentijd"):
            crypto.unlock(crypto.MAGIC + header + b"\n" + b"\0" * 240, pp())
    assert 128 * crypto.SCRYPT_R * 2**17 <= crypto.MAX_KDF_MEMORY  # the default itself always opens


def test_a_format_1_file_still_opens_and_new_seals_carry_the_key_check() -> None:
    key = crypto.Key.new(pp())
    nonce = b"\1" * crypto.NONCE_BYTES  # sealed as version 1 did: its header as associated data
    header = key.params.header()
    old = header + nonce + key._aead.encrypt(nonce, b"{}", header)
    assert crypto.header_check_value(old) is None
    assert crypto.unlock(old, pp())[1] == b"{}"
    with pytest.raises(crypto.WrongPassphraseError):
        crypto.unlock(old, pp(OTHER))
    assert crypto.header_check_value(key.seal(b"{}")) == key.check_value


@pytest.mark.parametrize("header", [b'{"v":1}', b'{"v":1,"kdf":"scrypt","n":1073741824,"r":8,"p":1,"zout":"AAAAAAAAAAAAAAAAAAAAAA=="}',
                                    b'{"v":2,"kdf":"scrypt","n":1024,"r":8,"p":1,"zout":"AAAAAAAAAAAAAAAAAAAAAA=="}',
                                    b"niet eens json"])
def test_a_header_asking_for_the_impossible_is_refused_before_any_work(header: bytes) -> None:
    with pytest.raises(crypto.DamagedFileError):
        crypto.unlock(crypto.MAGIC + header + b"\n" + b"\0" * 40, pp())


def test_the_same_letters_typed_on_another_system_open_the_file() -> None:
    """'é' as one character (Windows) or as e + accent (some Linux input methods) is the same passphrase."""
    composed = "Crème brûlée voor iedereen"
    sealed = crypto.Key.new(pp(composed)).seal(b"{}")
    assert crypto.unlock(sealed, pp(unicodedata.normalize("NFD", composed)))[1] == b"{}"


def test_the_default_cost_is_the_advised_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the tests' cheap cost off: the real default
    assert (crypto.SCRYPT_N, crypto.SCRYPT_R, crypto.SCRYPT_P) == (2**17, 8, 1)
    assert crypto.KdfParams.fresh().n == 2**17


def test_new_passphrases_are_checked_in_dutch() -> None:
    assert "minstens 8" in crypto.check_new_passphrase("kort", "kort")["nieuw"]
    assert "verschillen" in crypto.check_new_passphrase(SECRET, SECRET + "!")["herhaal"]
    assert crypto.check_new_passphrase(SECRET, SECRET) == {}


def test_passphrase_and_key_never_show_themselves() -> None:
    passphrase = pp()
    key = crypto.Key.new(passphrase)
    for shown in (repr(passphrase), str(passphrase), f"{passphrase}", repr(key), str(key), repr([passphrase, key])):
        assert SECRET not in shown and "***" in shown
    with pytest.raises(TypeError):
        pickle.dumps(passphrase)
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_a_crash_traceback_with_locals_does_not_show_the_passphrase(tmp_path: Path) -> None:
    """Textual prints a crash with the local variables of every frame; the passphrase must not be among them."""
    store = FileStore.open(tmp_path / "school.json")
    store.set_passphrase(pp())

    def unlock_then_crash(passphrase: crypto.Passphrase) -> None:
        key = crypto.Key(passphrase, store.storage.key.params)  # noqa: F841 - shown by the traceback
        raise RuntimeError("boem")

    try:
        unlock_then_crash(pp())
    except RuntimeError:
        buffer = io.StringIO()
        Console(file=buffer, width=200).print(Traceback(show_locals=True))
    shown = buffer.getvalue()
    assert "boem" in shown and "Passphrase(***)" in shown
    assert SECRET not in shown


def test_throttle_waits_after_five_wrong_tries_in_a_row() -> None:
    now = [100.0]
    throttle = crypto.Throttle(clock=lambda: now[0])
    for _ in range(4):
        throttle.failed()
        assert throttle.refusal() is None
    throttle.failed()
    assert throttle.refusal() == "5 keer na elkaar een fout wachtwoord. Wacht nog 30 seconden voor je opnieuw probeert."
    now[0] += 29.5
    assert "Wacht nog 1 seconden" in throttle.refusal()
    now[0] += 1
    assert throttle.refusal() is None
    throttle.failed()  # the sixth wrong one waits again
    assert throttle.seconds_left() == 30
    throttle.succeeded()
    assert throttle.refusal() is None and throttle.wrong == 0


# -- the store -----------------------------------------------------------------------------------------------
def test_a_protected_file_holds_no_readable_data(protected: Store) -> None:
    raw = protected.path.read_bytes()
    assert crypto.is_protected(raw)
    assert NAME.encode() not in raw and b"leerlingen" not in raw and b"ploegen" not in raw
    assert NAME.encode() in plain_of(protected.path)


def test_saves_on_a_protected_store_stay_protected_and_reopen(protected: Store, clock: FixedClock) -> None:
    protected.insert("leerlingen", {"naam": "Tweede leerling"})
    assert crypto.is_protected(protected.path.read_bytes())
    again = FileStore.open(protected.path, clock=clock, passphrase=pp())
    assert sorted(r["naam"] for r in again.all("leerlingen")) == ["Tweede leerling", NAME]
    assert again.protected


def test_opening_without_or_with_a_wrong_passphrase_changes_nothing(protected: Store) -> None:
    before = protected.path.read_bytes()
    unopened = FileStore.unopened(protected.path)
    assert unopened.needs_passphrase() and unopened.protected
    with pytest.raises(crypto.PassphraseNeededError, match="beveiligd met een wachtwoord"):
        unopened.load()
    with pytest.raises(crypto.WrongPassphraseError, match="klopt niet"):
        FileStore.open(protected.path, passphrase=pp(OTHER))
    assert protected.path.read_bytes() == before
    assert backups.list_backups(protected.path) == []  # a failed open makes no start backup


def test_change_and_turn_off_need_the_current_passphrase(protected: Store) -> None:
    before = protected.path.read_bytes()
    with pytest.raises(crypto.WrongPassphraseError, match="huidige wachtwoord klopt niet"):
        protected.set_passphrase(pp(OTHER), current=pp("fout fout fout"))
    with pytest.raises(crypto.WrongPassphraseError):
        protected.set_passphrase(None)
    assert protected.path.read_bytes() == before

    protected.set_passphrase(pp(OTHER), current=pp())
    with pytest.raises(crypto.WrongPassphraseError):
        FileStore.open(protected.path, passphrase=pp())
    assert NAME.encode() in plain_of(protected.path, OTHER)

    protected.set_passphrase(None, current=pp(OTHER))
    raw = protected.path.read_bytes()
    assert not crypto.is_protected(raw) and NAME.encode() in raw
    assert FileStore.open(protected.path).all("leerlingen")[0]["naam"] == NAME


def test_protection_changes_are_logged_with_who_and_when_never_the_passphrase(protected: Store,
                                                                               clock: FixedClock) -> None:
    protected.set_user("Jan")
    protected.set_passphrase(pp(OTHER), current=pp())
    log = protected.logboek(tabel="databank")
    assert [(e["actie"], e["door"]) for e in log] == [("wachtwoord", "Jan"), ("beveiligd", "Els")]
    assert protected.protection_changed()["door"] == "Jan"
    plain = plain_of(protected.path, OTHER)
    assert SECRET.encode() not in plain and OTHER.encode() not in plain


def test_backups_follow_the_protection(tmp_path: Path, clock: FixedClock) -> None:
    """Backups made before protection are sealed with it, follow a change, and are readable again after 'off'."""
    db = tmp_path / "school.json"
    store = FileStore.open(db, clock=clock)
    store.insert("leerlingen", {"naam": NAME})
    FileStore.open(db, clock=clock)  # a start backup, readable
    [(_, copy)] = backups.list_backups(db)
    assert NAME.encode() in copy.read_bytes()

    assert store.set_passphrase(pp()) == []
    sealed = copy.read_bytes()
    assert crypto.is_protected(sealed) and NAME.encode() not in sealed
    assert NAME.encode() in crypto.unlock(sealed, pp())[1]

    store.set_passphrase(pp(OTHER), current=pp())
    with pytest.raises(crypto.WrongPassphraseError):
        crypto.unlock(copy.read_bytes(), pp())
    assert NAME.encode() in crypto.unlock(copy.read_bytes(), pp(OTHER))[1]

    FileStore.open(db, clock=clock, passphrase=pp(OTHER))  # a start backup of the protected file is protected
    assert all(crypto.is_protected(path.read_bytes()) for _, path in backups.list_backups(db))

    store.set_passphrase(None, current=pp(OTHER))
    assert all(NAME.encode() in path.read_bytes() for _, path in backups.list_backups(db))


def test_another_window_changing_the_passphrase_stops_saves_here(protected: Store, clock: FixedClock) -> None:
    other = FileStore.open(protected.path, clock=clock, passphrase=pp(), user="Jan")
    other.set_passphrase(pp(OTHER), current=pp())
    assert [r["naam"] for r in protected.all("leerlingen")] == [NAME]  # what was read stays on screen
    with pytest.raises(crypto.OtherPassphraseError, match="intussen gewijzigd"):
        protected.insert("leerlingen", {"naam": "Verloren?"})
    assert [r["naam"] for r in FileStore.open(protected.path, passphrase=pp(OTHER)).all("leerlingen")] == [NAME]


def test_another_window_turning_protection_off_is_followed(protected: Store, clock: FixedClock) -> None:
    other = FileStore.open(protected.path, clock=clock, passphrase=pp(), user="Jan")
    other.set_passphrase(None, current=pp())
    protected.insert("leerlingen", {"naam": "Na het uitzetten"})
    assert b"Na het uitzetten" in protected.path.read_bytes()  # written the way the file now is


def test_a_damaged_protected_file_is_not_overwritten_and_names_a_backup(protected: Store, clock: FixedClock) -> None:
    FileStore.open(protected.path, clock=clock, passphrase=pp())  # a protected start backup
    raw = bytearray(protected.path.read_bytes())
    raw[-3] ^= 0xFF
    protected.path.write_bytes(bytes(raw))
    with pytest.raises(CorruptDatabaseError) as caught:
        protected.insert("leerlingen", {"naam": "x"})
    assert caught.value.backup and "reservekopie" in str(caught.value)
    assert protected.path.read_bytes() == bytes(raw)


@pytest.mark.file_home
def test_erasing_a_family_on_a_protected_database_leaves_no_trace(store: Store, clock: FixedClock) -> None:
    registry = Registry(store)
    gezin = registry.add_gezin(Gezin(naam="Zwijsenberghe", notities="Vertrouwelijk verhaal"))
    registry.add_leerling(Leerling(voornaam="Lotte", familienaam="Zwijsenberghe", klas="4A", gezin_id=gezin.id))
    store.set_passphrase(pp())
    FileStore.open(store.path, clock=clock, passphrase=pp())  # a protected backup from before the erasure
    wis(registry, wisplan_gezin(registry, gezin.id))
    FileStore.open(store.path, clock=clock, passphrase=pp())  # and one made after it
    newest = backups.list_backups(store.path)[0][1]
    for plain in (plain_of(store.path), crypto.unlock(newest.read_bytes(), pp())[1]):
        assert b"Zwijsenberghe" not in plain and b"Vertrouwelijk" not in plain
        assert b'"gewist"' in plain  # the one line in the log saying that an erasure happened


def test_storage_refuses_a_protected_file_without_a_key(protected: Store) -> None:
    reader = storage.AtomicJSONStorage(protected.path)
    with pytest.raises(crypto.PassphraseNeededError):
        reader.refresh()
