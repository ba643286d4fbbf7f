"""The command line: ``ouder-tui`` starts the interface; subcommands run headless.

Errors are Dutch, go to stderr and end with a non-zero exit code (2 for a
wrong call, 1 for everything else); nothing is changed then. Heavy parts
(Textual, the store) are imported only by the commands that need them, so
``--version`` and the headless commands do not pay for the interface.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from ouder_tui import __version__

ENV_USER = "OUDER_TUI_GEBRUIKER"
#: For scripts: the passphrase of a protected database (and of its backups and exports).
ENV_PASSPHRASE = "OUDER_TUI_WACHTWOORD"
#: For scripts: the new passphrase of ``ouder-tui wachtwoord``.
ENV_NEW_PASSPHRASE = "OUDER_TUI_NIEUW_WACHTWOORD"
EXPORTS = ("leerlingen", "gezinnen", "huisbezoeken", "startgesprekken", "oudergroep", "infomoment")
EXPORT_FORMATS = {"leerlingen": ("csv", "json"), "gezinnen": ("csv", "json"),
                  "huisbezoeken": ("csv", "json", "ics", "md", "html"), "startgesprekken": ("csv", "json", "md", "html"),
                  "oudergroep": ("csv", "json", "ics", "md", "html"), "infomoment": ("csv", "json", "ics", "md", "html")}
# Options that only make sense for some exports: using them elsewhere is a wrong call, not silently ignored.
EXPORT_OPTIONS = {"--van": ("huisbezoeken",), "--tot": ("huisbezoeken",), "--gezin": ("huisbezoeken",),
                  "--vertrouwelijk": ("huisbezoeken",), "--klas": ("startgesprekken",),
                  "--schooljaar": ("startgesprekken", "oudergroep", "infomoment"), "--rotatie": ("infomoment",)}

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
    """An ArgumentParser whose errors are Dutch and exit with code 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fout: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ouder-tui",
        description="Ouderbetrokkenheid organiseren: zonder subcommando start de interface.",
    )
    parser.add_argument("--db", metavar="PAD", help="de databank (anders OUDER_TUI_DB of je gegevensmap)")
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

    exp = commands.add_parser("export", help="leerlingen, gezinnen, huisbezoeken, startgesprekken, de oudergroep "
                                             "of het infomoment exporteren")
    exp.add_argument("what", choices=EXPORTS, metavar="|".join(EXPORTS))
    exp.add_argument("--format", choices=["csv", "json", "ics", "md", "html"], default="csv",
                     help="csv (Excel), json; huisbezoeken, oudergroep en infomoment ook ics (agenda), md en html; "
                          "startgesprekken ook md en html")
    exp.add_argument("--output", metavar="BESTAND", help="schrijf naar dit bestand (anders naar de uitvoer)")
    exp.add_argument("--van", metavar="dd/mm/jjjj", help="huisbezoeken: vanaf deze datum")
    exp.add_argument("--tot", metavar="dd/mm/jjjj", help="huisbezoeken: tot en met deze datum")
    exp.add_argument("--gezin", metavar="NUMMER", type=int, help="huisbezoeken: de geschiedenis van één gezin")
    exp.add_argument("--vertrouwelijk", action="store_true",
                     help="huisbezoeken: ook de notities van vertrouwelijke bezoeken (niet in ics)")
    exp.add_argument("--klas", metavar="KLAS", help="startgesprekken: één klas, bv. 5A")
    exp.add_argument("--schooljaar", metavar="JJJJ-JJJJ",
                     help="startgesprekken, oudergroep en infomoment: schooljaar (anders het huidige)")
    exp.add_argument("--rotatie", action="store_true",
                     help="infomoment, md/html: de rotatie (rooster, kaartje per groep, blad per tafel) "
                          "in plaats van de top 5 van de vragen")
    exp.add_argument("--onversleuteld", action="store_true",
                     help="van een beveiligde databank: schrijf leesbaar in plaats van versleuteld")

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

    commands.add_parser("check", help="controleer of de databank gezond is")
    bak = commands.add_parser("backup", help="maak een reservekopie")
    bak.add_argument("--output", metavar="BESTAND", help="waar de kopie komt (anders de map met reservekopieën)")
    res = commands.add_parser("restore", help="zet een reservekopie terug")
    res.add_argument("backup", metavar="RESERVEKOPIE")
    demo = commands.add_parser("demo", help="maak de demodatabank (opnieuw)")
    demo.add_argument("--opnieuw", action="store_true", help="vervang een bestaande demodatabank")
    return parser


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


def _db_path(args: argparse.Namespace) -> Path:
    from ouder_tui.paths import choose_db_path

    return choose_db_path(args.db, demo=args.demo)


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
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()


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
    from ouder_tui.errors import OuderTuiError

    try:
        return _run(args)
    except OuderTuiError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("Afgebroken. Er is niets half bewaard.", 130)


