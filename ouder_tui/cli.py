"""The command line: ``ouder-tui`` starts the interface; subcommands run headless.

Errors are Dutch, go to stderr and end with a non-zero exit code (2 for a
wrong call, 3 for a damaged database file, whose message names the ``restore``
command to run, 1 for everything else); nothing is changed then. Heavy parts
(Textual, the store) are imported only by the commands that need them, so
``--version`` and the headless commands do not pay for the interface.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from ouder_tui import __version__

ENV_USER = "OUDER_TUI_GEBRUIKER"
#: The exit code for a damaged database file (scripts can tell it from other failures and restore).
DAMAGED = 3
#: For scripts: the passphrase of a protected database (and of its backups and exports).
ENV_PASSPHRASE = "OUDER_TUI_WACHTWOORD"
#: For scripts: the new passphrase of ``ouder-tui wachtwoord``, and the password of a new server login.
ENV_NEW_PASSPHRASE = "OUDER_TUI_NIEUW_WACHTWOORD"
#: The roles of a school server (``ouder_tui.pgschema.ROLES``; a test keeps the two the same).
SERVER_ROLES = ("zorg", "leerkracht", "beheer")
#: Why ``wachtwoord`` does not apply to a school server, and what protects the data there instead.
SERVER_PROTECTION = (
    "Een databank op een schoolserver krijgt geen wachtwoord van ouder-tui: die bescherming is voor een "
    "bestand op een pc. Op de server beschermt de server zelf de gegevens: elke persoon meldt zich aan met "
    "een eigen login en rol, de verbinding met een server op een ander toestel is versleuteld (TLS), en de "
    "IT-partner zorgt voor schijfversleuteling, reservekopieën van de server en wie de beheerderslogin heeft. "
    "Zie \"Met meerdere pc's\" in de README."
)
#: How the help of ``export --format`` names some formats. The exports, their formats and their options
#: come from the areas (``ouder_tui.areas``); an option used with an export that does not accept it is a
#: wrong call, not silently ignored.
_FORMAT_HINTS = {"xlsx": "xlsx (Excel)", "ics": "ics (agenda)"}

# argparse speaks English; these are the messages a user can meet, in Dutch.
_ARGPARSE_DUTCH = {
    "usage: ": "gebruik: ",
    "positional arguments": "argumenten",
    "options": "opties",
    "show this help message and exit": "toon deze hulp en stop",
    "the following arguments are required: %s": "deze argumenten ontbreken: %s",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ongeldige keuze: %(value)r (kies uit %(choices)s)",
    "expected one argument": "verwacht één waarde",
    "expected at least one argument": "verwacht minstens één waarde",
    "ambiguous option: %(option)s could match %(matches)s": "dubbelzinnige optie: %(option)s kan %(matches)s zijn",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout: %(message)s\n",
    "show program's version number and exit": "toon het versienummer en stop",
    "invalid %(type)s value: %(value)r": "ongeldige waarde: %(value)r",
}


def _dutch(message: str) -> str:
    return _ARGPARSE_DUTCH.get(message, message)


argparse._ = _dutch  # type: ignore[attr-defined]  # argparse looks its messages up through this name


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are Dutch and exit with code 2.

    ``complete(parser)`` adds the arguments that come from the areas, the first time the parser reads
    a command line or shows its usage; ``complete_help()`` runs before its help is shown. So the areas
    are loaded only by the commands that need them, never for ``--version``.
    """

    def __init__(self, *args, complete: Callable[[argparse.ArgumentParser], None] | None = None,
                 complete_help: Callable[[], None] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._complete = complete
        self.complete_help = complete_help

    def _completed(self) -> None:
        """Add the arguments from the areas, once."""
        complete, self._complete = self._complete, None
        if complete is not None:
            complete(self)

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        """Complete the arguments, then read the command line as argparse does."""
        self._completed()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        """The usage line, with the arguments from the areas."""
        self._completed()
        return super().format_usage()

    def format_help(self) -> str:
        """The help, with the arguments and texts from the areas."""
        self._completed()
        if self.complete_help is not None:
            self.complete_help()
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fout: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ouder-tui",
        description="Ouderbetrokkenheid organiseren: zonder subcommando start de interface.",
    )
    parser.add_argument("--db", metavar="PAD|URL",
                        help="de databank: een bestand, of een schoolserver (postgresql://...); "
                             "anders OUDER_TUI_DB, of wat bij de eerste start gekozen is (ouder-tui locatie)")
    parser.add_argument("--demo", action="store_true", help="werk op de aparte demodatabank (wordt zo nodig gemaakt)")
    parser.add_argument("--gebruiker", metavar="NAAM", help=f"naam die wijzigingen ondertekent (anders {ENV_USER})")
    parser.add_argument("--version", action="version", version=f"ouder-tui {__version__}", help="toon de versie en stop")
    commands = parser.add_subparsers(dest="command", metavar="subcommando", parser_class=_Parser)

    imp = commands.add_parser("import", help="leerlingenlijst (CSV) importeren")
    imp.add_argument("what", choices=["leerlingen"], metavar="leerlingen")
    imp.add_argument("file", metavar="BESTAND", help="CSV-export van Smartschool, Wisa, Informat ...")
    imp.add_argument("--dry-run", action="store_true", help="toon wat er zou gebeuren, wijzig niets")
    imp.add_argument("--strict", action="store_true", help="weiger het hele bestand als één rij fout is")
    imp.add_argument("--map", action="append", default=[], metavar="veld=Kolom",
                     help='koppel een kolom aan een veld, herhaalbaar (bv. stamboeknummer="Intern nr"); een onbekend veld toont de lijst')
    imp.add_argument("--markeer-vertrokken", action="store_true",
                     help="leerlingen die niet in de export staan, markeren als vertrokken")
    imp.add_argument("--schooljaar", metavar="JJJJ-JJJJ", help="schooljaar als het bestand er geen kolom voor heeft")

    commands.add_parser("export", help="gegevens exporteren", complete=_export_arguments)
    export_line = commands._choices_actions[-1]  # its line in ``ouder-tui --help``, filled in from the areas
    parser.complete_help = lambda: setattr(export_line, "help", _export_help())

    ins = commands.add_parser("inzage", help="alles wat bewaard is over één gezin, voor ouders die het vragen")
    ins.add_argument("gezin", type=int, metavar="GEZIN", help="het nummer van het gezin (id in export gezinnen)")
    ins.add_argument("--format", choices=["html", "md"], default="html", help="html (afdrukken) of md")
    ins.add_argument("--output", metavar="BESTAND", help="schrijf naar dit bestand (anders naar de uitvoer)")
    ins.add_argument("--onversleuteld", action="store_true",
                     help="van een beveiligde databank: schrijf leesbaar in plaats van versleuteld")

    pw = commands.add_parser("wachtwoord", help="de databank beveiligen met een wachtwoord, het wijzigen of uitzetten")
    pw.add_argument("--uit", action="store_true", help="zet de beveiliging uit")
    ont = commands.add_parser("ontsleutel", help="een versleutelde export of reservekopie leesbaar maken")
    ont.add_argument("file", metavar="BESTAND")
    ont.add_argument("--output", metavar="BESTAND", help="schrijf naar dit bestand (anders naar de uitvoer)")

    loc = commands.add_parser("locatie", help="toon of kies waar de databank staat",
                              description="Zonder argument: toont welke databank ouder-tui gebruikt en waar die "
                                          "keuze vandaan komt. Met een bestand, een map of een schoolserver: "
                                          "bewaart dat als de databank voor iedereen op deze pc (of met "
                                          "--alleen-voor-mij voor jou alleen). --db en OUDER_TUI_DB gaan altijd voor.")
    loc.add_argument("waar", nargs="?", metavar="PAD|URL",
                     help="een databankbestand, een map (de databank heet daar ouder-tui.json) of "
                          "postgresql://SERVER/DATABANK")
    loc.add_argument("--alleen-voor-mij", action="store_true",
                     help="bewaar de keuze alleen voor jou (anders voor iedereen die zich op deze pc aanmeldt)")

    commands.add_parser("check", help="controleer of de databank gezond is")
    bak = commands.add_parser("backup", help="maak een reservekopie")
    bak.add_argument("--output", metavar="BESTAND", help="waar de kopie komt (anders de map met reservekopieën)")
    res = commands.add_parser("restore", help="zet een reservekopie terug")
    res.add_argument("backup", metavar="RESERVEKOPIE")
    res.add_argument("--beveiliging-uit", action="store_true",
                     help="een onbeveiligde reservekopie terugzetten op een beveiligde databank (zet de beveiliging uit)")
    demo = commands.add_parser("demo", help="maak de demodatabank (opnieuw)")
    demo.add_argument("--opnieuw", action="store_true", help="vervang een bestaande demodatabank")

    move = commands.add_parser("overzetten", help="alles overzetten van een bestand naar een schoolserver of terug",
                               description="Kopieert alles (records, versies, wie en wanneer, prullenbak, "
                                           "logboek, instellingen) naar een nieuw bestand of een lege "
                                           "serverdatabank, en controleert daarna per tabel aantal en "
                                           "controlesom.")
    move.add_argument("--van", required=True, metavar="BRON", help="een databankbestand of postgresql://...")
    move.add_argument("--naar", required=True, metavar="DOEL",
                      help="een nieuw bestand, of een lege serverdatabank (postgresql://...)")

    server = commands.add_parser("server", help="een schoolserver (PostgreSQL) inrichten en logins beheren")
    tasks = server.add_subparsers(dest="server_command", metavar="taak", parser_class=_Parser, required=True)
    init = tasks.add_parser("init", help="richt een lege databank in voor ouder-tui (tabellen en rollen)")
    init.add_argument("url", nargs="?", metavar="URL", help="postgresql://BEHEERDER@SERVER/DATABANK (anders --db)")
    login = tasks.add_parser("gebruiker", help="een login maken, zijn rol wijzigen of hem verwijderen",
                             description="Maakt een login voor een personeelslid (wachtwoord uit "
                                         f"{ENV_NEW_PASSPHRASE}, anders twee keer typen), wijzigt de rol van "
                                         "een bestaande login, of verwijdert hem. De server komt uit --db.")
    login.add_argument("naam", metavar="NAAM", help="de login, bv. juf.anja")
    login.add_argument("--rol", choices=SERVER_ROLES, metavar="|".join(SERVER_ROLES),
                       help="zorg: alles, ook vertrouwelijke notities; leerkracht: alles behalve "
                            "vertrouwelijke notities; beheer: instellingen, gebruikers, wissen, logboek")
    login.add_argument("--verwijder", action="store_true", help="verwijder de login (wat hij bewaarde, blijft)")
    login.add_argument("--nieuw-wachtwoord", action="store_true",
                       help="geef een bestaande login een nieuw wachtwoord (vergeten); uit OUDER_TUI_NIEUW_WACHTWOORD "
                            "of twee keer getypt")
    tasks.add_parser("gebruikers", help="toon de logins en hun rollen")
    return parser


