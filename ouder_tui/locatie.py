"""Where the database lives, asked once per PC (issue 14, item 9).

The database is a JSON file or a school server's URL. Which one a command works on:

1. ``--db PAD|URL``;
2. the variable ``OUDER_TUI_DB``;
3. the user's own choice (``locatie.json`` in the user's settings folder, "alleen voor mij");
4. the choice for this PC (``locatie.json`` in the machine-wide folder: ``%PROGRAMDATA%\\ouder-tui`` on
   Windows, ``platformdirs.site_config_path`` elsewhere);
5. nothing chosen yet: the interface asks (``screens/locatie.py``); a headless command keeps working on
   the per-user database of earlier versions when there is one, and otherwise says how to choose.

"Alleen op deze pc, voor iedereen die zich aanmeldt" puts the file in a machine-wide folder that every
local account may read and write, never in a per-user profile that shared, guest and mandatory Windows
profiles wipe at sign-out. :func:`location_warnings` says why a path in a cloud-synced folder or in a
temporary or per-user profile is a bad home; those functions read no disk and take the environment and
the platform as arguments, so they are tested on any system.

``OUDER_TUI_MACHINE_DIR`` and ``OUDER_TUI_USER_DIR`` move the machine-wide and the per-user folders
elsewhere (for tests, or a portable install): then every machine-wide file (settings and database) is
in the first, every per-user file (settings and the old per-user database) in the second.
"""

from __future__ import annotations

import getpass
import json
import ntpath
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

import platformdirs

from ouder_tui.errors import OuderTuiError
from ouder_tui.paths import APP_NAME, ENV_DB, ENV_USER_DIR, default_db_path
from ouder_tui.pgurl import is_server_url, redact, user_of

#: Moves every machine-wide file (the choice for this PC and the database "voor iedereen") elsewhere.
ENV_MACHINE_DIR = "OUDER_TUI_MACHINE_DIR"
SETTINGS_NAME = "locatie.json"
DB_NAME = "ouder-tui.json"
#: The local group "Users" (every account that signs in on this PC), by its well-known SID: the name
#: differs per language of Windows ("Gebruikers"), the SID does not.
USERS_SID = "*S-1-5-32-545"
#: Modify rights for Users, inherited by files (OI) and folders (CI) made in the folder later.
USERS_GRANT = f"{USERS_SID}:(OI)(CI)M"

#: The kinds of choice the first start offers.
PC, MAP, SERVER, VROEGER = "pc", "map", "server", "vroeger"

#: Why a file in a synced folder is a bad home (shown with the service's name).
SYNC_REASON = ("synchronisatie maakt conflictkopieën en kent geen gedeeld slot: twee pc's verliezen "
               "elkaars wijzigingen")


class LocationError(OuderTuiError):
    """The choice could not be read, checked or kept; the message is Dutch and says what to do."""


def _windows(platform: str | None) -> bool:
    return (sys.platform if platform is None else platform).startswith("win")


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


# --- where the settings and the machine-wide database live -------------------------------------------------


