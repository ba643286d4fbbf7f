"""The record table keeps the lines it drew (screens/table.py): a row with the same text, style and width is drawn
from memory, and anything that changes what a line looks like draws it anew."""

from __future__ import annotations

from textual.app import App, ComposeResult

from screens.table import DRAWN_KEPT, Column, RecordTable, Row


class _TableApp(App):
    def compose(self) -> ComposeResult:
        yield RecordTable([Column("Naam"), Column("Klas", width=5)])


def text_of(table: RecordTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y)).rstrip()


async def test_a_line_with_the_same_text_is_drawn_from_memory_and_a_changed_one_anew() -> None:
    app = _TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(RecordTable)
        table.set_rows([Row(1, ("Noor Vos", "3A")), Row(2, ("Bram Peeters", "5B"))])
        await pilot.pause()
        second = table.render_line(2)
        assert text_of(table, 2).startswith("Bram Peeters")
        table.set_rows([Row(1, ("Noor Vos", "3A")), Row(2, ("Bram Peeterss", "5B"))])  # saved: one row changed
        await pilot.pause()
        assert text_of(table, 1).startswith("Noor Vos")
        assert text_of(table, 2).startswith("Bram Peeterss")
        assert table.render_line(2) is not second
        table.set_rows([Row(1, ("Noor Vos", "3A")), Row(2, ("Bram Peeters", "5B"))])
        await pilot.pause()
        assert table.render_line(2) is second  # the same text, style and width: the line drawn before

        assert app.focused is table  # (the only thing to focus)
        await pilot.press("down")  # the cursor's style: another line for the same text
        assert table.cursor == 1
        assert table.render_line(2) is not second and text_of(table, 2).startswith("Bram Peeters")
        cursor_line = table.render_line(2)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"  # another theme: other colours
        await pilot.pause()
        assert table.render_line(2) is not cursor_line
        assert table.render_line(2).text == cursor_line.text

        await pilot.resize_terminal(40, 12)  # narrower: the line is cut anew
        await pilot.pause()
        assert table.render_line(2).cell_length == table.scrollable_content_region.width


async def test_the_lines_kept_stay_few() -> None:
    app = _TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(RecordTable)
        for start in range(0, 3 * DRAWN_KEPT, 9):  # scrolling through a long list, page by page
            table.set_rows([Row(n, (f"Leerling {n}", "1A")) for n in range(start, start + 9)])
            await pilot.pause(0)
            for y in range(1, 10):
                table.render_line(y)
        assert len(table._drawn) <= DRAWN_KEPT