def _export_arguments(exp: argparse.ArgumentParser) -> None:
    """The arguments of ``export``: what, the formats and the options, as the areas declare them."""
    from ouder_tui.areas import export_options, exports, join_and

    specs = exports()
    names = [spec.name for spec in specs]
    exp.add_argument("what", choices=names, metavar="|".join(names))
    exp.add_argument("--format", choices=list(dict.fromkeys(f for spec in specs for f in spec.formats)),
                     default="csv", help=_format_help())
    exp.add_argument("--output", metavar="BESTAND", help="schrijf naar dit bestand (anders naar de uitvoer; "
                     "in PowerShell altijd --output gebruiken, niet >)")
    for option in export_options():
        accepting = join_and([spec.name for spec in specs if option.flag in {o.flag for o in spec.options}])
        if option.metavar is None:
            exp.add_argument(option.flag, action="store_true", help=option.help.format(exports=accepting))
        else:
            exp.add_argument(option.flag, metavar=option.metavar, type=option.type,
                             help=option.help.format(exports=accepting))
    exp.add_argument("--onversleuteld", action="store_true",
                     help="van een beveiligde databank: schrijf leesbaar in plaats van versleuteld")


def _format_help() -> str:
    """``csv (Excel), json; huisbezoeken ... ook ics (agenda), md en html; ...``: the formats every export
    has, then per group of exports the formats they add."""
    from ouder_tui.areas import exports, join_and

    specs = exports()
    common = [f for f in specs[0].formats if all(f in spec.formats for spec in specs)]
    extra: dict[tuple[str, ...], list[str]] = {}
    for spec in specs:
        added = tuple(f for f in spec.formats if f not in common)
        if added:
            extra.setdefault(added, []).append(spec.name)
    parts = [", ".join(_FORMAT_HINTS.get(f, f) for f in common)]
    parts += [f"{join_and(names)} ook {join_and([_FORMAT_HINTS.get(f, f) for f in added])}"
              for added, names in extra.items()]
    return "; ".join(parts)


