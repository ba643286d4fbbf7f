"""System errors reach users as Dutch sentences that say what to do, never as English fragments."""

from __future__ import annotations

import errno
import os

import msgspec
import pytest

from ouder_tui.errors import OuderTuiError, StoreError


@pytest.mark.parametrize("code,dutch", [(errno.ENOSPC, "de schijf is vol"), (errno.EACCES, "geen toegang"),
                                        (errno.EROFS, "alleen-lezen"), (errno.ENOENT, "bestaat niet")])
def test_an_os_reason_in_a_core_message_is_dutch(code: int, dutch: str) -> None:
    exc = OSError(code, os.strerror(code))
    message = str(StoreError(f"Bewaren is mislukt: {exc.strerror or exc}. De databank is niet gewijzigd."))
    assert dutch in message and os.strerror(code) not in message


def test_the_errno_prefix_and_a_windows_reason_are_dutch_too() -> None:
    message = str(OuderTuiError("Kan x.xlsx niet schrijven: [WinError 32] The process cannot access the file "
                                "because it is being used by another process."))
    assert message.startswith("Kan x.xlsx niet schrijven: het bestand is in gebruik") and "WinError" not in message


def test_a_truncated_file_is_said_in_dutch() -> None:
    try:
        msgspec.json.decode(b'{"a": [1, 2')
    except msgspec.DecodeError as exc:
        message = str(StoreError(f"Het databankbestand is beschadigd: {exc}."))
    assert "onvolledig" in message and "truncated" not in message


@pytest.mark.file_home
def test_a_full_disk_while_saving_says_what_to_do(store, monkeypatch) -> None:
    from ouder_tui.leerlingen import Leerling, Registry

    real_replace = os.replace

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OuderTuiError) as caught:
        Registry(store).add_leerling(Leerling(voornaam="Ana", familienaam="Peeters"))
    monkeypatch.setattr(os, "replace", real_replace)
    assert "de schijf is vol" in str(caught.value) and "No space" not in str(caught.value)


@pytest.mark.file_home
async def test_a_full_disk_on_screen_is_a_dutch_sentence(demo_store, monkeypatch) -> None:
    from ouder_tui.app import make_app
    from screens.leerling import LeerlingScreen

    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LeerlingScreen)

        def full(*args, **kwargs):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "replace", full)
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("tab", "enter")  # Verwijderen
        await pilot.pause()
        monkeypatch.undo()
        messages = [n.message for n in app._notifications]
        assert any("de schijf is vol" in m for m in messages), messages
