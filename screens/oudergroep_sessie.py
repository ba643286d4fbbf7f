"""One session of the parent group: its view (who was invited, who came, the report) and its forms."""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Label, Static

from ouder_tui.errors import NotFoundError, ValidationError
from ouder_tui.models import from_record
from ouder_tui.oudergroep import (
    HERHALINGEN,
    SESSIE_STATUSSEN,
    Oudergroep,
    Partner,
    Sessie,
    Tolk,
    lange_datum,
    reeks_data,
)
from ouder_tui.text import format_date
from screens.base import DetailScreen
from screens.footer import Footer
from screens.forms import (
    FormScreen,
    check_field,
    choice_field,
    date_value,
    note_field,
    raise_with_model_errors,
    text_field,
)
from screens.table import Column, RecordTable, Row
from screens.widgets import Card


def parse_partners(text: str) -> tuple[Partner, ...]:
    """One partner per line: ``organisatie; contactpersoon; telefoon; e-mail`` (the last three optional)."""
    partners = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(";")] + ["", "", "", ""]
        if any(parts):
            partners.append(Partner(organisatie=parts[0], contactpersoon=parts[1], telefoon=parts[2], email=parts[3]))
    return tuple(partners)


def partners_text(partners: tuple[Partner, ...]) -> str:
    return "\n".join("; ".join(p for p in (x.organisatie, x.contactpersoon, x.telefoon, x.email) if p) for x in partners)


def parse_interpreters(text: str) -> tuple[Tolk, ...]:
    """``Arabisch: Samir, Turks`` -> an interpreter for Arabic (Samir) and one for Turkish."""
    found = []
    for item in text.split(","):
        taal, _, naam = item.partition(":")
        if taal.strip() or naam.strip():
            found.append(Tolk(taal=taal.strip(), naam=naam.strip()))
    return tuple(found)


def interpreters_text(tolken: tuple[Tolk, ...]) -> str:
    return ", ".join(f"{t.taal}: {t.naam}" if t.naam else t.taal for t in tolken)