def machine_folder(*, env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The machine-wide settings folder: ``%PROGRAMDATA%\\ouder-tui`` on Windows, else the site config folder."""
    env = _env(env)
    if override := env.get(ENV_MACHINE_DIR):
        return Path(override)
    if _windows(platform):
        base = env.get("PROGRAMDATA") or env.get("ALLUSERSPROFILE") or r"C:\ProgramData"
        return Path(ntpath.join(base, APP_NAME))
    return platformdirs.site_config_path(APP_NAME, appauthor=False)


def machine_data_folder(*, env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """Where the database "voor iedereen op deze pc" lives: the same folder on Windows, else the site data folder."""
    env = _env(env)
    if env.get(ENV_MACHINE_DIR) or _windows(platform):
        return machine_folder(env=env, platform=platform)
    return platformdirs.site_data_path(APP_NAME, appauthor=False)


def machine_database(*, env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The database of "alleen op deze pc, voor iedereen die zich aanmeldt"."""
    return machine_data_folder(env=env, platform=platform) / DB_NAME


def machine_settings_file(*, env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The choice for this PC."""
    return machine_folder(env=env, platform=platform) / SETTINGS_NAME


def user_settings_file(*, env: Mapping[str, str] | None = None) -> Path:
    """The user's own choice ("alleen voor mij")."""
    env = _env(env)
    if override := env.get(ENV_USER_DIR):
        return Path(override) / SETTINGS_NAME
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / SETTINGS_NAME


def existing_user_databases() -> list[Path]:
    """Per-user databases of earlier versions (``ouder-tui.json`` in the user's data folder; never the
    demo), to offer for moving to where everyone on this PC finds them."""
    old = default_db_path()
    return [old] if old.is_file() else []


# --- the choice ------------------------------------------------------------------------------------------

#: Where a choice comes from, as ``ouder-tui locatie`` says it.
_SOURCES = {
    "--db": "de optie --db",
    ENV_DB: f"de variabele {ENV_DB}",
    "gebruiker": "jouw eigen keuze (alleen voor jou)",
    "pc": "de keuze voor deze pc (voor iedereen die zich aanmeldt)",
    "vroeger": "de databank van een vorige versie in je eigen gegevensmap (er is nog niets gekozen)",
}


@dataclass(frozen=True)
class Choice:
    """Which database, and who said so."""

    databank: str
    #: ``--db``, ``OUDER_TUI_DB``, ``gebruiker``, ``pc`` or ``vroeger``.
    bron: str
    #: The settings file it was read from.
    bestand: Path | None = None
    gekozen_door: str | None = None
    op: str | None = None

    @property
    def is_server(self) -> bool:
        return is_server_url(self.databank)

    def database(self) -> Path | str:
        """A file's path, or a server's URL."""
        if self.is_server:
            return self.databank.strip()
        path = Path(self.databank).expanduser()
        if not path.is_absolute() and self.bestand is not None:
            path = self.bestand.parent / path
        return path

    def describe(self) -> str:
        """Where the choice comes from, in Dutch, with who made it and when when known."""
        text = _SOURCES.get(self.bron, self.bron)
        if self.bestand is not None:
            text += f", bewaard in {self.bestand}"
        made = [part for part in (self.gekozen_door and f"door {self.gekozen_door}",
                                  self.op and f"op {_dutch_moment(self.op)}") if part]
        if made:
            text += f" (gekozen {' '.join(made)})"
        return text


def _dutch_moment(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso


def read_choice(path: Path, bron: str) -> Choice | None:
    """The choice kept in ``path``, or ``None`` when there is none; a damaged file is a Dutch error."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise LocationError(f"Kan {path} niet lezen: {exc.strerror or exc}.") from None
    try:
        data = json.loads(raw.decode("utf-8"))
        databank = data["databank"]
        if not isinstance(databank, str) or not databank.strip():
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise LocationError(f"{path} (waar staat de databank?) is onleesbaar. Kies opnieuw met "
                            "ouder-tui locatie PAD|URL, of verwijder het bestand en start ouder-tui.") from None
    said = {key: value for key, value in data.items() if isinstance(value, str)}
    return Choice(databank.strip(), bron, path, said.get("gekozen_door"), said.get("op"))


def saved_choices(*, env: Mapping[str, str] | None = None) -> list[Choice]:
    """The user's own choice and the one for this PC, in that order, as far as they exist."""
    found = [read_choice(user_settings_file(env=env), "gebruiker"), read_choice(machine_settings_file(env=env), "pc")]
    return [choice for choice in found if choice is not None]


def resolve(cli_value: str | None, *, env: Mapping[str, str] | None = None) -> Choice | None:
    """``--db`` > ``OUDER_TUI_DB`` > the user's own choice > the choice for this PC > ``None`` (nothing chosen)."""
    env = _env(env)
    if cli_value and cli_value.strip():
        return Choice(cli_value.strip(), "--db")
    if (value := env.get(ENV_DB)) and value.strip():
        return Choice(value.strip(), ENV_DB)
    saved = saved_choices(env=env)
    return saved[0] if saved else None


def legacy_choice() -> Choice | None:
    """With nothing chosen: the per-user database of an earlier version, if there is one (headless commands
    keep working on it as before)."""
    found = existing_user_databases()
    return Choice(str(found[0]), "vroeger") if found else None


def normalize(value: str, *, cwd: Path | None = None) -> str:
    """What is kept for ``value``: a URL as typed (never with a password in it), a file path made absolute.

    A folder that exists stands for the database ``ouder-tui.json`` in it.
    """
    value = value.strip()
    if not value:
        raise LocationError("Geef een bestand, een map of een schoolserver (postgresql://SERVER/DATABANK).")
    if is_server_url(value):
        if redact(value) != value:
            raise LocationError("Zet geen wachtwoord in de URL: de keuze staat in een bestand dat anderen op deze pc "
                                "kunnen lezen. Laat het wachtwoord weg; ouder-tui vraagt het bij het starten "
                                "(of zet het in .pgpass).")
        return value
    path = Path(os.path.expanduser(value))
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    path = Path(os.path.normpath(path))
    if path.is_dir() or value.endswith(("/", "\\")):
        path = path / DB_NAME
    return str(path)


def _write_json(path: Path, data: dict, *, readable_by_all: bool) -> None:
    """Write ``path`` whole or not at all (a temporary file beside it, then a rename)."""
    payload = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if readable_by_all and not _windows(None):  # Windows: the folder's inherited rights apply
            os.chmod(name, 0o644)
        os.replace(name, path)
    except BaseException:
        try:
            os.unlink(name)
        except OSError:
            pass
        raise


def _who() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "onbekend"


def save_choice(value: str, *, machine: bool, by: str | None = None, when: datetime | None = None,
                env: Mapping[str, str] | None = None, run: Callable[..., subprocess.CompletedProcess] | None = None
                ) -> tuple[Path, list[str]]:
    """Keep ``value`` as the choice for this PC (``machine``) or for this user alone.

    Returns the settings file and notes (Dutch) about the folder's rights; raises :class:`LocationError`
    when it cannot be written. The value is kept as :func:`normalize` makes it.
    """
    value = normalize(value)
    notes: list[str] = []
    if machine:
        target = machine_settings_file(env=env)
        notes += ensure_machine_folder(target.parent, env=env, run=run)
    else:
        target = user_settings_file(env=env)
    data = {"databank": value, "gekozen_door": by or _who(),
            "op": (when or datetime.now().astimezone()).isoformat(timespec="seconds")}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_json(target, data, readable_by_all=machine)
    except OSError as exc:
        if machine:
            raise LocationError(_no_machine_rights(target.parent, exc)) from None
        raise LocationError(f"Kan je keuze niet bewaren in {target}: {exc.strerror or exc}.") from None
    return target, notes


def save_with_fallback(value: str, *, machine: bool, env: Mapping[str, str] | None = None,
                       run: Callable[..., subprocess.CompletedProcess] | None = None) -> tuple[Path, list[str]]:
    """:func:`save_choice`; when the choice for this PC cannot be written (no admin rights on Linux or
    macOS), it is kept for this user alone, and a note says so."""
    try:
        path, notes = save_choice(value, machine=machine, env=env, run=run)
    except LocationError:
        if not machine:
            raise
        path, notes = save_choice(value, machine=False, env=env, run=run)
        return path, [*notes, (f"De keuze kon niet voor iedereen op deze pc bewaard worden in "
                               f"{machine_settings_file(env=env)}: daarvoor zijn beheerdersrechten nodig. Ze geldt "
                               f"nu alleen voor jou; ze staat in {path}. Wijzigen kan met: ouder-tui locatie.")]
    who = "iedereen op deze pc" if machine else "jou alleen"
    return path, [*notes, f"De keuze geldt voor {who}; ze staat in {path}. Wijzigen kan met: ouder-tui locatie."]


# --- the machine-wide folder and its rights --------------------------------------------------------------


def _no_machine_rights(folder: Path, exc: OSError | None = None) -> str:
    why = f" ({exc.strerror or exc})" if exc is not None else ""
    if _windows(None):
        return (f"De map voor iedereen op deze pc, {folder}, kan niet gemaakt of beschreven worden{why}. Vraag "
                f"wie ze maakte (of een beheerder) om: icacls \"{folder}\" /grant {USERS_GRANT}; of kies een "
                "gedeelde map of de schoolserver.")
    return (f"De map voor iedereen op deze pc, {folder}, kan niet gemaakt of beschreven worden zonder "
            f"beheerdersrechten{why}. Kies een gedeelde map (bv. een map van de school op het netwerk), of laat "
            "een beheerder de map maken en er schrijfrechten op geven.")


def _can_write(folder: Path) -> bool:
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".ouder-tui-proef-")
    except OSError:
        return False
    os.close(fd)
    try:
        os.unlink(name)
    except OSError:
        pass
    return True


def grant_users(folder: Path, *, run: Callable[..., subprocess.CompletedProcess] | None = None) -> str | None:
    """Windows: let every local account (the group Users) read and write ``folder`` and what is made in it.

    The account that made the folder owns it, so no admin is needed. A failure is a Dutch warning (returned).
    """
    run = run or subprocess.run
    command = ["icacls", str(folder), "/grant", USERS_GRANT]
    try:
        result = run(command, capture_output=True, text=True, errors="replace", timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = str(exc)
    else:
        if result.returncode == 0:
            return None
        detail = (result.stderr or result.stdout or f"code {result.returncode}").strip()
    return (f"De map {folder} is klaar, maar andere accounts op deze pc kregen er geen schrijfrechten op "
            f"({detail}). Laat een beheerder dit uitvoeren: icacls \"{folder}\" /grant {USERS_GRANT}")


def ensure_machine_folder(folder: Path, *, env: Mapping[str, str] | None = None, platform: str | None = None,
                          run: Callable[..., subprocess.CompletedProcess] | None = None) -> list[str]:
    """Make a machine-wide ``folder`` that every local account may use; returns Dutch warnings.

    On Windows a folder this account makes gets modify rights for every local account (icacls, see
    :func:`grant_users`). Elsewhere such a folder needs an admin: a :class:`LocationError` that suggests
    the shared-folder option. A folder that exists must be writable for this account.
    """
    created = False
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True)
            created = True
    except OSError as exc:
        raise LocationError(_no_machine_rights(folder, exc)) from None
    if not _can_write(folder):
        raise LocationError(_no_machine_rights(folder))
    if _windows(platform) and created and not _env(env).get(ENV_MACHINE_DIR):
        warning = grant_users(folder, run=run)
        return [warning] if warning else []
    return []


# --- warnings about a place ------------------------------------------------------------------------------

#: Folder names (lower case) of sync clients: exact, or as the start of the name.
_CLOUD_EXACT = {
    "google drive": "Google Drive", "my drive": "Google Drive", "mijn drive": "Google Drive",
    "shared drives": "Google Drive", "gedeelde drives": "Google Drive",
    "dropbox": "Dropbox", "icloud drive": "iCloud Drive", "iclouddrive": "iCloud Drive",
    "com~apple~clouddocs": "iCloud Drive", "mobile documents": "iCloud Drive",
}
_CLOUD_PREFIX = {
    "onedrive": "OneDrive", "googledrive": "Google Drive", "dropbox (": "Dropbox", "dropbox-": "Dropbox",
    "nextcloud": "Nextcloud", "owncloud": "ownCloud",
}
_ONEDRIVE_VARIABLES = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")


def _pure(value: str, windows: bool) -> PurePath:
    module = ntpath if windows else posixpath
    return (PureWindowsPath if windows else PurePosixPath)(module.normpath(value))


def _under(path: PurePath, folder: str | None, windows: bool) -> bool:
    """Whether ``path`` is ``folder`` or inside it (case-insensitive on Windows)."""
    if not folder or not folder.strip():
        return False
    base = _pure(folder.strip(), windows)
    if not base.is_absolute():
        return False
    fold = (lambda part: part.lower()) if windows else (lambda part: part)
    parts, base_parts = [fold(p) for p in path.parts], [fold(p) for p in base.parts]
    return parts[:len(base_parts)] == base_parts


def cloud_service(path: PurePath, *, env: Mapping[str, str], windows: bool) -> str | None:
    """The sync service whose folder holds ``path`` (OneDrive, Google Drive, Dropbox, iCloud Drive,
    Nextcloud, ownCloud), or ``None``."""
    if windows and any(_under(path, env.get(name), windows) for name in _ONEDRIVE_VARIABLES):
        return "OneDrive"
    folders = [part.lower() for part in path.parts[:-1]]
    for i, name in enumerate(folders):
        if name in _CLOUD_EXACT:
            return _CLOUD_EXACT[name]
        for prefix, service in _CLOUD_PREFIX.items():
            if name.startswith(prefix):
                return service
        if name == "cloudstorage" and i > 0 and folders[i - 1] == "library":  # macOS File Provider
            following = folders[i + 1] if i + 1 < len(folders) else ""
            return next((s for p, s in _CLOUD_PREFIX.items() if following.startswith(p)), "een clouddienst")
    return None


def temp_folders(*, env: Mapping[str, str], windows: bool) -> list[str]:
    """The system's temporary folders (emptied by cleanup tools, at restart or at sign-out)."""
    found = [env.get(name, "") for name in ("TEMP", "TMP", "TMPDIR")]
    if windows:
        found.append(ntpath.join(env.get("SystemRoot") or env.get("windir") or r"C:\Windows", "Temp"))
    else:
        found += ["/tmp", "/var/tmp"]
        if not _windows(None):
            found.append(tempfile.gettempdir())
    return [folder for folder in dict.fromkeys(found) if folder]


def _profile_warning(path: PurePath, shown: str, *, env: Mapping[str, str], windows: bool,
                     temps: list[str]) -> str | None:
    parts = [part.lower() for part in path.parts]
    if windows:
        profile = env.get("USERPROFILE", "")
        in_users = len(parts) > 3 and parts[1] == "users"
        temp_profile = (in_users and parts[2].startswith("temp")) or (
            "temp" in ntpath.basename(profile.rstrip("\\/")).lower() and _under(path, profile, windows))
        if temp_profile:
            where = ntpath.join(path.parts[0], *path.parts[1:3]) if in_users else profile
            return (f"{shown} staat in een tijdelijk Windows-profiel ({where}): Windows wist dat profiel bij het "
                    "afmelden, met de databank en al haar reservekopieën.")
    for folder in temps:
        if _under(path, folder, windows):
            return (f"{shown} staat in een tijdelijke map ({folder}): wat daar staat, wordt opgeruimd, door "
                    "het systeem, door opruimprogramma's of bij het afmelden.")
    if not windows:
        return None
    appdata = any(_under(path, env.get(name), windows) for name in ("LOCALAPPDATA", "APPDATA")) or (
        len(parts) > 4 and parts[1] == "users" and parts[3] == "appdata")
    if appdata:
        return (f"{shown} staat in je persoonlijke profiel (AppData): elke Windows-gebruiker krijgt daar een "
                "eigen databank, en bij gedeelde, gast- of verplichte profielen wist Windows die map bij het "
                "afmelden, met alle reservekopieën.")
    own = _under(path, env.get("USERPROFILE"), windows) or (
        len(parts) > 3 and parts[1] == "users" and parts[2] not in {"public", "default", "all users"})
    if own:
        return (f"{shown} staat in een persoonlijke gebruikersmap: andere Windows-gebruikers op deze pc zien "
                "die databank niet, en bij gedeelde, gast- of verplichte profielen wist Windows die map bij "
                "het afmelden.")
    return None


def location_warnings(value: str | None, *, env: Mapping[str, str] | None = None, platform: str | None = None,
                      temps: list[str] | None = None, cwd: str | None = None) -> list[str]:
    """Dutch warnings, each with its reason, for a database at ``value``: in a cloud-synced folder, or in a
    temporary or per-user profile that shared and guest profiles wipe. A server URL gets none.

    Reads no disk: the environment (``env``), the platform (``sys.platform`` form) and the temporary
    folders (``temps``) can be given, so Windows cases are tested anywhere.
    """
    if not value or not value.strip() or is_server_url(value):
        return []
    env = _env(env)
    windows = _windows(platform)
    text = value.strip()
    if text.startswith("~"):
        home = env.get("USERPROFILE" if windows else "HOME") or env.get("HOME") or ""
        text = home + text[1:]
    path = _pure(text, windows)
    if not path.is_absolute():
        path = _pure(str(_pure(cwd or os.getcwd(), windows) / path), windows)
    shown = str(path)
    warnings = []
    if service := cloud_service(path, env=env, windows=windows):
        warnings.append(f"{shown} staat in een map die {service} synchroniseert: {SYNC_REASON}. Kies een map op "
                        "deze pc, een gewone netwerkmap of de schoolserver.")
    if temps is None:
        temps = temp_folders(env=env, windows=windows)
    if profile := _profile_warning(path, shown, env=env, windows=windows, temps=temps):
        warnings.append(profile)
    return warnings


def server_warnings(url: str, *, machine: bool) -> list[str]:
    """A login in the URL of the choice for everyone: everyone on this PC would sign in as that login."""
    login = user_of(url) if is_server_url(url) else ""
    if machine and login:
        return [(f"De URL noemt de login {login}: iedereen op deze pc meldt zich dan aan als {login}. Laat de "
                 "login weg (dan geldt ieders eigen naam op deze pc, of PGUSER), of kies 'alleen voor mij'.")]
    return []


# --- carrying out a choice made at the first start ---------------------------------------------------------


def shared_database(typed: str) -> Path:
    """The database for what was typed as the shared folder: a ``.json`` file as it is, else ``ouder-tui.json``
    in that folder. Reads no disk (it runs on every key; a network path may take seconds to answer)."""
    text = typed.strip().strip('"')
    path = Path(os.path.expanduser(text))
    return path if path.suffix.lower() == ".json" else path / DB_NAME


def target_of(kind: str, typed: str = "", *, existing: Path | None = None) -> str:
    """What a kind of choice points at, without looking at the disk: a path or a URL ('' when nothing typed)."""
    if kind == PC:
        return str(machine_database())
    if kind == VROEGER:
        return str(existing) if existing is not None else ""
    if kind == MAP:
        return str(shared_database(typed)) if typed.strip().strip('"') else ""
    return typed.strip()


def problem_of(kind: str, typed: str) -> str | None:
    """What is wrong with what was typed (no disk needed), or ``None``."""
    text = typed.strip().strip('"')
    if kind == MAP and not text:
        return "Typ de gedeelde map (of het databankbestand), bv. \\\\schoolserver\\zorg of S:\\Zorg."
    if kind == SERVER:
        if not text:
            return "Typ de schoolserver als postgresql://SERVER/DATABANK."
        if not is_server_url(text):
            return "Een schoolserver schrijf je als postgresql://SERVER/DATABANK (of postgres://...)."
        try:
            normalize(text)
        except LocationError as exc:
            return str(exc)
    return None


@dataclass
class Outcome:
    """What the first start chose: the database, whether it is kept yet, and what happened (Dutch)."""

    databank: str
    machine: bool
    saved: bool
    notes: list[str] = field(default_factory=list)

    @property
    def is_server(self) -> bool:
        return is_server_url(self.databank)


def carry_out(kind: str, typed: str = "", *, machine: bool, existing: Path | None = None,
              take_existing: bool = False, machine_target: Path | None = None,
              run: Callable[..., subprocess.CompletedProcess] | None = None) -> Outcome:
    """Do what the first start chose: make the folder, copy a database of an earlier version if asked, keep
    the choice. A server is not kept here: the caller keeps it once the connection works.

    ``machine_target``: the database "voor iedereen op deze pc" (:func:`machine_database` unless given).
    May take a while on a network folder: call it from a worker. Raises :class:`LocationError`.
    """
    if problem := problem_of(kind, typed):
        raise LocationError(problem)
    notes: list[str] = []
    if kind == SERVER:
        return Outcome(normalize(typed), machine, saved=False)
    if kind == VROEGER:
        if existing is None:
            raise LocationError("Er is geen databank van vroeger gevonden.")
        target = existing
        machine = False  # a file in this user's own profile: the other accounts cannot open it
    elif kind == PC:
        target = machine_target or machine_database()
        notes += ensure_machine_folder(target.parent, run=run)
    else:
        target = Path(normalize(str(shared_database(typed))))
        folder = target.parent
        if not folder.is_dir():
            raise LocationError(f"De map {folder} bestaat niet of is nu niet bereikbaar. Controleer de naam "
                                "(of de netwerkverbinding), of maak de map eerst.")
        if not _can_write(folder):
            raise LocationError(f"Je kunt niet schrijven in {folder}. Vraag wie de map beheert om schrijfrechten "
                                "voor iedereen die ouder-tui gebruikt, of kies een andere map.")
    if kind in (PC, MAP) and existing is not None and take_existing:
        notes.append(move_database(existing, target))
    kept, saved_notes = save_with_fallback(str(target), machine=machine, run=run)
    return Outcome(str(target), machine and kept == machine_settings_file(), saved=True, notes=notes + saved_notes)


def move_database(source: Path, target: Path) -> str:
    """Copy ``source`` to ``target`` (a new place; the old file stays as it is); returns what happened."""
    if target.exists():
        return (f"Op {target} stond al een databank: ouder-tui opent die. Je databank van vroeger is niet "
                f"gekopieerd; ze blijft staan op {source}.")
    partial = target.with_name(f".{target.name}.kopie")
    try:
        shutil.copy2(source, partial)
        if partial.read_bytes() != source.read_bytes():
            raise OSError("de kopie verschilt van het origineel")
        os.replace(partial, target)
    except OSError as exc:
        try:
            partial.unlink()
        except OSError:
            pass
        raise LocationError(f"Kan {source} niet kopiëren naar {target}: {exc.strerror or exc}. Er is niets "
                            "gewijzigd.") from None
    from ouder_tui.backups import backup_folder

    kept = " (met zijn reservekopieën)" if backup_folder(source).is_dir() else ""
    return (f"Je databank van vroeger is gekopieerd naar {target}. Het oude bestand {source} blijft "
            f"ongewijzigd staan{kept}; ouder-tui gebruikt het niet meer.")