def _export_help() -> str:
    """The line of ``export`` in ``ouder-tui --help``: what can be exported."""
    from ouder_tui.areas import exports, join_and

    return f"{join_and([spec.label for spec in exports()], 'of')} exporteren"


def _fail(message: str, code: int = 1) -> int:
    print(f"ouder-tui: {message}", file=sys.stderr)
    return code


def _user(args: argparse.Namespace) -> str:
    if args.gebruiker:
        return args.gebruiker
    if env := os.environ.get(ENV_USER):
        return env
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "onbekend"


def _user_given(args: argparse.Namespace) -> bool:
    """Whether the user named who works (``--gebruiker`` or the environment), rather than the login's name."""
    return bool(getattr(args, "gebruiker", None) or os.environ.get(ENV_USER, "").strip())


def _database(args: argparse.Namespace) -> Path | str | None:
    """The database a command works on: a file's path, or a school server's URL; ``None`` when nothing is
    chosen yet. ``--demo``, else ``--db``, ``OUDER_TUI_DB``, the user's own choice, the choice for this PC
    (:mod:`ouder_tui.locatie`)."""
    from ouder_tui.locatie import resolve
    from ouder_tui.paths import demo_db_path

    if args.demo:
        return demo_db_path()
    choice = resolve(args.db)
    return None if choice is None else choice.database()


def _without_choice() -> Path:
    """A headless command on a PC where nothing is chosen yet: the per-user database of an earlier version,
    as before; else a Dutch error that says how to choose."""
    from ouder_tui.errors import OuderTuiError
    from ouder_tui.locatie import legacy_choice

    old = legacy_choice()
    if old is None:
        raise OuderTuiError("Er is nog geen databank gekozen op deze pc. Start ouder-tui één keer (het vraagt waar "
                            "de databank komt), kies ze met ouder-tui locatie PAD|URL, of geef --db PAD|URL.")
    _say(f"ouder-tui: let op: er is nog niet gekozen waar de databank staat; ouder-tui werkt zoals vroeger op "
         f"{old.databank}. Kies een plaats voor iedereen op deze pc door ouder-tui te starten, of met ouder-tui "
         "locatie.")
    return Path(old.databank)


def _ensure_demo(path: Path) -> None:
    from ouder_tui.demo import ensure_demo_database

    ensure_demo_database(path)


def _ask_passphrase(what: str):
    """The passphrase of ``what``: from OUDER_TUI_WACHTWOORD, else typed without echo."""
    from ouder_tui.crypto import Passphrase
    from ouder_tui.errors import OuderTuiError

    if (env := os.environ.get(ENV_PASSPHRASE)) is not None:
        return Passphrase(env)
    if not sys.stdin.isatty():
        raise OuderTuiError(f"{what.capitalize()} is beveiligd met een wachtwoord. Typ het in een terminal, "
                            f"of geef het aan een script mee in {ENV_PASSPHRASE}.")
    return Passphrase(getpass.getpass(f"Wachtwoord van {what}: "))


def _write_out(payload: bytes, output: str | None, *, store=None, plain: bool = False) -> None:
    """Write an export to ``output`` or the standard output; sealed when ``store`` is protected.

    A sealed file gets the suffix ``.versleuteld``: nobody mistakes it for a file Excel opens.
    """
    from ouder_tui.crypto import SEALED_SUFFIX

    sealed = store is not None and store.protected and not plain
    if sealed:
        if not output and sys.stdout.isatty():
            from ouder_tui.errors import OuderTuiError

            raise OuderTuiError("De databank is beveiligd: een versleutelde export hoort in een bestand. "
                                "Geef --output BESTAND, of --onversleuteld om ze leesbaar op het scherm te zien.")
        payload = store.seal_export(payload)
        if output and not output.endswith(SEALED_SUFFIX):
            output += SEALED_SUFFIX
        print("ouder-tui: de databank is beveiligd, dus de export is versleuteld met haar wachtwoord "
              f"(leesbaar maken: ouder-tui ontsleutel{' ' + _quote(output) if output else ' BESTAND'}; "
              "of exporteer met --onversleuteld).", file=sys.stderr)
    if output:
        from ouder_tui.exporters import write_export

        write_export(payload, Path(output))
        if sealed:
            print(f"Bewaard: {output}", file=sys.stderr)
    else:
        if sys.stdout.isatty():  # on screen: text without escape sequences; a binary file does not belong there
            from ouder_tui.errors import OuderTuiError
            from ouder_tui.text import terminal_safe

            try:
                payload = terminal_safe(payload.decode("utf-8")).encode("utf-8")
            except UnicodeDecodeError:
                raise OuderTuiError("Dit formaat is geen tekst voor het scherm; geef --output BESTAND.") from None
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()