class SessieForm(FormScreen[Sessie]):
    """Plan a session (or a series), or edit one: when, where, about what, with whom."""

    DETAILS = {
        "kinderopvang_info": ("kinderopvang", (True,), "Je beschreef opvang, maar kinderopvang is niet aangevinkt: "
                              "vink het aan of maak dit veld leeg."),
        "annulatie_reden": ("status", ("geannuleerd",), "Een reden van annulering hoort bij een geannuleerde "
                            "sessie: zet de status op geannuleerd of maak dit veld leeg."),
    }

    HELP = """
# Sessie van de oudergroep

Datum, begin en einde zijn verplicht, net als het thema of een titel. Overdag komen de meeste
ouders. Kies een thema uit de lijst van wat ouders vroegen, of typ een titel.

- **Partners**: één per regel, `organisatie; contactpersoon; telefoon; e-mail`.
- **Tolken**: met komma's, `taal: naam`, bv. `Arabisch: Samir, Turks`.
- **Herhalen** (alleen bij een nieuwe sessie): maak meteen een reeks, elke week, om de twee weken
  of elke maand op dezelfde weekdag (de tweede dinsdag blijft de tweede dinsdag).

ctrl+s bewaart.
"""

    def __init__(self, service: Oudergroep, sessie: Sessie) -> None:
        self.service = service
        self.record = sessie
        #: For a new session: the series to make (how often, how many), as read by build().
        self.series: tuple[str, int] | None = None
        super().__init__("Sessie bewerken" if sessie.id else "Sessie plannen")

    def compose_fields(self) -> ComposeResult:
        s = self.record
        with Horizontal(classes="row"):
            yield text_field("datum", "Datum * (dd/mm/jjjj)", format_date(s.datum))
            yield text_field("begin", "Begin *", s.begin)
            yield text_field("einde", "Einde", s.einde)
        themes = [(t.titel, str(t.id)) for t in self.service.themas()]
        with Horizontal(classes="row"):
            yield choice_field("thema_id", "Thema uit de lijst", themes, str(s.thema_id or ""))
            yield text_field("titel", "Titel *", s.titel)
        yield text_field("plaats", "Plaats", s.plaats)
        yield note_field("omschrijving", "Korte omschrijving", s.omschrijving)
        yield note_field("partners", "Partners (organisatie; contactpersoon; telefoon; e-mail)",
                         partners_text(s.partners))
        with Horizontal(classes="row"):
            yield text_field("begeleiders", "Begeleiders (met komma's)", ", ".join(s.begeleiders))
            yield text_field("tolken", "Tolken (taal: naam, ...)", interpreters_text(s.tolken))
        with Horizontal(classes="row"):
            yield check_field("kinderopvang", "kinderopvang", s.kinderopvang)
            yield text_field("kinderopvang_info", "Opvang: waar, door wie", s.kinderopvang_info)
        with Horizontal(classes="row"):
            yield choice_field("status", "Status", [(v, k) for k, v in SESSIE_STATUSSEN.items()], s.status,
                               allow_blank=False)
            yield text_field("annulatie_reden", "Reden van annulering", s.annulatie_reden)
        if not s.id:
            with Horizontal(classes="row"):
                yield choice_field("herhaling", "Herhalen", [(v, k) for k, v in HERHALINGEN.items()])
                yield text_field("aantal", "Aantal sessies in de reeks", "")
            yield Static("", id="reeks-preview", markup=False)

    def field_for_error(self, key: str) -> str:
        return key.split(".", 1)[0]

    def on_select_changed(self, event) -> None:
        if event.select.id == "input-thema_id" and event.value and not self.field("titel").value.strip():
            try:
                self.field("titel").value = self.service.thema(int(event.value)).titel
            except (NotFoundError, ValueError):
                pass
        self._preview()

    def on_input_changed(self, event) -> None:
        if event.input.id in ("input-aantal", "input-datum"):
            self._preview()

    def _preview(self) -> None:
        if self.record.id or not self.query("#reeks-preview"):
            return
        v = self.values()
        text = ""
        try:
            count = int(v["aantal"].strip())
            start = date_value({}, "datum", v["datum"])
            if v["herhaling"] and start and 2 <= count <= 40:
                text = "Reeks: " + ", ".join(format_date(d) for d in reeks_data(start, v["herhaling"], count))
        except ValueError:
            pass
        self.query_one("#reeks-preview", Static).update(text)

    def build(self) -> Sessie:
        v = self.values()
        errors: dict[str, str] = {}
        day = date_value(errors, "datum", v["datum"], required=True)
        thema_id = int(v["thema_id"]) if v["thema_id"] else None
        titel = v["titel"]
        if thema_id and not titel.strip():
            titel = self.service.thema(thema_id).titel
        value = msgspec.structs.replace(
            self.record, datum=day, begin=v["begin"], einde=v["einde"], thema_id=thema_id, titel=titel,
            plaats=v["plaats"], omschrijving=v["omschrijving"], partners=parse_partners(v["partners"]),
            begeleiders=tuple(n.strip() for n in v["begeleiders"].split(",")),
            tolken=parse_interpreters(v["tolken"]), kinderopvang=v["kinderopvang"],
            kinderopvang_info=v["kinderopvang_info"], status=v["status"], annulatie_reden=v["annulatie_reden"])
        self.series = None
        if not self.record.id and v["herhaling"]:
            try:
                count = int(v["aantal"].strip())
            except ValueError:
                count = 0
            if not 2 <= count <= 40:
                errors["aantal"] = "Een reeks telt 2 tot 40 sessies (deze inbegrepen)."
            self.series = (v["herhaling"], count)
        raise_with_model_errors(value, errors)
        return value

    def store_value(self, value: Sessie, *, overwrite: bool) -> Sessie:
        # In the save's thread: the fields are read by build(), on the interface thread (self.series).
        if value.id:
            return self.service.bewaar(value, overwrite=overwrite)
        with self.service.store.transaction():  # the session and its series together, or neither
            saved = self.service.plan(value)
            if self.series is not None:
                saved = self.service.herhaal(saved, *self.series)[0]
        return saved

    def after_save(self, saved: Sessie) -> None:
        for warning in self.service.waarschuwingen(saved):
            self.app.notify(warning, severity="warning", markup=False, timeout=8)
        if self.record.id:  # an edit of a session in a series: the following ones too?
            self.app.call_after_refresh(ask_about_following, self.app, self.service, self.record, saved)

    def fill(self, record: dict) -> None:
        self.record = s = from_record(Sessie, record)
        self.set_values({"datum": format_date(s.datum), "begin": s.begin, "einde": s.einde,
                         "thema_id": str(s.thema_id or ""), "titel": s.titel, "plaats": s.plaats,
                         "omschrijving": s.omschrijving, "partners": partners_text(s.partners),
                         "begeleiders": ", ".join(s.begeleiders), "tolken": interpreters_text(s.tolken),
                         "kinderopvang": s.kinderopvang, "kinderopvang_info": s.kinderopvang_info,
                         "status": s.status, "annulatie_reden": s.annulatie_reden})


