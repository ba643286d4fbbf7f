"""The Textual application: the only module of the core that imports Textual.

Build it with :func:`make_app`, which receives an open store; nothing reads a
global. Each area of the app is a Textual mode (see ``screens/areas.py``); the
dashboard (*overzicht*) is the default. At start, and after the idle lock, the
user says who they are: that name stamps every change. A database protected with
a passphrase asks for it first, at start and to unlock.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen

from ouder_tui.errors import OuderTuiError, StoreError
from ouder_tui.settings import DEFAULT_IDLE_MINUTES
from ouder_tui.store import SERVER_AWAY, Store
from ouder_tui.voorkeuren import Voorkeuren
from screens.areas import AREAS
from screens.saving import saves_running

if TYPE_CHECKING:
    from ouder_tui.areas import Services
    from ouder_tui.huisbezoek import Huisbezoeken
    from ouder_tui.infomoment import Infomomenten
    from ouder_tui.leerlingen import Registry
    from ouder_tui.oudergroep import Oudergroep
    from ouder_tui.startgesprek import Startgesprekken

IDLE_CHECK_SECONDS = 5.0
#: How long after another PC's save the open list is filled again (several saves close together: once).
LIVE_REFRESH_SECONDS = 0.3
#: How long the interface's thread sleeps after queueing a frame, so Textual's writer thread takes over at once
#: (measured on Linux; Windows sleeps ~1 ms at the least, and is left as it was).
FRAME_HAND_OVER_SECONDS = 0.0002 if sys.platform != "win32" else 0.0


class OuderTuiApp(App[None]):
    """ouder-tui in the terminal."""

    TITLE = "ouder-tui"
    CSS_PATH = "../screens/app.tcss"
    BINDINGS = [
        # Not in the footer (every screen needs the room for its own keys): F1 and the palette show it.
        Binding("ctrl+q", "quit", "Stoppen", show=False, priority=True),
        Binding("f1", "help", "Help", priority=True),
        # Tab moves the focus as soon as it arrives, not after the keys queued before it reach their field:
        # the keys after it in one burst (a paste, a scanner ending in Tab) then go to the next field.
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
        # Not in the footer (no room at 80 columns): the header's ⭘ and F1 show it.
        Binding("ctrl+p", "command_palette", "Zoeken", show=False, priority=True),
        # In a text field ctrl+u edits (erase to the start of the line); elsewhere it switches (action_switch_user).
        Binding("ctrl+u", "switch_user", "Gebruiker", show=False, priority=True),
        Binding("ctrl+l", "lock", "Vergrendelen", show=False, priority=True),
        *(Binding(area.key, f"area('{area.mode}')", area.label, show=False, priority=True) for area in AREAS),
    ]
    COMMANDS: ClassVar[set] = set()  # the palette is our own (screens/commands.py), not Textual's with its providers

    def __init__(self, store: Store, *, ask_user: bool = True, idle_minutes: float | None = None,
                 voorkeuren: Voorkeuren | None = None) -> None:
        if not ask_user:
            # Who works is known: the app starts in the dashboard's mode, built with the app's first screen,
            # instead of an empty default screen that is then left for the dashboard (which builds the
            # screen twice and restyles it twice before the first frame).
            self.DEFAULT_MODE = "overzicht"
        super().__init__()
        self.store = store
        #: What each person last worked on (the class in Startgesprekken), on this PC.
        self.voorkeuren = voorkeuren if voorkeuren is not None else Voorkeuren()
        self.ask_user = ask_user
        self._idle_setting = idle_minutes
        self.idle_minutes = idle_minutes if idle_minutes is not None else DEFAULT_IDLE_MINUTES
        self._unsubscribe: Callable[[], None] | None = None
        self._switch_interval: float | None = None  # the interpreter's, while the app changed it
        self._refresh_pending = False
        #: While locked (who-are-you, idle lock, start error) no area, palette or data opens.
        self.locked = False
        #: Who worked when the idle lock came (a different person unlocking is asked about unsaved forms).
        self._locked_by: str | None = None
        #: Whether the "Weggooien?" question about unsaved forms is open (the keys that ask wait for it).
        self._asking_discard = False
        self.last_activity = time.monotonic()
        for area in AREAS:
            self.add_mode(area.mode, lambda area=area: area.build(self))

    # -- the areas' services, made when an area first needs them ----------------------------
    # The registry and the services are made (and their modules imported) when first used: the first
    # frame (the dashboard saying "Laden ...") needs neither, so it is drawn without waiting for them.
    @cached_property
    def registry(self) -> Registry:
        """The pupils and families on this store."""
        from ouder_tui.leerlingen import Registry

        return Registry(self.store)

    @cached_property
    def services(self) -> Services:
        """The areas' services on this store (``service(key)``)."""
        from ouder_tui.areas import Services

        return Services(self.store, self.registry)

    def service(self, key: str) -> Any:
        """The service of the area with this key (``ouder_tui/areas.py``), made once per app."""
        return self.services.get(key)

    # The names the screens use for them.
    @property
    def huisbezoeken(self) -> Huisbezoeken:
        """``service("huisbezoek")``."""
        return self.service("huisbezoek")

    @property
    def startgesprekken(self) -> Startgesprekken:
        """``service("startgesprek")``."""
        return self.service("startgesprek")

    @property
    def oudergroep(self) -> Oudergroep:
        """``service("oudergroep")``."""
        return self.service("oudergroep")

    @property
    def infomomenten(self) -> Infomomenten:
        """``service("infomoment")``."""
        return self.service("infomoment")

    # -- start ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.ask_user:  # the dashboard is built once we know who is working
            self._ask_who(reason="start")
        self.call_after_refresh(self._check_size)
        if self.store.loaded:
            self._store_ready()
        else:  # show the first screen now; read the file right after it is drawn
            self.locked = True
            self.call_after_refresh(self.run_worker, self._load_store, thread=True, name="databank openen",
                                    exit_on_error=False)

    def _load_store(self) -> None:
        try:
            if self.store.needs_passphrase():
                self.call_from_thread(self._ask_passphrase)
                return
            self.store.load(backup_later=True)  # the data first, then (below) the start backup
        except OuderTuiError as exc:
            self.call_from_thread(self._store_failed, exc)
        except Exception as exc:  # never wait forever on a file that broke in a way nobody foresaw
            self.call_from_thread(self._store_failed, StoreError(
                f"De databank kon niet geopend worden door een onverwachte fout ({type(exc).__name__}: {exc}). "
                "Er is niets gewijzigd."))
        else:
            self.call_from_thread(self._store_ready)
            # While the dashboard is drawn: at 50,000 records writing the file's copy takes ~150 ms, which the
            # start no longer waits for. A save waits for it (the store sees to that).
            try:
                warnings = self.store.finish_load()
            except Exception as exc:  # a backup that failed in a way nobody foresaw stops nothing
                warnings = [f"Er kon geen reservekopie gemaakt worden ({type(exc).__name__}: {exc})."]
            for warning in warnings:
                with contextlib.suppress(RuntimeError):  # (the app closed meanwhile: nobody to tell)
                    self.call_from_thread(self.notify, warning, severity="warning", markup=False, timeout=10)

    def _store_ready(self) -> None:
        from ouder_tui.collector import paused_gc

        # The loaded data, and what the screens build over it now (the dashboard's figures, views over every
        # pupil and family), live as long as the app: frozen for the cycle collector, which would otherwise walk
        # them again and again (a full pass costs 150 ms at 50,000 records). See paused_gc: at the start there is
        # next to no garbage to freeze with them.
        with paused_gc(freeze=True):
            self._fill_in()
        self._hand_on_sooner()

    def _hand_on_sooner(self) -> None:
        """From now on a busy thread hands the interpreter's lock on after 1 ms, not 5 (restored when the app ends).

        Textual writes each frame from a thread of its own, which needs that lock to start: a frame made just
        before more work (after a save: the list, then the "Bewaard." notice) waited up to ~7 ms for it; now it
        mostly leaves within a millisecond (bench/bench_terminal.py, save and see). Not before the data shows:
        the start has no such work after a frame."""
        if self._switch_interval is None:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch_interval, 0.001))

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is not None and self._switch_interval is not None and FRAME_HAND_OVER_SECONDS and \
                not self.is_headless:
            # The frame is queued for Textual's writer thread, which needs the interpreter's lock to send it. This
            # thread mostly goes on with more work, and the writer waited for the lock 0.7-2.7 ms after a save (it
            # asks for it only after the switch interval): a short sleep hands it over now (90th percentile of
            # all frames at 50,000 pupils: 0.62 -> 0.10 ms). From when the data shows, as _hand_on_sooner.
            time.sleep(FRAME_HAND_OVER_SECONDS)

    def _fill_in(self) -> None:
        """What needs the data: the settings, the lock, news from other PCs, and the screens' contents."""
        from ouder_tui.settings import load_settings
        from screens.who import WhoScreen

        if self._unsubscribe is None:  # another PC's saves reach the open lists (a server tells us)
            self._unsubscribe = self.store.subscribe(self._changed_elsewhere, others_only=True)
        settings = load_settings(self.store)
        if self._idle_setting is None:
            self.idle_minutes = float(settings.vergrendel_na_minuten)
        self.sub_title = settings.school_naam
        self.set_interval(IDLE_CHECK_SECONDS, self._check_idle)
        for warning in self.store.warnings:
            self.notify(warning, severity="warning", markup=False, timeout=10)
        if not any(isinstance(s, WhoScreen) for s in self.screen_stack):
            self.locked = False
        for screen in self.screen_stack:  # let the screens fill in what needed the data
            ready = getattr(screen, "store_ready", None)
            if ready is not None:
                ready()

    def on_unmount(self) -> None:
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
        if self._unsubscribe is not None:  # no notices for an app that is gone
            self._unsubscribe()
            self._unsubscribe = None

    def _changed_elsewhere(self, tables: frozenset[str]) -> None:
        """Someone on another PC saved (called from the store's listening thread), or the server went away."""
        if SERVER_AWAY in tables:
            self.call_from_thread(self.notify, "De schoolserver antwoordt niet. Je ziet wat er laatst gekend was; "
                                  "bewaren lukt weer zodra ze terug is (ouder-tui verbindt vanzelf opnieuw).",
                                  severity="warning", markup=False, timeout=10)
            return
        if not self._refresh_pending:
            self._refresh_pending = True
            self.call_from_thread(self.set_timer, LIVE_REFRESH_SECONDS, self._refresh_open_list)

    def _refresh_open_list(self) -> None:
        """Fill the list on screen again; its cursor stays on the same record. A form is never touched:
        what is being typed stays, and a save over someone else's change shows the conflict as always."""
        self._refresh_pending = False
        if not self.screen_stack:  # the app is closing
            return
        screen = self.screen
        fill = next((getattr(screen, name) for name in ("store_ready", "refill", "reload")
                     if callable(getattr(screen, name, None))), None)
        if fill is not None and not self.locked and not isinstance(screen, ModalScreen):
            fill()

    def _ask_passphrase(self) -> None:
        """The file is protected: ask its passphrase (on top of who-are-you), then load it."""
        from screens.wachtwoord import PassphraseScreen

        self.push_screen(PassphraseScreen(self.store, reason="start"), self._passphrase_given)

    def _passphrase_given(self, ok: bool | None) -> None:
        if ok:
            self.run_worker(self._load_store, thread=True, name="databank openen", exit_on_error=False)

    def _store_failed(self, error: OuderTuiError) -> None:
        from screens.start_error import StartErrorScreen

        self.locked = True
        self.push_screen(StartErrorScreen(self.store, error), self._after_start_error)

    def _after_start_error(self, retry: bool | None) -> None:
        if retry:
            self.run_worker(self._load_store, thread=True, name="databank openen", exit_on_error=False)
        else:
            self.exit(return_code=1)

    # -- who is working ------------------------------------------------------------------
    def _ask_who(self, reason: str) -> None:
        from screens.who import WhoScreen

        self.locked = reason != "wissel"
        self.push_screen(WhoScreen(self.store, reason=reason), self._user_chosen)

    def _user_chosen(self, name: str | None) -> None:
        if self.current_mode == App.DEFAULT_MODE:  # the start's empty screen (Textual's default mode)
            self.switch_mode("overzicht")
        self.locked = not self.store.loaded
        self.last_activity = time.monotonic()
        if name:
            self.notify(f"Je werkt als {name}.", markup=False, timeout=3)
        self.refresh_bindings()
        locked_by, self._locked_by = self._locked_by, None
        if name and locked_by and name != locked_by and self.unsaved_forms():
            # The idle lock came over someone's unfinished form; the next person decides, Nee keeps it.
            self._ask_discard(lambda: None, what=f"door {locked_by}, voor de vergrendeling")

    # -- unsaved forms -------------------------------------------------------------------
    def unsaved_forms(self) -> list[Any]:
        """The open forms, in any area, with changes that are not saved yet."""
        return [screen for stack in self._screen_stacks.values() for screen in stack
                if getattr(screen, "has_unsaved_changes", False)]

    def _ask_discard(self, then: Callable[[], object], *, what: str = "") -> None:
        """With unsaved forms open: ask "Weggooien?" (Nee by default). On yes the forms close, then ``then``."""
        from screens.forms import discard_question

        forms = self.unsaved_forms()
        if not forms:
            then()
            return
        if self._asking_discard:
            return
        self._asking_discard = True

        def answered(throw_away: bool | None) -> None:
            self._asking_discard = False
            if throw_away:  # once the question is gone, so the form on top is the one that closes
                self.call_after_refresh(self._discard_then, forms, then)

        self.push_screen(discard_question(what), answered)

    def _discard_then(self, forms: list[Any], then: Callable[[], object]) -> None:
        if then != self.exit:  # stopping throws everything away anyway
            for form in forms:
                form.discard()
        then()

    def action_switch_user(self) -> None:
        from textual.widgets import Input, TextArea

        focused = self.focused
        if isinstance(focused, Input):  # ctrl+u is also the terminal's "erase to the start of the line"
            focused.action_delete_left_all()
            return
        if isinstance(focused, TextArea):
            focused.action_delete_to_start_of_line()
            return
        if self.locked:
            return
        if self.store.user_is_login:
            self.notify(f"Op de schoolserver werk je met je eigen login ({self.store.user}). Iemand anders? "
                        "Stop met ctrl+q en start ouder-tui met die login.", markup=False, timeout=8)
            return
        self._ask_discard(lambda: self._ask_who(reason="wissel"))

    def _server_unlocked(self, ok: bool | None) -> None:
        self.locked = not self.store.loaded
        self.last_activity = time.monotonic()
        self.refresh_bindings()

    def action_lock(self) -> None:
        """ctrl+l: lock now; with unsaved forms open, ask first (Nee: no lock, go on typing)."""
        if not self.locked:
            self._ask_discard(self._lock)

    def _lock(self) -> None:
        if not self.locked and self.store.server is not None:  # a server: the login's own password unlocks
            from screens.wachtwoord import ServerLockScreen

            self.locked = True
            self.push_screen(ServerLockScreen(self.store), self._server_unlocked)
            return
        if not self.locked:
            self._ask_who(reason="vergrendeld")
            if self.store.protected:  # first the passphrase, then who you are
                from screens.wachtwoord import PassphraseScreen

                self.push_screen(PassphraseScreen(self.store, reason="vergrendeld"))

    # -- idle lock -----------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self.last_activity = time.monotonic()
        if isinstance(event, events.Key) and self._too_small_shown() and event.key not in ("ctrl+q", "f1"):
            return  # the screen behind the notice cannot be seen: no key may act on it
        await super().on_event(event)

    # -- a terminal smaller than 80x24 ---------------------------------------------------
    def _too_small_shown(self) -> bool:
        from screens.base import TooSmallScreen

        return bool(self.screen_stack) and isinstance(self.screen, TooSmallScreen)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._check_size)

    def _check_size(self) -> None:
        """Put the too-small notice over everything below 80x24, take it away above."""
        from screens.base import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen

        if not self.screen_stack or self.screen.id == "_default":
            return
        small = self.size.width < MIN_WIDTH or self.size.height < MIN_HEIGHT
        if small and not self._too_small_shown():
            self.push_screen(TooSmallScreen())
        elif not small:
            for screen in reversed(self.screen_stack):
                if isinstance(screen, TooSmallScreen) and screen is self.screen:
                    screen.dismiss()

    def _check_idle(self) -> None:
        if self.locked or self.idle_minutes <= 0:
            return
        if time.monotonic() - self.last_activity >= self.idle_minutes * 60:
            # Nobody is there to answer: lock over the forms; they wait, as typed, under the lock.
            if self.unsaved_forms():
                self._locked_by = self.store.user
            self._lock()

    # -- stopping ------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """Stop; not while a save still waits for the database (it would land, or fail, unseen), and
        with unsaved forms only after "Weggooien?" (Nee by default)."""
        if saves_running(self):
            self.notify("Even wachten: er wordt nog bewaard. Daarna kun je stoppen.", severity="warning",
                        markup=False, timeout=5)
            return
        if self.unsaved_forms():
            self._ask_discard(self.exit)
            return
        await super().action_quit()

    def get_key_display(self, binding: Binding) -> str:
        """Keys in footers named as a Dutch user reads them (Esc, spatie, ←) instead of Textual's English."""
        from screens.dutch import binding_keys

        return binding_keys(binding)

    # -- moving around -------------------------------------------------------------------
    def action_area(self, mode: str) -> None:
        """Go to an area (a mode); refused while the screen is locked. A form with unsaved changes in the
        area on screen asks first (Nee: stay in the form)."""
        if self.locked or mode == self.current_mode:
            return
        here = [s for s in self.screen_stack if getattr(s, "has_unsaved_changes", False)]
        if here and not self._asking_discard:
            from screens.forms import discard_question

            self._asking_discard = True

            def answered(throw_away: bool | None) -> None:
                self._asking_discard = False
                if throw_away:
                    self.call_after_refresh(self._discard_then, here, lambda: self.switch_mode(mode))

            self.push_screen(discard_question(), answered)
            return
        if not self._asking_discard:
            self.switch_mode(mode)

    def action_command_palette(self) -> None:
        from screens.commands import Palette

        if self.locked or Palette.is_open(self):
            return
        self.push_screen(Palette())

    def action_help(self) -> None:
        from screens.dialogs import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_prullenbak(self) -> None:
        """Show the recycle bin, in the pupils area."""
        from screens.prullenbak import PrullenbakScreen

        if self.locked:
            return
        self.switch_mode("leerlingen")
        self.push_screen(PrullenbakScreen(self.store))

    def action_import_leerlingen(self) -> None:
        """Start the import of the pupil list, in the pupils area."""
        from screens.importeren import ImportScreen

        if self.locked:
            return
        self.switch_mode("leerlingen")
        self.push_screen(ImportScreen(self.registry))

    def action_instellingen(self) -> None:
        """Edit the school's name and the idle lock time."""
        from screens.instellingen import InstellingenForm

        if self.locked:
            return
        self.push_screen(InstellingenForm(self.store), self._settings_saved)

    def action_vragenbank(self) -> None:
        """The question bank of the omgekeerd oudergesprek, in its area."""
        from screens.vragenbank import VragenbankScreen

        if self.locked:
            return
        self.switch_mode("startgesprekken")
        self.push_screen(VragenbankScreen(self.startgesprekken))

    def action_logboek(self) -> None:
        """Who changed what and when (read-only)."""
        from screens.privacy import LogboekScreen

        if not self.locked:
            self.push_screen(LogboekScreen(self.store))

    def action_bereik(self) -> None:
        """Which families the school reached this school year, on the dashboard."""
        from screens.bereik import BereikScreen

        if self.locked:
            return
        self.switch_mode("overzicht")
        if not isinstance(self.screen, BereikScreen):
            self.push_screen(BereikScreen(self.service("bereik")))

    def action_bewaartermijn(self) -> None:
        """Pupils who left longer ago than the retention period, to erase."""
        from screens.privacy import BewaartermijnScreen

        if not self.locked:
            self.push_screen(BewaartermijnScreen(self.registry))

    def _settings_saved(self, settings) -> None:
        if settings is None:
            return
        self.sub_title = settings.school_naam
        if self._idle_setting is None:
            self.idle_minutes = float(settings.vergrendel_na_minuten)
        for screen in self.screen_stack:
            ready = getattr(screen, "store_ready", None)
            if ready is not None:
                ready()
        self.notify("Instellingen bewaard.", timeout=3)

    async def open_klas(self, klas: str) -> None:
        """Show the pupils of one class: the pupil list, filtered on the class."""
        from textual.widgets import Input

        await self.switch_mode("leerlingen")
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self.screen.query_one("#pupil-filter", Input).value = klas

    def open_leerling(self, leerling_id: int) -> None:
        """Show a pupil, in the pupils area (used by the palette and the dashboard)."""
        from screens.leerling import LeerlingScreen

        self.switch_mode("leerlingen")
        self.push_screen(LeerlingScreen(self.registry, leerling_id))

    def open_huisbezoek(self, visit_id: int) -> None:
        """Show a home visit, in the home-visits area."""
        from screens.huisbezoek import HuisbezoekScreen

        self.switch_mode("huisbezoeken")
        self.push_screen(HuisbezoekScreen(self.huisbezoeken, visit_id))

    def open_startgesprek(self, gesprek_id: int) -> None:
        """Show a start-of-year conversation, in its area."""
        from screens.startgesprek import OmgekeerdForm, StartgesprekForm

        talk = self.startgesprekken.gesprek(gesprek_id)
        self.switch_mode("startgesprekken")
        form = StartgesprekForm if talk.soort == "startgesprek" else OmgekeerdForm
        self.push_screen(form(self.startgesprekken, talk))

    def open_oudergroep_sessie(self, sessie_id: int) -> None:
        """Show a session of the parent group, in its area."""
        from screens.oudergroep_sessie import SessieScreen

        self.switch_mode("oudergroep")
        self.push_screen(SessieScreen(self.oudergroep, sessie_id))

    def open_gezin(self, gezin_id: int) -> None:
        """Show a family, in the pupils area."""
        from screens.gezin import GezinScreen

        self.switch_mode("leerlingen")
        self.push_screen(GezinScreen(self.registry, gezin_id))


def make_app(store: Store, *, ask_user: bool = True, idle_minutes: float | None = None,
             voorkeuren: Voorkeuren | None = None) -> OuderTuiApp:
    """The app on an open store (tests pass one on a temporary file); ``voorkeuren``: what each person last
    worked on (in memory when not given)."""
    return OuderTuiApp(store, ask_user=ask_user, idle_minutes=idle_minutes, voorkeuren=voorkeuren)


def choose_location(*, machine_database, existing=()):
    """The first start on a PC where nothing is chosen: ask where the database lives (``screens/locatie.py``).

    A small app of its own, run before the real one. Returns the choice (``ouder_tui.locatie.Outcome``;
    a file's choice is kept already, a server's once it answers), or ``None`` when the user stopped.
    """
    from screens.locatie import LocatieApp

    app = LocatieApp(machine_database=machine_database, existing=list(existing))
    app.run()
    return app.return_value