def _restore(path: Path, args: argparse.Namespace):
    """``restore``: an unprotected backup over a protected database is asked about (or needs --beveiliging-uit)."""
    from ouder_tui.maintenance import UnprotectedRestoreError, restore_backup

    try:
        return restore_backup(path, Path(args.backup), ask=_ask_passphrase, user=_user(args),
                              allow_unprotected=args.beveiliging_uit)
    except UnprotectedRestoreError as exc:
        if not sys.stdin.isatty():
            raise UnprotectedRestoreError(f"{exc} Bevestig met --beveiliging-uit als dat de bedoeling is.") from None
        answer = input(f"{exc}\nToch terugzetten en de beveiliging uitzetten? Typ ja om te bevestigen: ")
        if answer.strip().lower() != "ja":
            raise UnprotectedRestoreError("Niet teruggezet; de databank blijft beveiligd.") from None
    return restore_backup(path, Path(args.backup), ask=_ask_passphrase, user=_user(args), allow_unprotected=True)


def _quote(path: str) -> str:
    return f'"{path}"' if " " in path else path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        # A Windows console or a redirect in an old code page cannot encode every name
        # (ş, ł, Ukrainian): show a replacement character rather than crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    if args.command is not None:  # the interface draws on the terminal itself
        _guard_terminal()
    from ouder_tui.errors import CorruptDatabaseError, OuderTuiError

    try:
        return _run(args)
    except CorruptDatabaseError as exc:
        return _fail(str(exc), DAMAGED)
    except OuderTuiError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("Afgebroken. Er is niets half bewaard.", 130)
    except BrokenPipeError:
        # the reader of the output stopped (| head): what was saved stays saved; no traceback at exit
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _fail("De uitvoer werd afgebroken door het programma dat ze las (bv. head); wat al bewaard was, "
                     "blijft bewaard.")
    finally:
        while _opened:  # a school server's connections end with the command
            _opened.pop().close()
        for name in ("stdout", "stderr"):
            if isinstance(getattr(sys, name), _TerminalText):
                setattr(sys, name, getattr(sys, name)._stream)