def ask_about_following(app, service: Oudergroep, before: Sessie, saved: Sessie) -> None:
    """After an edit: offer to cancel the following sessions of the series too, or to give them the new plan."""
    from screens.dialogs import ConfirmDialog

    following = service.volgende_in_reeks(saved)
    if not following:
        return
    count = f"de volgende {len(following)} sessies" if len(following) > 1 else "de volgende sessie"
    if saved.geannuleerd and not before.geannuleerd:
        def cancel(yes: bool | None) -> None:
            if yes:
                service.annuleer_volgende(saved, saved.annulatie_reden)
                app.notify(f"Ook {count} van de reeks geannuleerd.", markup=False, timeout=4)

        app.push_screen(ConfirmDialog("Ook de volgende sessies annuleren?",
                                      f"Deze sessie is geannuleerd. Ook {count} van de reeks annuleren "
                                      f"(vanaf {format_date(following[0].datum)})?", yes="Ook annuleren", no="Alleen deze"),
                        cancel)
    elif any(getattr(before, f) != getattr(saved, f) for f in service.PLAN_FIELDS):
        def change(yes: bool | None) -> None:
            if yes:
                service.wijzig_volgende(saved)
                app.notify(f"Ook {count} van de reeks aangepast.", markup=False, timeout=4)

        app.push_screen(ConfirmDialog("Ook de volgende sessies aanpassen?",
                                      f"Uren, plaats, thema, partners en tolken zo ook zetten voor {count} van de "
                                      "reeks? (Data, uitnodigingen en aanwezigheden blijven.)",
                                      yes="Ook aanpassen", no="Alleen deze"), change)


class VerslagForm(FormScreen[Sessie]):
    """The short report of a session and the questions and requests that came up."""

    HELP = """
# Verslag

Een kort verslag: wat kwam aan bod, hoe was de sfeer, wat nemen we mee. Noteer ook de vragen
en verzoeken die opkwamen. Een verzoek aan de school volg je op in de lijst 'Verzoeken'
(toets r op het scherm van de sessie).
"""

    def __init__(self, service: Oudergroep, sessie: Sessie) -> None:
        self.service = service
        self.record = sessie
        super().__init__(f"Verslag van {format_date(sessie.datum)}: {sessie.titel}")

    def compose_fields(self) -> ComposeResult:
        yield note_field("verslag", "Kort verslag", self.record.verslag)
        yield note_field("vragen", "Vragen en verzoeken die opkwamen", self.record.vragen)

    def build(self) -> Sessie:
        v = self.values()
        value = msgspec.structs.replace(self.record, verslag=v["verslag"], vragen=v["vragen"])
        value.checked()
        return value

    def store_value(self, value: Sessie, *, overwrite: bool) -> Sessie:
        return self.service.bewaar(value, overwrite=overwrite)

    def fill(self, record: dict) -> None:
        self.record = s = from_record(Sessie, record)
        self.set_values({"verslag": s.verslag, "vragen": s.vragen})