def _run(args: argparse.Namespace) -> int:
    path = _db_path(args)
    if args.command == "demo":
        from ouder_tui.demo import create_demo_database

        target = path if (args.db and not args.demo) else _db_path(argparse.Namespace(db=None, demo=True))
        create_demo_database(target, replace=args.opnieuw)
        print(f"Demodatabank klaar: {target}")
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
        from ouder_tui.maintenance import restore_backup

        kept = restore_backup(path, Path(args.backup), ask=_ask_passphrase)
        print(f"Teruggezet: {args.backup} -> {path}")
        if kept:
            print(f"De vorige inhoud staat in {kept}")
        return 0
    if args.command == "export":
        return _export(path, args)
    if args.command == "import":
        return _import(path, args)
    if args.command == "inzage":
        from ouder_tui.inzage import inzage_report
        from ouder_tui.leerlingen import Registry

        registry = Registry(_open(path, args, make_backup=False, create=False))
        _write_out(inzage_report(registry, args.gezin, args.format), args.output, store=registry.store,
                   plain=args.onversleuteld)
        return 0
    if args.command == "wachtwoord":
        return _wachtwoord(path, args)
    if args.command == "ontsleutel":
        return _ontsleutel(args)
    raise AssertionError(args.command)


def _open(path: Path, args: argparse.Namespace, *, make_backup: bool = True, create: bool = True):
    from ouder_tui.store import Store

    store = Store.unopened(path, user=_user(args))
    if store.needs_passphrase():
        store.unlock(_ask_passphrase("de databank"))
    store.load(make_backup=make_backup, create=create)
    for warning in store.warnings:
        print(f"ouder-tui: let op: {warning}", file=sys.stderr)
    return store


def _export(path: Path, args: argparse.Namespace) -> int:
    from ouder_tui.leerlingen import Registry
    from ouder_tui.text import parse_date, parse_school_year

    if args.format not in EXPORT_FORMATS[args.what]:
        return _fail(f"{args.what} kan je exporteren als {', '.join(EXPORT_FORMATS[args.what])}, niet als "
                     f"{args.format}.", 2)
    for option, value in (("--van", args.van), ("--tot", args.tot), ("--gezin", args.gezin),
                          ("--vertrouwelijk", args.vertrouwelijk), ("--klas", args.klas),
                          ("--schooljaar", args.schooljaar), ("--rotatie", args.rotatie)):
        if value is not None and value is not False and args.what not in EXPORT_OPTIONS[option]:
            return _fail(f"{option} geldt alleen voor de export van {' en '.join(EXPORT_OPTIONS[option])}.", 2)
    parsed = {}
    for option, text, parse in (("--van", args.van, parse_date), ("--tot", args.tot, parse_date),
                                ("--schooljaar", args.schooljaar, parse_school_year)):
        try:
            parsed[option] = parse(text) if text else None
        except ValueError as exc:
            return _fail(f"{option}: {exc}.", 2)
    van, tot, schooljaar = parsed["--van"], parsed["--tot"], parsed["--schooljaar"]
    if van and tot and tot < van:
        return _fail(f"De einddatum (--tot {args.tot}) ligt voor de begindatum (--van {args.van}).", 2)
    registry = Registry(_open(path, args, make_backup=False, create=False))
    if args.what == "huisbezoeken":
        from ouder_tui.huisbezoek import Huisbezoeken
        from ouder_tui.huisbezoek_export import export_huisbezoeken

        payload = export_huisbezoeken(Huisbezoeken(registry.store, registry), args.format, van=van, tot=tot,
                                      vertrouwelijk=args.vertrouwelijk, gezin_id=args.gezin)
    elif args.what == "startgesprekken":
        from ouder_tui.startgesprek import Startgesprekken
        from ouder_tui.startgesprek_export import export_startgesprekken

        payload = export_startgesprekken(Startgesprekken(registry.store, registry), args.format, klas=args.klas,
                                         schooljaar=schooljaar)
    elif args.what == "infomoment":
        from ouder_tui.infomoment import Infomomenten
        from ouder_tui.infomoment_export import export_infomoment

        payload = export_infomoment(Infomomenten(registry.store), args.format, schooljaar=schooljaar,
                                    wat="rotatie" if args.rotatie else "top5")
    elif args.what == "oudergroep":
        from ouder_tui.oudergroep import Oudergroep
        from ouder_tui.oudergroep_export import export_oudergroep

        payload = export_oudergroep(Oudergroep(registry.store, registry), args.format, schooljaar=schooljaar)
    else:
        from ouder_tui.exporters import export_registry

        payload = export_registry(registry, args.what, args.format)
    _write_out(payload, args.output, store=registry.store, plain=args.onversleuteld)
    return 0


def _wachtwoord(path: Path, args: argparse.Namespace) -> int:
    from ouder_tui.crypto import LOST_PASSPHRASE_WARNING, Passphrase, check_new_passphrase
    from ouder_tui.errors import OuderTuiError
    from ouder_tui.store import Store

    store = Store.unopened(path, user=_user(args))
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

    report = check_database(path, ask=_ask_passphrase)
    for note in report.notes:
        print(note)
    if report.ok:
        print(f"De databank {path} is in orde.")
        return 0
    for problem in report.problems:
        print(f"ouder-tui: {problem}", file=sys.stderr)
    return 1


def _import(path: Path, args: argparse.Namespace) -> int:
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


def _start_interface(path: Path, args: argparse.Namespace) -> int:
    from ouder_tui.app import make_app  # the one lazy import of Textual
    from ouder_tui.store import Store

    # The interface opens the file itself, in the background, so its first screen shows at once
    # and a broken file gets a screen that offers the newest good backup.
    app = make_app(store=Store.unopened(path, user=_user(args)))
    app.run()
    return app.return_code or 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