class _TerminalText:
    """A text stream to a terminal that drops escape sequences and control characters from what is written.

    Names, file names and notes come from imports and other people: none of them may move the cursor,
    retitle the window or hide text in someone's terminal.
    """

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from ouder_tui.text import terminal_safe

        self._stream.write(terminal_safe(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _guard_terminal() -> None:
    """Filter what the commands print to a terminal (not to a pipe or file, which get the bytes as they are)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, _TerminalText) and getattr(stream, "isatty", lambda: False)():
            setattr(sys, name, _TerminalText(stream))


def _run(args: argparse.Namespace) -> int:
    if args.command == "locatie":
        return _locatie(args)
    if args.command == "ontsleutel":
        return _ontsleutel(args)
    if args.command == "overzetten":
        return _overzetten(args)
    if args.command == "server":
        given = args.server_command == "init" and args.url  # needs no choice (nor a readable one)
        return _server(args, None if given else _database(args))
    if args.command == "demo" and not args.db:  # the demo is always its own file, whatever is chosen
        from ouder_tui.paths import demo_db_path

        path: Path | str | None = demo_db_path()
    else:
        path = _database(args)
    if path is None:
        if args.command is None:
            return _first_start(args)
        path = _without_choice()
    if isinstance(path, str):
        return _run_on_server(path, args)
    if args.command == "demo":
        from ouder_tui.demo import create_demo_database

        create_demo_database(path, replace=args.opnieuw)
        print(f"Demodatabank klaar: {path}")
        return 0
    if args.demo:
        _ensure_demo(path)
    if args.command is None:
        return _start_interface(path, args)
    if args.command == "check":
        return _check(path)
    if args.command == "backup":
        from ouder_tui.maintenance import make_backup

        made = make_backup(path, Path(args.output) if args.output else None, ask=_ask_passphrase)
        print(f"Reservekopie gemaakt: {made}")
        return 0
    if args.command == "restore":
        kept = _restore(path, args)
        print(f"Teruggezet: {args.backup} -> {path}")
        if kept:
            print(f"De vorige inhoud staat in {kept}")
        return 0
    if args.command in _ON_EITHER_HOME:
        return _ON_EITHER_HOME[args.command](path, args)
    if args.command == "wachtwoord":
        return _wachtwoord(path, args)
    raise AssertionError(args.command)


def _inzage(path: Path | str, args: argparse.Namespace) -> int:
    from ouder_tui.inzage import inzage_report
    from ouder_tui.leerlingen import Registry

    registry = Registry(_open(path, args, make_backup=False, create=False))
    _write_out(inzage_report(registry, args.gezin, args.format), args.output, store=registry.store,
               plain=args.onversleuteld)
    return 0


def _open(path: Path | str, args: argparse.Namespace, *, make_backup: bool = True, create: bool = True):
    if isinstance(path, str):
        return _connect(path, args)
    from ouder_tui.filestore import FileStore

    store = FileStore.unopened(path, user=_user(args))
    if store.needs_passphrase():
        store.unlock(_ask_passphrase("de databank"))
    store.load(make_backup=make_backup, create=create)
    for warning in store.warnings:
        print(f"ouder-tui: let op: {warning}", file=sys.stderr)
    return store


# --- a school server ---------------------------------------------------------------------------------------


def _run_on_server(url: str, args: argparse.Namespace) -> int:
    """The commands with ``--db postgresql://...``: the same work, on the server's store."""
    if args.command == "demo":
        return _fail("De demodatabank is een bestand op deze pc, geen server. Maak ze met ouder-tui demo "
                     "(zonder --db URL); op een server zetten kan daarna met ouder-tui overzetten.", 2)
    if args.command == "wachtwoord":
        return _fail(SERVER_PROTECTION, 2)
    if args.command is None:
        return _start_interface(url, args)
    if args.command == "check":
        return _check_server(url, args)
    if args.command == "backup":
        return _server_backup(url, args)
    if args.command == "restore":
        return _server_restore(url, args)
    if args.command in _ON_EITHER_HOME:
        return _ON_EITHER_HOME[args.command](url, args)
    raise AssertionError(args.command)


class _ServerLogin:
    """Connects to a school server as libpq does (password in the URL, PGPASSWORD, .pgpass); when the server
    asks for a password none of those gave, it is typed once in a terminal, never shown, and kept for the
    next connection of this command."""

    def __init__(self, url: str) -> None:
        from ouder_tui.pgurl import prepare_url

        self.url = prepare_url(url)
        self.password: str | None = None

    def __call__(self, connect: Callable[..., object], *args, **kwargs):
        from ouder_tui.errors import OuderTuiError
        from ouder_tui.pgstore import PasswordNeededError

        try:
            try:
                return connect(self.url, *args, password=self.password, **kwargs)
            except PasswordNeededError as exc:
                if self.password is not None:  # typed, and wrong: once is enough for a command
                    raise
                self.password = _ask_server_password(self.url, str(exc))
                return connect(self.url, *args, password=self.password, **kwargs)
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("psycopg"):
                raise
            raise OuderTuiError('Voor een schoolserver heeft ouder-tui het pakket psycopg nodig. Installeer het '
                                'in dezelfde omgeving als ouder-tui: python -m pip install "psycopg[binary]"') from None


def _ask_server_password(url: str, why: str) -> str:
    """The password of the URL's login, typed without echo; without a terminal a Dutch error naming the ways."""
    from ouder_tui.errors import OuderTuiError
    from ouder_tui.pgurl import describe, user_of

    who = user_of(url) or os.environ.get("PGUSER") or "je login"
    if not sys.stdin.isatty():
        raise OuderTuiError(
            f"{why} Zonder terminal kan ouder-tui het niet vragen. Geef het wachtwoord van {who} mee in "
            "de variabele PGPASSWORD, of zet het in het bestand .pgpass (op Windows "
            "%APPDATA%\\postgresql\\pgpass.conf), zoals elk PostgreSQL-programma.")
    typed = getpass.getpass(f"Wachtwoord van {who} voor de {describe(url)}: ")
    if not typed:
        raise OuderTuiError("Geen wachtwoord getypt; er is niets gedaan.")
    return typed


#: Server stores this command opened; :func:`main` closes them when the command is done.
_opened: list = []


def _connect(url: str, args: argparse.Namespace, *, listen: bool = False):
    """An open store on the school server at ``url``; who works is the login, not ``--gebruiker``.

    ``listen``: hear other PCs' changes (the interface); a headless command does not need to.
    """
    from ouder_tui.pgstore import PgStore

    def connect(prepared: str, *, password: str | None):
        return PgStore.connect(prepared, password=password, listen=listen)

    store = _ServerLogin(url)(connect)
    _opened.append(store)
    if getattr(args, "gebruiker", None) and args.gebruiker != store.user:
        print(f"ouder-tui: let op: op de schoolserver ondertekent je login ({store.user}) elke wijziging; "
              "--gebruiker telt hier niet.", file=sys.stderr)
    for warning in store.warnings:
        print(f"ouder-tui: let op: {warning}", file=sys.stderr)
    return store


def _check_server(url: str, args: argparse.Namespace) -> int:
    from ouder_tui.maintenance import check_store

    store = _connect(url, args)
    return _report_check(check_store(store), store.location)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _print_report(report) -> int:
    """The table of a transfer on stdout; its problems on stderr. The exit code."""
    for line in report.lines():
        print(line)
    for note in report.notes:
        print(f"ouder-tui: let op: {note}", file=sys.stderr)
    if not report.ok:
        for problem in report.problems:
            print(f"ouder-tui: {problem}", file=sys.stderr)
        return 1
    return 0


def _server_backup(url: str, args: argparse.Namespace) -> int:
    """``backup`` on a server: the whole database as a JSON database file (the form ``overzetten`` writes)."""
    from datetime import datetime

    from ouder_tui.overzetten import FileTarget, StoreSource, transfer
    from ouder_tui.pgurl import dbname_of

    store = _connect(url, args)
    if args.output:
        output = Path(args.output)
    else:
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in dbname_of(url)) or "server"
        output = Path.cwd() / f"ouder-tui-{safe}-{datetime.now():%Y-%m-%d-%H%M%S}.json"
    report = transfer(StoreSource(store), FileTarget(output, overwrite=bool(args.output)), progress=_say)
    if report.ok:
        print(f"Reservekopie gemaakt: {output} ({report.records} records, gecontroleerd)")
        _say("ouder-tui: let op: de reservekopie is niet beveiligd met een wachtwoord; bewaar ze waar alleen "
             "wie alles mag zien erbij kan, of beveilig ze: ouder-tui --db BESTAND wachtwoord.")
    return _print_report(report) if not report.ok else 0


def _server_restore(url: str, args: argparse.Namespace) -> int:
    """``restore`` on a server: a backup (or any database file) into an empty server database."""
    from ouder_tui.overzetten import FileSource, StoreTarget, transfer

    store = _connect(url, args)
    report = transfer(FileSource(Path(args.backup), ask=_ask_passphrase), StoreTarget(store), progress=_say)
    code = _print_report(report)
    if code == 0:
        print(f"Teruggezet: {args.backup} -> {store.location} ({report.records} records, gecontroleerd)")
    return code


def _overzetten(args: argparse.Namespace) -> int:
    """``overzetten --van BRON --naar DOEL``: file to server, server to file (or file to file, server to server)."""
    from ouder_tui.overzetten import FileSource, FileTarget, StoreSource, StoreTarget, transfer
    from ouder_tui.pgurl import is_server_url, redact

    if args.van.strip() == args.naar.strip():
        return _fail("Bron en doel zijn dezelfde databank.", 2)
    # The target first: a server that cannot be reached, or that is not empty, costs no passphrase.
    if is_server_url(args.naar):
        target = StoreTarget(_connect(args.naar, args))
    else:
        target = FileTarget(Path(args.naar).expanduser())
        target.check_ready()
    if is_server_url(args.van):
        source = StoreSource(_connect(args.van, args))
    else:
        source = FileSource(Path(args.van).expanduser(), ask=_ask_passphrase)
    report = transfer(source, target, progress=_say)
    code = _print_report(report)
    if code:
        return code
    tables = sum(1 for check in report.tables if check.source_count)
    print(f"Overgezet en gecontroleerd: {report.records} records in {tables} tabellen; elke tabel is gelijk.")
    if is_server_url(args.naar):
        print(f"Wijs nu elke pc naar de server: OUDER_TUI_DB={redact(args.naar)} (of --db). "
              f"Het bestand {args.van} is niet gewijzigd; werk er niet meer in verder.")
    else:
        print(f"Open het met: ouder-tui --db {_quote(str(target.path))}")
        _say("ouder-tui: let op: het nieuwe bestand is niet beveiligd met een wachtwoord; bewaar het waar alleen "
             f"wie alles mag zien erbij kan, of beveilig het: ouder-tui --db {_quote(str(target.path))} wachtwoord.")
    return 0


def _server(args: argparse.Namespace, database: Path | str | None) -> int:
    """``ouder-tui server init|gebruiker|gebruikers``: for the school's IT partner, also in scripts."""
    from ouder_tui import pgadmin
    from ouder_tui.pgurl import describe, for_login, is_server_url

    url = args.url if args.server_command == "init" and args.url else database
    if not isinstance(url, str) or not is_server_url(url):
        return _fail("Geef de server als postgresql://LOGIN@SERVER/DATABANK: "
                     + ("ouder-tui server init URL." if args.server_command == "init" else
                        f"ouder-tui --db URL server {args.server_command} ... (of zet OUDER_TUI_DB)."), 2)
    login = _ServerLogin(url)
    if args.server_command == "init":
        for note in login(pgadmin.init_server):
            print(note)
        print(f"Volgende stap: een login per personeelslid op de {describe(url)}, met "
              f"ouder-tui --db URL server gebruiker NAAM --rol {'|'.join(SERVER_ROLES)}.")
        return 0
    if args.server_command == "gebruikers":
        logins = login(pgadmin.list_logins)
        if not logins:
            print("Er zijn nog geen logins met een rol in ouder-tui.")
            return 0
        width = max(len("login"), *(len(name) for name, _ in logins))
        print(f"{'login':<{width}}  rollen")
        for name, roles in logins:
            print(f"{name:<{width}}  {', '.join(dict.fromkeys(roles))}")
        print()
        for role, description in pgadmin.ROLES.items():
            print(f"{role}: {description}")
        return 0
    name = args.naam.strip()
    if args.nieuw_wachtwoord:
        if args.rol or args.verwijder:
            return _fail("--nieuw-wachtwoord gaat alleen, zonder --rol of --verwijder.", 2)
        password = _new_login_password(name)
        login(pgadmin.set_password, name, password)
        del password
        print(f"De login {name} heeft een nieuw wachtwoord.")
        return 0
    if args.verwijder:
        if args.rol:
            return _fail("Kies --rol of --verwijder, niet allebei.", 2)
        login(pgadmin.remove_login, name)
        print(f"De login {name} is verwijderd. Wat {name} bewaarde, blijft, ondertekend met die naam.")
        return 0
    if not args.rol:
        return _fail(f"Geef een rol met --rol {'|'.join(SERVER_ROLES)}, of --verwijder.", 2)
    if any(existing == name for existing, _ in login(pgadmin.list_logins)):
        login(pgadmin.change_role, name, args.rol)
        print(f"{name} heeft nu de rol {args.rol}.")
        return 0
    password = _new_login_password(name)
    note = login(pgadmin.add_login, name, args.rol, password)
    del password
    if note:  # a login the server had for another school: it keeps its password
        print(note)
        return 0
    print(f"De login {name} is gemaakt, met de rol {args.rol}. {name} meldt zich aan met "
          f"--db {for_login(url, name)} (of OUDER_TUI_DB) en dat wachtwoord.")
    return 0


def _new_login_password(name: str) -> str:
    """The password of a new login: from OUDER_TUI_NIEUW_WACHTWOORD, else typed twice without echo."""
    from ouder_tui.crypto import check_new_passphrase
    from ouder_tui.errors import OuderTuiError

    if (env := os.environ.get(ENV_NEW_PASSPHRASE)) is not None:
        typed, repeated = env, env
    elif sys.stdin.isatty():
        typed = getpass.getpass(f"Wachtwoord voor de nieuwe login {name}: ")
        repeated = getpass.getpass("Herhaal het wachtwoord: ")
    else:
        raise OuderTuiError(f"Typ het wachtwoord van de nieuwe login in een terminal, of geef het mee in "
                            f"{ENV_NEW_PASSPHRASE}.")
    errors = check_new_passphrase(typed, repeated)
    if errors:
        raise OuderTuiError(" ".join(errors.values()) + " Er is geen login gemaakt.")
    return typed


def _export(path: Path | str, args: argparse.Namespace) -> int:
    """``ouder-tui export``: check the call against the chosen export, then write what its area makes."""
    from ouder_tui.areas import Services, export_options, exports
    from ouder_tui.leerlingen import Registry

    specs = exports()
    spec = next(e for e in specs if e.name == args.what)
    if args.format not in spec.formats:
        return _fail(f"{args.what} kan je exporteren als {', '.join(spec.formats)}, niet als {args.format}.", 2)
    accepted = {option.flag for option in spec.options}
    for option in export_options():
        value = getattr(args, option.dest)
        if value is not None and value is not False and option.flag not in accepted:
            accepting = [e.name for e in specs if option.flag in {o.flag for o in e.options}]
            return _fail(f"{option.flag} geldt alleen voor de export van {' en '.join(accepting)}.", 2)
    given = {option.dest: getattr(args, option.dest) for option in spec.options}
    values = dict(given)
    for option in spec.options:
        if option.parse is not None:
            try:
                values[option.dest] = option.parse(given[option.dest]) if given[option.dest] else None
            except ValueError as exc:
                return _fail(f"{option.flag}: {exc}.", 2)
    if spec.check is not None and (problem := spec.check(values, given)):
        return _fail(problem, 2)
    if args.format == "xlsx" and not args.output and sys.stdout.isatty():
        return _fail("Een Excel-bestand kan niet op het scherm: geef --output BESTAND.xlsx.", 2)
    registry = Registry(_open(path, args, make_backup=False, create=False))
    payload = spec.produce(Services(registry.store, registry), args.format, values)
    _write_out(payload, args.output, store=registry.store, plain=args.onversleuteld)
    return 0


def _wachtwoord(path: Path, args: argparse.Namespace) -> int:
    from ouder_tui.crypto import LOST_PASSPHRASE_WARNING, Passphrase, check_new_passphrase
    from ouder_tui.errors import OuderTuiError
    from ouder_tui.filestore import FileStore

    store = FileStore.unopened(path, user=_user(args))
    current = None
    if store.needs_passphrase():  # the passphrase that opens it is also the proof to change it
        current = _ask_passphrase("de databank")
        store.unlock(current)
    store.load(create=False)
    new = None
    if not args.uit:
        if (env := os.environ.get(ENV_NEW_PASSPHRASE)) is not None:
            typed, repeated = env, env
        elif sys.stdin.isatty():
            if not store.protected:
                print(f"Let op: {LOST_PASSPHRASE_WARNING}", file=sys.stderr)
                if input("Typ ja om verder te gaan: ").strip().lower() != "ja":
                    return _fail("Niets gewijzigd.")
            typed = getpass.getpass("Nieuw wachtwoord: ")
            repeated = getpass.getpass("Herhaal het nieuwe wachtwoord: ")
        else:
            raise OuderTuiError(f"Typ het nieuwe wachtwoord in een terminal, of geef het mee in {ENV_NEW_PASSPHRASE}.")
        errors = check_new_passphrase(typed, repeated)
        del repeated
        if errors:
            return _fail(" ".join(errors.values()))
        new = Passphrase(typed)
        del typed
    elif not store.protected:
        print("De databank is niet beveiligd; er is niets gewijzigd.")
        return 0
    was_protected = store.protected
    notes = store.set_passphrase(new, current=current)
    for note in notes:
        print(f"ouder-tui: let op: {note}", file=sys.stderr)
    if new is None:
        print(f"De beveiliging van {path} staat uit; de databank en haar reservekopieën zijn weer leesbaar "
              "zonder wachtwoord.")
    elif was_protected:
        print(f"Het wachtwoord van {path} is gewijzigd; de reservekopieën gebruiken het ook.")
    else:
        print(f"{path} is nu beveiligd met een wachtwoord, net als haar reservekopieën.")
    return 0


def _ontsleutel(args: argparse.Namespace) -> int:
    from ouder_tui import crypto
    from ouder_tui.crypto import SEALED_SUFFIX
    from ouder_tui.errors import OuderTuiError

    from ouder_tui.pgurl import is_server_url

    if is_server_url(args.file):
        return _fail("ontsleutel maakt een versleuteld bestand leesbaar; een schoolserver versleutelt niets met een "
                     "wachtwoord van ouder-tui. " + SERVER_PROTECTION, 2)
    source = Path(args.file)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise OuderTuiError(f"Kan {source} niet lezen: {exc.strerror or exc}.") from None
    if not crypto.is_protected(raw):
        return _fail(f"{source} is niet versleuteld.")
    try:
        _, plain = crypto.unlock(raw, _ask_passphrase(f"het bestand {source.name}"))
    except crypto.DamagedFileError as exc:
        raise OuderTuiError(f"{source} is beschadigd: {exc}.") from None
    output = args.output
    if output is None and sys.stdout.isatty() and source.name.endswith(SEALED_SUFFIX):
        output = str(source)[: -len(SEALED_SUFFIX)]  # not onto the screen: a file beside it
    _write_out(plain, output)
    if output:
        print(f"Leesbaar bewaard: {output}")
    return 0


def _check(path: Path) -> int:
    from ouder_tui.maintenance import check_database

    return _report_check(check_database(path, ask=_ask_passphrase), str(path))


def _report_check(report, where: str) -> int:
    """What ``check`` found, on a file or a server alike: notes, then in order or the problems; the exit code."""
    for note in report.notes:
        print(note)
    if report.ok:
        print(f"De databank {where} is in orde.")
        return 0
    for problem in report.problems:
        print(f"ouder-tui: {problem}", file=sys.stderr)
    return DAMAGED if report.damaged else 1


def _import(path: Path | str, args: argparse.Namespace) -> int:
    from datetime import date

    from ouder_tui import importers
    from ouder_tui.leerlingen import Registry
    from ouder_tui.text import parse_school_year, school_year_of

    overrides = importers.parse_map_options(args.map)
    csv_file = importers.read_csv(Path(args.file))
    mapping = importers.detect_mapping(csv_file.headers, overrides)
    today = date.today()
    try:
        year = parse_school_year(args.schooljaar) if args.schooljaar else school_year_of(today)
    except ValueError as exc:
        return _fail(str(exc), 2)
    if args.dry_run and isinstance(path, Path) and not path.exists():
        from ouder_tui.memstore import MemoryStore

        print(f"Er is nog geen databank op {path}: de proefdraai vergelijkt met een lege databank en maakt niets aan.")
        store = MemoryStore(user=_user(args))
    else:
        store = _open(path, args, make_backup=not args.dry_run)
    registry = Registry(store)
    plan = importers.plan_import(registry, csv_file, mapping, schooljaar=year, vandaag=today,
                                 markeer_vertrokken=args.markeer_vertrokken)
    print(plan.summary())
    if args.strict:
        plan.refuse_if_skipped()
    if args.dry_run:
        print("Proefdraai (--dry-run): er is niets gewijzigd.")
        return 0
    importers.apply_import(registry, plan, bestand=Path(args.file).name)
    print("Import bewaard.")
    return 0


def _interface():
    """The interface, ``ouder_tui.app``: the one lazy import of Textual."""
    import ouder_tui.app

    return ouder_tui.app


def _first_start(args: argparse.Namespace) -> int:
    """Nothing chosen yet on this PC: ask where the database lives (a small screen of its own, before the
    app), then start the app on it, exactly as with ``--db``."""
    from ouder_tui.locatie import existing_user_databases, machine_database

    outcome = _interface().choose_location(machine_database=machine_database(), existing=existing_user_databases())
    if outcome is None:
        _say("ouder-tui: er is geen databank gekozen; er is niets gewijzigd. Start ouder-tui opnieuw om te kiezen.")
        return 0
    if outcome.is_server:
        return _start_interface(outcome.databank, args, keep=outcome)
    return _start_interface(Path(outcome.databank), args)


def _start_interface(path: Path | str, args: argparse.Namespace, *, keep=None) -> int:
    """Start the app on ``path``; ``keep``: a server chosen at the first start, kept once it answers."""
    if isinstance(path, str):
        # A server: connect first (a password is asked here, before the screen takes the terminal);
        # who works is the login, so there is no who-are-you question.
        from ouder_tui.errors import OuderTuiError

        try:
            store, ask_user = _connect(path, args, listen=True), False
        except OuderTuiError as exc:
            if keep is None:
                raise
            raise OuderTuiError(f"{exc} De schoolserver is niet bewaard als keuze; start ouder-tui opnieuw om "
                                "te kiezen.") from None
        if keep is not None:
            _keep_choice(keep.databank, machine=keep.machine)
    else:
        from ouder_tui.filestore import FileStore

        # The interface opens the file itself, in the background, so its first screen shows at once
        # and a broken file gets a screen that offers the newest good backup.
        # A name given with --gebruiker or OUDER_TUI_GEBRUIKER is who works: no question at the start
        # (the idle lock still asks who is there).
        store, ask_user = FileStore.unopened(path, user=_user(args)), not _user_given(args)
    from ouder_tui.locatie import user_settings_file
    from ouder_tui.voorkeuren import Voorkeuren

    voorkeuren = Voorkeuren(user_settings_file().parent / "voorkeuren.json")
    app = _interface().make_app(store=store, ask_user=ask_user, voorkeuren=voorkeuren)
    # What is imported now lives as long as the process: keep the cycle collector from walking it again
    # while the first screen is built (a full pass over Textual and the app cost ~20 ms before the first frame).
    gc.freeze()
    app.run()
    return app.return_code or 0


def _keep_choice(value: str, *, machine: bool) -> None:
    """Keep the server chosen at the first start (it answered); a failure only warns: the work goes on."""
    from ouder_tui.locatie import LocationError, save_with_fallback

    try:
        _, notes = save_with_fallback(value, machine=machine)
    except LocationError as exc:
        notes = [f"{exc} De keuze is niet bewaard; kies later met ouder-tui locatie."]
    for note in notes:
        _say(f"ouder-tui: {note}")


def _locatie(args: argparse.Namespace) -> int:
    """``ouder-tui locatie [PAD|URL] [--alleen-voor-mij]``: show where the database is, or choose it."""
    from ouder_tui import locatie
    from ouder_tui.paths import ENV_DB
    from ouder_tui.pgurl import is_server_url, redact

    if args.waar is None:
        return _show_location(args)
    machine = not args.alleen_voor_mij
    value = locatie.normalize(args.waar)
    notes: list[str] = []
    if not is_server_url(value):
        folder = Path(value).parent
        if folder == locatie.machine_data_folder():
            notes += locatie.ensure_machine_folder(folder)
        elif not folder.is_dir():
            return _fail(f"De map {folder} bestaat niet (of is nu niet bereikbaar). Maak ze eerst, of kies een "
                         "andere plaats. Er is niets gewijzigd.")
    for warning in locatie.location_warnings(value) + locatie.server_warnings(value, machine=machine):
        _say(f"ouder-tui: let op: {warning}")
    try:
        saved, save_notes = locatie.save_choice(value, machine=machine)
    except locatie.LocationError as exc:
        if not machine:
            raise
        raise locatie.LocationError(f"{exc} Of bewaar de keuze alleen voor jou: ouder-tui locatie "
                                    f"{_quote(args.waar)} --alleen-voor-mij.") from None
    for note in notes + save_notes:
        _say(f"ouder-tui: let op: {note}")
    who = "iedereen op deze pc" if machine else "jou alleen"
    print(f"Bewaard voor {who} (in {saved}): de databank is {redact(value)}.")
    if not is_server_url(value) and not Path(value).exists():
        print("Dat bestand bestaat nog niet: ouder-tui maakt het bij de volgende start.")
    if machine and (own := locatie.read_choice(locatie.user_settings_file(), "gebruiker")) is not None:
        print(f"Let op: voor jou gaat je eigen keuze voor ({own.databank}, in {own.bestand}); die verwijder je "
              "door dat bestand te wissen.")
    for given, name in ((args.db, "--db"), (os.environ.get(ENV_DB), ENV_DB)):
        if given:
            print(f"Let op: {name} ({redact(given)}) gaat voor zolang die gegeven is.")
            break
    return 0


def _show_location(args: argparse.Namespace) -> int:
    """``ouder-tui locatie`` without argument: which database, and where that choice comes from."""
    from ouder_tui import locatie
    from ouder_tui.pgurl import is_server_url, redact

    choice = locatie.resolve(args.db)
    saved = locatie.saved_choices()
    if choice is None:
        print("Er is nog geen databank gekozen op deze pc.")
        if (old := locatie.legacy_choice()) is not None:
            print(f"Zonder keuze werken de opdrachten op de databank van een vorige versie: {old.databank}")
        print("Kiezen: start ouder-tui (het vraagt het), of ouder-tui locatie PAD|URL [--alleen-voor-mij].")
        print(f"De map voor iedereen op deze pc is {locatie.machine_data_folder()}.")
        return 0
    print(f"Databank: {redact(choice.databank)}")
    print(f"Gekozen via {choice.describe()}.")
    target = choice.database()
    if not is_server_url(choice.databank) and isinstance(target, Path) and not target.exists():
        print("Dat bestand bestaat nog niet: ouder-tui maakt het bij de eerste start.")
    for other in saved:
        if other != choice:
            print(f"Ook bewaard, maar niet gebruikt: {redact(other.databank)} ({other.describe()}).")
    for warning in locatie.location_warnings(choice.databank):
        print(f"Let op: {warning}")
    print("Wijzigen: ouder-tui locatie PAD|URL [--alleen-voor-mij].")
    return 0


#: The commands that read or write records the same way on a file and on a school server.
_ON_EITHER_HOME = {"export": _export, "import": _import, "inzage": _inzage}


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