class ReeksForm(FormScreen[list]):
    """Repeat a saved session as a series."""

    HELP = """
# Herhalen

Maak van deze sessie een reeks: de kopieën krijgen hetzelfde uur, dezelfde plaats, hetzelfde
thema, dezelfde partners, tolken en opvang, maar nog geen uitnodigingen of aanwezigheden.
Elke maand betekent: dezelfde weekdag van de maand (de tweede dinsdag blijft de tweede dinsdag).
"""

    def __init__(self, service: Oudergroep, sessie: Sessie) -> None:
        self.service = service
        self.record = sessie
        super().__init__(f"Sessie van {format_date(sessie.datum)} herhalen")

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield choice_field("herhaling", "Hoe vaak", [(v, k) for k, v in HERHALINGEN.items()], "maand",
                               allow_blank=False)
            yield text_field("aantal", "Aantal sessies, deze inbegrepen", "4")
        yield Static("", id="reeks-preview", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self._preview()

    def on_input_changed(self, event) -> None:
        self._preview()

    def on_select_changed(self, event) -> None:
        self._preview()

    def _preview(self) -> None:
        v = self.values()
        try:
            count = int(v["aantal"].strip())
        except ValueError:
            count = 0
        text = ""
        if self.record.datum and v["herhaling"] and 2 <= count <= 40:
            text = "Reeks: " + ", ".join(format_date(d) for d in reeks_data(self.record.datum, v["herhaling"], count))
        self.query_one("#reeks-preview", Static).update(text)

    def build(self) -> tuple[str, int]:  # type: ignore[override]
        v = self.values()
        try:
            return v["herhaling"], int(v["aantal"].strip())
        except ValueError:
            raise ValidationError({"aantal": "Typ een aantal, bv. 4."}) from None

    def store_value(self, value, *, overwrite: bool) -> list:  # type: ignore[override]
        herhaling, aantal = value
        return self.service.herhaal(self.record, herhaling, aantal)

    def fill(self, record: dict) -> None:
        self.record = from_record(Sessie, record)


def attendee_row(service: Oudergroep, session: Sessie, persoon_id: str) -> Row:
    person = service.persoon(persoon_id)
    present = persoon_id in session.aanwezig
    invite = session.uitnodiging(persoon_id)
    how = (f"{invite.kanaal_tekst} {invite.op.strftime('%d/%m')}" if invite.op else invite.kanaal_tekst) if invite \
        else "niet uitgenodigd"
    mark = "✓" if present else ""
    return Row(persoon_id, (mark, person.naam, person.omschrijving, how),
               sort=(not present, person.naam.casefold(), person.omschrijving, how))


class SessieScreen(DetailScreen):
    """A session: the plan, who was invited and how, who came, the report."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("e", "edit", "Bewerken"),
        Binding("u", "invite", "Uitnodigen"),
        Binding("a", "attendance", "Aanwezig"),
        Binding("v", "report", "Verslag"),
        Binding("r", "request", "Verzoek +", show=False),
        Binding("b", "letter", "Brief"),
        Binding("h", "repeat", "Herhalen", show=False),
        Binding("R", "requests_from_report", "Vragen als verzoeken", show=False),
        Binding("delete", "delete", "Verwijderen", show=False),
        Binding("g", "historiek", "Historiek", show=False),
    ]
    HELP = """
# Sessie

Alles over één sessie: de planning, wie uitgenodigd is en hoe, wie er was, het verslag.

- **u** ouders uitnodigen (kies uit het register, noteer hoe: brief, Smartschool, telefoon, schoolpoort)
- **a** aanwezigheden aanduiden, ook voor wie zomaar binnenliep
- **v** verslag en de vragen die opkwamen, **r** een verzoek aan de school noteren, **R** (shift+r) elke
  vraag uit het verslag in één keer als verzoek noteren
- bij een geplande sessie staat wat de school al beantwoordde en nog aan de groep moet terugkoppelen;
  bij een geannuleerde sessie wie je moet verwittigen
- is de sessie deel van een reeks, dan vraagt ouder-tui na een wijziging of annulering of de volgende
  sessies mee moeten; de brief kan alle data van de reeks tonen
- **b** de uitnodiging als brief (Markdown of HTML om af te drukken), ook één per uitgenodigde ouder
- **e** bewerken, **h** herhalen als reeks, **Delete** verwijderen (naar de prullenbak)
- **g** wie deze sessie wanneer wijzigde (het logboek van deze sessie)
"""
    DEFAULT_CSS = """
    SessieScreen VerticalScroll { padding: 0 1; }
    SessieScreen .name { text-style: bold; height: 1; }
    SessieScreen RecordTable { height: auto; max-height: 12; margin-bottom: 1; }
    """

    def __init__(self, service: Oudergroep, sessie_id: int) -> None:
        super().__init__()
        self.service = service
        self.sessie_id = sessie_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", classes="name", id="name", markup=False)
            yield Card("Sessie", id="plan-card")
            yield Label("", id="people-title", markup=False)
            yield RecordTable([Column("", 1), Column("Naam", 22), Column("Wie"), Column("Uitnodiging", 17)],
                              id="people", empty_text="Nog niemand uitgenodigd. u: uitnodigen, a: aanwezigheden.")
            yield Card("Verslag", id="report-card")
        yield Footer(show_command_palette=False, compact=True)

    @property
    def sessie(self) -> Sessie:
        return self.service.sessie(self.sessie_id)

    def reload(self) -> None:
        try:
            s = self.sessie
        except NotFoundError:
            self.close()
            return
        self.query_one("#name", Static).update(f"Oudergroep  ·  {lange_datum(s.datum)}  ·  {s.uren}  ·  {s.titel}")
        status = s.status_tekst + (f" ({s.annulatie_reden})" if s.annulatie_reden else "")
        lines = [f"Status: {status}", f"Plaats: {s.plaats or '-'}"]
        if s.omschrijving:
            lines += [f"Over: {s.omschrijving}"]
        if s.partners:
            lines += ["Partners:", *(f"  {p.regel()}" for p in s.partners)]
        lines.append(f"Begeleiding: {', '.join(s.begeleiders) or '-'}")
        lines.append(f"Tolken: {', '.join(t.regel() for t in s.tolken) or 'geen'}")
        lines.append("Kinderopvang: " + (f"ja{', ' + s.kinderopvang_info if s.kinderopvang_info else ''}"
                                         if s.kinderopvang else "nee"))
        series = self.service.reeks(s)
        if len(series) > 1:
            lines.append(f"Reeks: sessie {[x.id for x in series].index(s.id) + 1} van {len(series)}, "
                         f"{format_date(series[0].datum)} tot {format_date(series[-1].datum)}")
        if s.geannuleerd and s.uitnodigingen:
            tell = self.service.te_verwittigen(s)
            lines.append(f"Te verwittigen ({len(tell)}): " + ", ".join(
                f"{p.naam}{' ' + p.telefoon if p.telefoon else ''}" for p in tell))
        if s.status in ("gepland", "uitgenodigd"):
            back = self.service.terug_te_koppelen()
            if back:
                lines.append(f"Terug te koppelen aan de groep ({len(back)}):")
                lines += [f"  {v.wat} → {' '.join(v.antwoord.split())}" for v in back]
        self.query_one("#plan-card", Card).set_lines(lines)
        people = list(dict.fromkeys([*s.aanwezig, *(u.persoon_id for u in s.uitnodigingen)]))
        self.query_one("#people-title", Label).update(
            f"{len(s.uitnodigingen)} uitgenodigd, {len(s.aanwezig)} aanwezig")
        table = self.query_one("#people", RecordTable)
        table.set_rows([attendee_row(self.service, s, pid) for pid in people], keep_key=table.current_key)
        report = []
        for title, text in (("Verslag", s.verslag), ("Vragen en verzoeken", s.vragen)):
            if text:
                report += [f"{title}:", *("  " + line for line in text.split("\n"))]
        report.append(f"Laatst gewijzigd door {s.changed_by or '-'}")
        if s.vragen:
            report.insert(-1, "R: de vragen als verzoeken noteren")
        self.query_one("#report-card", Card).set_lines(report if len(report) > 1 else
                                                       ["Nog geen verslag (v).", *report])

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        person = self.service.persoon(event.key)
        if person.gezin_id is not None:
            self.app.open_gezin(person.gezin_id)  # type: ignore[attr-defined]

    def action_historiek(self) -> None:
        from screens.privacy import LogboekScreen

        self.app.push_screen(LogboekScreen(self.service.store, tabel="oudergroep_sessies", record_id=self.sessie_id,
                                           titel="Historiek van deze sessie"))

    def action_edit(self) -> None:
        self.app.push_screen(SessieForm(self.service, self.sessie), lambda _: self.reload())

    def action_invite(self) -> None:
        from screens.oudergroep_lijsten import UitnodigenScreen

        self.app.push_screen(UitnodigenScreen(self.service, self.sessie_id))

    def action_attendance(self) -> None:
        from screens.oudergroep_lijsten import AanwezigheidScreen

        session = self.sessie
        if session.geannuleerd:
            self.notify("Deze sessie is geannuleerd.", severity="warning")
            return
        if session.datum and session.datum > self.service.vandaag():
            self.notify(f"De sessie van {format_date(session.datum)} moet nog plaatsvinden: aanwezigheden duid je "
                        "aan tijdens of na de sessie.", severity="warning", timeout=6, markup=False)
            return
        self.app.push_screen(AanwezigheidScreen(self.service, self.sessie_id))

    def action_report(self) -> None:
        self.app.push_screen(VerslagForm(self.service, self.sessie), lambda _: self.reload())

    def action_request(self) -> None:
        from screens.oudergroep_forms import VerzoekForm

        def saved(result) -> None:
            if result is not None:
                self.notify("Verzoek genoteerd; volg het op in de lijst 'Verzoeken'.", timeout=4)

        self.app.push_screen(VerzoekForm(self.service, sessie_id=self.sessie_id), saved)

    def action_requests_from_report(self) -> None:
        """Every question of the report that is not a request yet becomes one."""
        made = self.service.verzoeken_uit_verslag(self.sessie_id)
        self.notify(f"{len(made)} nieuwe verzoeken genoteerd; volg ze op in de lijst 'Verzoeken'." if made else
                    "Elke vraag uit het verslag staat al bij de verzoeken.", markup=False, timeout=5)

    def action_repeat(self) -> None:
        def done(result) -> None:
            if result:
                self.notify(f"Reeks van {len(result)} sessies gemaakt.", timeout=4, markup=False)
            self.reload()

        self.app.push_screen(ReeksForm(self.service, self.sessie), done)

    def action_letter(self) -> None:
        from ouder_tui.oudergroep_export import uitnodiging
        from ouder_tui.settings import load_settings
        from screens.export_dialog import ExportDialog

        session = self.sessie
        school = load_settings(self.service.store).school_naam

        def produce(fmt: str, options: dict[str, bool]) -> bytes:
            return uitnodiging(self.service, session, fmt, per_persoon=options["per_persoon"], school_naam=school,
                               reeks=options.get("reeks", False))

        options = {"per_persoon": "één brief per uitgenodigde ouder, met naam"}
        if self.service.volgende_in_reeks(session):
            options["reeks"] = "voor deze en de volgende sessies van de reeks: één brief met alle data"
        self.app.push_screen(ExportDialog("Uitnodiging afdrukken", f"uitnodiging-oudergroep-{session.datum}",
                                          ("html", "md"), produce, options))

    def action_delete(self) -> None:
        session = self.sessie
        self.confirm_and_close("Sessie verwijderen?",
                               f"De sessie van {format_date(session.datum)} ({session.titel}) gaat naar de prullenbak, "
                               "met wie er uitgenodigd was en wie er was.", lambda: self.service.verwijder(session))
