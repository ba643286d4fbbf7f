"""Where the database lives (issue 14, item 9): the order of the choices, the settings files, the warnings
(on Windows-style paths and environments, tested anywhere), the machine-wide folder, and ``ouder-tui locatie``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ouder_tui import locatie
from ouder_tui.cli import main
from ouder_tui.filestore import FileStore
from ouder_tui.locatie import (
    LocationError,
    Outcome,
    carry_out,
    ensure_machine_folder,
    existing_user_databases,
    location_warnings,
    machine_folder,
    read_choice,
    resolve,
    save_choice,
    save_with_fallback,
)

WIN = "win32"
REAL_TEMP_FOLDERS = locatie.temp_folders
#: A Windows account's environment, as Windows sets it.
WIN_ENV = {
    "USERPROFILE": r"C:\Users\juf.anja",
    "LOCALAPPDATA": r"C:\Users\juf.anja\AppData\Local",
    "APPDATA": r"C:\Users\juf.anja\AppData\Roaming",
    "TEMP": r"C:\Users\juf.anja\AppData\Local\Temp",
    "TMP": r"C:\Users\juf.anja\AppData\Local\Temp",
    "PROGRAMDATA": r"C:\ProgramData",
    "SystemRoot": r"C:\Windows",
}


@pytest.fixture(autouse=True)
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """This test's own machine-wide and per-user folders; no temporary folder counts as one (tmp_path is in
    one), except where a test says so."""
    pc, user = tmp_path / "pc", tmp_path / "gebruiker"
    monkeypatch.setenv("OUDER_TUI_MACHINE_DIR", str(pc))
    monkeypatch.setenv("OUDER_TUI_USER_DIR", str(user))
    monkeypatch.delenv("OUDER_TUI_DB", raising=False)
    monkeypatch.setattr(locatie, "temp_folders", lambda **_: [])
    return {"pc": pc, "gebruiker": user}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- the order -----------------------------------------------------------------------------------------


def test_db_beats_the_variable_beats_the_users_choice_beats_the_pcs_choice(tmp_path: Path, monkeypatch) -> None:
    assert resolve(None) is None  # nothing chosen yet
    save_choice(str(tmp_path / "pc.json"), machine=True)
    assert resolve(None).databank == str(tmp_path / "pc.json") and resolve(None).bron == "pc"
    save_choice(str(tmp_path / "mijn.json"), machine=False)
    assert resolve(None).databank == str(tmp_path / "mijn.json") and resolve(None).bron == "gebruiker"
    monkeypatch.setenv("OUDER_TUI_DB", str(tmp_path / "env.json"))
    assert resolve(None).databank == str(tmp_path / "env.json") and resolve(None).bron == "OUDER_TUI_DB"
    choice = resolve(str(tmp_path / "optie.json"))
    assert choice.databank == str(tmp_path / "optie.json") and choice.bron == "--db"
    assert choice.database() == tmp_path / "optie.json"
    assert resolve("postgresql://server/school").database() == "postgresql://server/school"


def test_the_settings_files_hold_the_database_who_chose_and_when(folders, tmp_path: Path) -> None:
    path, _ = save_choice(str(tmp_path / "x.json"), machine=True, by="juf Anja")
    assert path == folders["pc"] / "locatie.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["databank"] == str(tmp_path / "x.json") and data["gekozen_door"] == "juf Anja"
    assert data["op"][:4].isdigit() and "T" in data["op"]
    path, _ = save_choice("postgresql://schoolserver/ouders", machine=False)
    assert path == folders["gebruiker"] / "locatie.json"
    assert json.loads(path.read_text(encoding="utf-8"))["databank"] == "postgresql://schoolserver/ouders"
    assert "juf Anja" in read_choice(folders["pc"] / "locatie.json", "pc").describe()


def test_a_relative_path_or_a_folder_is_kept_as_the_full_path_of_the_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zorg").mkdir()
    save_choice("zorg", machine=True)
    assert resolve(None).databank == str(tmp_path / "zorg" / "ouder-tui.json")
    save_choice("elders/db.json", machine=True)
    assert resolve(None).databank == str(tmp_path / "elders" / "db.json")


def test_a_password_in_the_url_is_never_written_down() -> None:
    with pytest.raises(LocationError, match="geen wachtwoord"):
        save_choice("postgresql://juf:geheim@server/school", machine=True)
    with pytest.raises(LocationError, match="geen wachtwoord"):
        save_choice("postgresql://server/school?password=geheim", machine=False)
    assert resolve(None) is None


def test_a_damaged_settings_file_is_a_dutch_error_naming_it(folders) -> None:
    folders["pc"].mkdir()
    (folders["pc"] / "locatie.json").write_text("{kapot", encoding="utf-8")
    with pytest.raises(LocationError, match="onleesbaar.*ouder-tui locatie"):
        resolve(None)


def test_old_per_user_databases_are_found_but_not_the_demo(folders) -> None:
    folders["gebruiker"].mkdir()
    (folders["gebruiker"] / "demo.json").write_text("{}")
    assert existing_user_databases() == []
    FileStore.open(folders["gebruiker"] / "ouder-tui.json")
    assert existing_user_databases() == [folders["gebruiker"] / "ouder-tui.json"]


# --- the machine-wide folder -------------------------------------------------------------------------------


def test_the_machine_wide_folder_is_programdata_on_windows_and_the_site_folder_elsewhere(monkeypatch) -> None:
    assert str(machine_folder(env=WIN_ENV, platform=WIN)) == r"C:\ProgramData\ouder-tui"
    assert machine_folder(env={}, platform="linux").name == "ouder-tui"
    assert machine_folder(env={"OUDER_TUI_MACHINE_DIR": "/elders"}, platform=WIN) == Path("/elders")


class FakeIcacls:
    """Records the commands; answers with ``code``."""

    def __init__(self, code: int = 0, stderr: str = "") -> None:
        self.calls: list[list[str]] = []
        self.code, self.stderr = code, stderr

    def __call__(self, command, **kwargs):
        self.calls.append(command)
        return subprocess.CompletedProcess(command, self.code, "", self.stderr)


def test_on_windows_a_new_machine_folder_lets_every_local_account_write(tmp_path: Path) -> None:
    icacls = FakeIcacls()
    folder = tmp_path / "ProgramData" / "ouder-tui"
    assert ensure_machine_folder(folder, env={}, platform=WIN, run=icacls) == []
    assert folder.is_dir()
    assert icacls.calls == [["icacls", str(folder), "/grant", "*S-1-5-32-545:(OI)(CI)M"]]
    assert ensure_machine_folder(folder, env={}, platform=WIN, run=icacls) == []  # it exists: left alone
    assert len(icacls.calls) == 1


def test_when_icacls_fails_the_folder_is_usable_and_a_dutch_warning_says_what_to_run(tmp_path: Path) -> None:
    icacls = FakeIcacls(5, "Toegang geweigerd.")
    folder = tmp_path / "ouder-tui"
    [warning] = ensure_machine_folder(folder, env={}, platform=WIN, run=icacls)
    assert "geen schrijfrechten" in warning and "Toegang geweigerd" in warning
    assert f'icacls "{folder}" /grant *S-1-5-32-545:(OI)(CI)M' in warning


def test_a_machine_folder_that_cannot_be_made_suggests_the_shared_folder(tmp_path: Path) -> None:
    (tmp_path / "bestand").write_text("")
    with pytest.raises(LocationError, match="gedeelde map"):
        ensure_machine_folder(tmp_path / "bestand" / "ouder-tui", env={}, platform="linux")


def test_without_rights_on_the_machine_folder_the_choice_is_kept_for_the_user(folders, tmp_path, monkeypatch) -> None:
    (tmp_path / "bestand").write_text("")
    monkeypatch.setenv("OUDER_TUI_MACHINE_DIR", str(tmp_path / "bestand" / "pc"))
    path, notes = save_with_fallback(str(tmp_path / "db.json"), machine=True)
    assert path == folders["gebruiker"] / "locatie.json"
    assert "beheerdersrechten nodig" in notes[-1] and "alleen voor jou" in notes[-1]
    assert resolve(None).bron == "gebruiker"


# --- warnings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "service"), [
    (r"C:\Users\juf.anja\OneDrive - Scholengroep Noord\zorg\ouder-tui.json", "OneDrive"),
    (r"C:\Users\juf.anja\OneDrive\ouder-tui.json", "OneDrive"),
    (r"c:\users\JUF.ANJA\onedrive\ouder-tui.json", "OneDrive"),
    (r"C:\Users\juf.anja\Dropbox\school\ouder-tui.json", "Dropbox"),
    (r"D:\Dropbox (Scholengroep)\ouder-tui.json", "Dropbox"),
    (r"G:\My Drive\zorg\ouder-tui.json", "Google Drive"),
    (r"G:\Mijn Drive\ouder-tui.json", "Google Drive"),
    (r"C:\Users\juf.anja\iCloudDrive\ouder-tui.json", "iCloud Drive"),
    (r"C:\Users\juf.anja\Nextcloud\ouder-tui.json", "Nextcloud"),
])
def test_a_cloud_synced_folder_on_windows_is_warned_against_with_the_reason(path: str, service: str) -> None:
    warnings = location_warnings(path, env=WIN_ENV, platform=WIN)
    assert f"een map die {service} synchroniseert" in warnings[0]
    assert "conflictkopieën en kent geen gedeeld slot: twee pc's verliezen elkaars wijzigingen" in warnings[0]


def test_onedrive_is_also_found_through_its_variables_whatever_the_folder_is_called() -> None:
    env = WIN_ENV | {"OneDriveCommercial": r"D:\Sync\Scholengroep"}
    assert "OneDrive" in location_warnings(r"D:\Sync\Scholengroep\zorg\ouder-tui.json", env=env, platform=WIN)[0]
    assert location_warnings(r"D:\Sync\Ander\ouder-tui.json", env=env, platform=WIN) == []
    env = WIN_ENV | {"OneDriveConsumer": r"E:\Wolk"}
    assert "OneDrive" in location_warnings(r"e:\wolk\ouder-tui.json", env=env, platform=WIN)[0]


@pytest.mark.parametrize(("path", "service"), [
    ("/Users/anja/Library/CloudStorage/GoogleDrive-anja@school.be/My Drive/ouder-tui.json", "Google Drive"),
    ("/Users/anja/Library/CloudStorage/OneDrive-Scholengroep/ouder-tui.json", "OneDrive"),
    ("/Users/anja/Library/Mobile Documents/com~apple~CloudDocs/ouder-tui.json", "iCloud Drive"),
    ("/home/anja/Dropbox/ouder-tui.json", "Dropbox"),
    ("/home/anja/ownCloud/zorg/ouder-tui.json", "ownCloud"),
])
def test_cloud_folders_on_mac_and_linux(path: str, service: str) -> None:
    assert f"een map die {service} synchroniseert" in location_warnings(path, env={}, platform="darwin")[0]


def test_the_per_user_profile_that_shared_and_guest_profiles_wipe_is_warned_against() -> None:
    [warning] = location_warnings(r"C:\Users\juf.anja\AppData\Local\ouder-tui\ouder-tui.json", env=WIN_ENV,
                                  platform=WIN)
    assert "AppData" in warning and "gast" in warning and "afmelden" in warning
    [warning] = location_warnings(r"C:\Users\juf.anja\AppData\Roaming\ouder-tui.json", env=WIN_ENV, platform=WIN)
    assert "AppData" in warning
    [warning] = location_warnings(r"C:\Users\juf.anja\Documents\ouder-tui.json", env=WIN_ENV, platform=WIN)
    assert "andere Windows-gebruikers op deze pc zien die databank niet" in warning


@pytest.mark.parametrize("path", [r"C:\Users\TEMP\Documents\ouder-tui.json",
                                  r"C:\Users\TEMP.SCHOOL.001\AppData\Local\ouder-tui\ouder-tui.json"])
def test_a_temporary_windows_profile_is_warned_against(path: str) -> None:
    [warning] = location_warnings(path, env=WIN_ENV, platform=WIN)
    assert "tijdelijk Windows-profiel" in warning and "bij het afmelden" in warning


def test_a_profile_whose_userprofile_says_temp_is_a_temporary_profile() -> None:
    env = {"USERPROFILE": r"D:\Profielen\TEMP.SCHOOL"}
    [warning] = location_warnings(r"D:\Profielen\TEMP.SCHOOL\Bureaublad\ouder-tui.json", env=env, platform=WIN)
    assert "tijdelijk Windows-profiel (D:\\Profielen\\TEMP.SCHOOL)" in warning


def test_the_system_temp_folder_is_warned_against_everywhere(monkeypatch) -> None:
    monkeypatch.setattr(locatie, "temp_folders", REAL_TEMP_FOLDERS)
    [warning] = location_warnings(r"C:\Windows\Temp\ouder-tui.json", env=WIN_ENV, platform=WIN)
    assert "tijdelijke map" in warning
    [warning] = location_warnings("/tmp/ouder-tui.json", env={}, platform="linux", temps=["/tmp"])
    assert "tijdelijke map (/tmp)" in warning
    temps = REAL_TEMP_FOLDERS(env={}, windows=False)
    assert "/tmp" in temps and "/var/tmp" in temps
    [warning] = location_warnings("/var/tmp/x/ouder-tui.json", env={}, platform="linux", temps=temps)
    assert "tijdelijke map (/var/tmp)" in warning
    assert r"C:\Windows\Temp" in REAL_TEMP_FOLDERS(env=WIN_ENV, windows=True)


def test_a_cloud_folder_in_a_profile_gets_both_reasons() -> None:
    warnings = location_warnings(r"C:\Users\juf.anja\OneDrive\ouder-tui.json", env=WIN_ENV, platform=WIN)
    assert len(warnings) == 2 and "OneDrive" in warnings[0] and "gebruikersmap" in warnings[1]


@pytest.mark.parametrize("path", [r"C:\ProgramData\ouder-tui\ouder-tui.json", r"\\schoolserver\zorg\ouder-tui.json",
                                  r"S:\Zorg\ouder-tui.json", r"C:\Users\Public\Documents\ouder-tui.json",
                                  r"D:\Archief\onedrive-export\..\ouder-tui.json", r"D:\zorg\OneDrive.json"])
def test_good_places_get_no_warning(path: str) -> None:
    assert location_warnings(path, env=WIN_ENV, platform=WIN) == []


def test_a_server_gets_no_place_warning_but_a_login_for_everyone_is_pointed_out() -> None:
    assert location_warnings("postgresql://juf@OneDrive/tmp") == []
    assert locatie.server_warnings("postgresql://server/school", machine=True) == []
    assert "iedereen op deze pc meldt zich dan aan als juf.anja" in locatie.server_warnings(
        "postgresql://juf.anja@server/school", machine=True)[0]
    assert locatie.server_warnings("postgresql://juf.anja@server/school", machine=False) == []


# --- carrying out the first start's choice --------------------------------------------------------------------


def test_moving_an_old_database_copies_it_and_leaves_the_old_one(folders) -> None:
    old = folders["gebruiker"] / "ouder-tui.json"
    FileStore.open(old).insert("leerlingen", {"voornaam": "Sara", "familienaam": "Peeters"})
    before = old.read_bytes()
    outcome = carry_out("pc", machine=True, existing=old, take_existing=True)
    new = folders["pc"] / "ouder-tui.json"
    assert outcome == Outcome(str(new), True, True, outcome.notes)
    assert new.read_bytes() == before and old.read_bytes() == before
    assert "gekopieerd naar" in outcome.notes[0] and "blijft ongewijzigd staan" in outcome.notes[0]
    assert resolve(None).databank == str(new) and resolve(None).bron == "pc"
    assert [r["voornaam"] for r in FileStore.open(new).all("leerlingen")] == ["Sara"]


def test_a_database_already_there_is_opened_never_overwritten(folders) -> None:
    old = folders["gebruiker"] / "ouder-tui.json"
    FileStore.open(old)
    folders["pc"].mkdir()
    (folders["pc"] / "ouder-tui.json").write_bytes(b"van iemand anders")
    outcome = carry_out("pc", machine=True, existing=old, take_existing=True)
    assert (folders["pc"] / "ouder-tui.json").read_bytes() == b"van iemand anders"
    assert "stond al een databank" in outcome.notes[0]


def test_a_shared_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(LocationError, match="bestaat niet"):
        carry_out("map", str(tmp_path / "nergens"), machine=True)
    (tmp_path / "zorg").mkdir()
    outcome = carry_out("map", str(tmp_path / "zorg"), machine=False)
    assert outcome.databank == str(tmp_path / "zorg" / "ouder-tui.json") and resolve(None).bron == "gebruiker"


def test_a_server_is_not_kept_before_it_answered() -> None:
    outcome = carry_out("server", "postgresql://schoolserver/ouders", machine=True)
    assert outcome.is_server and not outcome.saved and resolve(None) is None
    with pytest.raises(LocationError, match="postgresql://"):
        carry_out("server", "schoolserver", machine=True)


# --- the command line ------------------------------------------------------------------------------------


def test_a_headless_command_with_nothing_chosen_says_how_to_choose(capsys) -> None:
    code, out, err = run(capsys, "check")
    assert code == 1 and out == ""
    assert "nog geen databank gekozen" in err and "ouder-tui locatie" in err and "--db" in err


def test_a_headless_command_keeps_working_on_the_old_per_user_database(folders, capsys) -> None:
    FileStore.open(folders["gebruiker"] / "ouder-tui.json")
    code, out, err = run(capsys, "check")
    assert code == 0 and "in orde" in out
    assert "zoals vroeger" in err


def test_locatie_without_argument_says_nothing_is_chosen_then_what_and_where_from(folders, tmp_path, capsys) -> None:
    code, out, _ = run(capsys, "locatie")
    assert code == 0 and "nog geen databank gekozen" in out
    (tmp_path / "zorg").mkdir()
    code, out, _ = run(capsys, "locatie", str(tmp_path / "zorg"))
    target = tmp_path / "zorg" / "ouder-tui.json"
    assert code == 0 and f"Bewaard voor iedereen op deze pc (in {folders['pc'] / 'locatie.json'})" in out
    assert str(target) in out and "maakt het bij de volgende start" in out
    code, out, _ = run(capsys, "locatie")
    assert f"Databank: {target}" in out and "de keuze voor deze pc" in out
    code, out, _ = run(capsys, "locatie", str(tmp_path / "mijn.json"), "--alleen-voor-mij")
    assert code == 0 and "Bewaard voor jou alleen" in out
    code, out, _ = run(capsys, "locatie")
    assert f"Databank: {tmp_path / 'mijn.json'}" in out and "jouw eigen keuze" in out
    assert f"Ook bewaard, maar niet gebruikt: {target}" in out
    code, out, _ = run(capsys, "--db", str(tmp_path / "x.json"), "locatie")
    assert "de optie --db" in out


def test_locatie_prints_the_warnings_and_still_keeps_the_choice(tmp_path: Path, capsys) -> None:
    synced = tmp_path / "OneDrive - Scholengroep"
    synced.mkdir()
    code, _, err = run(capsys, "locatie", str(synced / "ouder-tui.json"))
    assert code == 0 and "let op" in err and "OneDrive synchroniseert" in err and "conflictkopieën" in err
    assert resolve(None).databank == str(synced / "ouder-tui.json")


def test_locatie_refuses_a_missing_folder_and_a_password(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "locatie", str(tmp_path / "nergens" / "db.json"))
    assert code == 1 and "bestaat niet" in err
    code, _, err = run(capsys, "locatie", "postgresql://juf:geheim@server/school")
    assert code == 1 and "geen wachtwoord" in err
    assert resolve(None) is None


def test_locatie_on_a_server_is_kept_and_the_demo_stays_a_file(folders, capsys) -> None:
    code, out, _ = run(capsys, "locatie", "postgresql://schoolserver/ouders")
    assert code == 0 and "postgresql://schoolserver/ouders" in out
    assert resolve(None).is_server
    code, out, _ = run(capsys, "demo")
    assert code == 0 and f"Demodatabank klaar: {folders['gebruiker'] / 'demo.json'}" in out


def test_locatie_without_rights_for_the_whole_pc_says_how_to_keep_it_for_yourself(tmp_path, monkeypatch,
                                                                                  capsys) -> None:
    (tmp_path / "bestand").write_text("")
    monkeypatch.setenv("OUDER_TUI_MACHINE_DIR", str(tmp_path / "bestand" / "pc"))
    code, _, err = run(capsys, "locatie", str(tmp_path / "db.json"))
    assert code == 1 and "--alleen-voor-mij" in err and resolve(None) is None
    code, _, _ = run(capsys, "locatie", str(tmp_path / "db.json"), "--alleen-voor-mij")
    assert code == 0 and resolve(None).bron == "gebruiker"


def test_the_interface_asks_first_then_opens_the_chosen_file(folders, tmp_path, monkeypatch, capsys) -> None:
    import ouder_tui.app

    opened: list[str] = []
    monkeypatch.setattr(ouder_tui.app.OuderTuiApp, "run", lambda self: opened.append(self.store.location))

    def choose(*, machine_database, existing):
        assert machine_database == folders["pc"] / "ouder-tui.json" and existing == []
        return carry_out("map", str(tmp_path), machine=True)

    monkeypatch.setattr(ouder_tui.app, "choose_location", choose)
    assert main([]) == 0
    assert opened == [str(tmp_path / "ouder-tui.json")]

    def never(**_):
        raise AssertionError("de keuze is al gemaakt")

    monkeypatch.setattr(ouder_tui.app, "choose_location", never)
    assert main([]) == 0  # the next start opens it straight away
    assert opened[-1] == str(tmp_path / "ouder-tui.json")
    assert main(["--demo", "check"]) == 0  # the demo never asks


def test_stopping_the_choice_starts_nothing(monkeypatch, capsys) -> None:
    import ouder_tui.app

    monkeypatch.setattr(ouder_tui.app, "choose_location", lambda **_: None)
    monkeypatch.setattr(ouder_tui.app.OuderTuiApp, "run", lambda self: pytest.fail("de app start niet"))
    code, _, err = run(capsys, )
    assert code == 0 and "geen databank gekozen" in err and resolve(None) is None


def test_a_server_chosen_at_the_first_start_is_kept_once_it_answers(monkeypatch, capsys) -> None:
    import ouder_tui.app
    from ouder_tui import cli
    from ouder_tui.errors import OuderTuiError
    from ouder_tui.memstore import MemoryStore

    url = "postgresql://schoolserver/ouders"
    monkeypatch.setattr(ouder_tui.app, "choose_location", lambda **_: Outcome(url, True, saved=False))
    monkeypatch.setattr(ouder_tui.app.OuderTuiApp, "run", lambda self: None)

    def unreachable(*args, **kwargs):
        raise OuderTuiError("De server antwoordt niet.")

    monkeypatch.setattr(cli, "_connect", unreachable)
    code, _, err = run(capsys)
    assert code == 1 and "De server antwoordt niet." in err and "niet bewaard" in err
    assert resolve(None) is None
    monkeypatch.setattr(cli, "_connect", lambda *args, **kwargs: MemoryStore(user="juf"))
    code, _, err = run(capsys)
    assert code == 0 and resolve(None).databank == url and resolve(None).bron == "pc"
    assert "De keuze geldt voor iedereen op deze pc" in err
