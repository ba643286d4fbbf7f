"""Setting up a school server: the schema and the staff's logins with their roles.

For the school's IT partner, through ``ouder-tui server init`` and ``ouder-tui server gebruiker``.
The login that runs :func:`init_server` owns the schema and gets every role; it may do everything.
Logins and roles are PostgreSQL's own, so the server enforces them for every client, ``psql`` too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ouder_tui.areas import table_labels
from ouder_tui.errors import StoreError, ValidationError
from ouder_tui.pgschema import ROLES, create_sql, group_role
from ouder_tui.pgstore import connect_raw

__all__ = ["ROLES", "add_login", "change_role", "init_server", "list_logins", "remove_login", "set_password"]

_NAME = re.compile(r"^[a-z0-9_][a-z0-9_.@-]{0,62}$")


def _check_name(name: str) -> str:
    cleaned = name.strip()
    if not _NAME.match(cleaned):
        raise ValidationError({"naam": "Een login bestaat uit kleine letters, cijfers, punt, streepje, @ of _ "
                                       "(hoogstens 63 tekens), bv. juf.anja."})
    return cleaned


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError({"rol": f"Kies een rol: {', '.join(ROLES)}."})
    return role


def init_server(url: str, *, password: str | None = None) -> list[str]:
    """Create (or complete) the schema and the roles; the connecting login gets every role. Safe to repeat."""
    import psycopg
    from psycopg import sql

    conn = connect_raw(url, password=password)
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT session_user, current_database(), to_regclass('ouder_tui.meta') IS NOT NULL")
            login, database, existed = cur.fetchone()
            cur.execute(create_sql(database, sorted({*table_labels(), "_prullenbak"} - {"_logboek", "_meta"})))
            for role in ROLES:
                cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group_role(role, database)),
                                                             sql.Identifier(login)))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError(f"De login die de server inricht, moet tabellen en rollen mogen maken "
                         f"(CREATEROLE en eigenaar van de databank): {exc.diag.message_primary}.") from None
    finally:
        conn.close()
    done = "bijgewerkt" if existed else "ingericht"
    return [f"De databank is {done} voor ouder-tui. De login {login} heeft alle rollen: "
            + ", ".join(ROLES) + "."]


def _admin(url: str, password: str | None, statements: Callable[[str], list]) -> None:
    """Run the statements ``statements(database)`` gives for the school database of ``url``, in one transaction."""
    import psycopg

    conn = connect_raw(url, password=password)
    try:
        with conn.transaction(), conn.cursor() as cur:
            database = cur.execute("SELECT current_database()").fetchone()[0]
            for statement, params in statements(database):
                cur.execute(statement, params)
    except psycopg.errors.DuplicateObject:
        raise StoreError("Die login bestaat al; wijzig zijn rol met --rol.") from None
    except psycopg.errors.UndefinedObject:
        raise StoreError("Die login bestaat niet.") from None
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError(f"Je login mag geen logins beheren op deze server: {exc.diag.message_primary}.") from None
    finally:
        conn.close()


def add_login(url: str, name: str, role: str, new_password: str, *, password: str | None = None) -> str | None:
    """A new staff login with one role (``zorg``, ``leerkracht`` or ``beheer``) in this school's database.

    A login the server already has (someone who works for two schools on one server) keeps its
    password and gets the role here; the Dutch note returned says so (else ``None``).
    """
    from psycopg import sql

    name, role = _check_name(name), _check_role(role)
    if len(new_password) < 8:
        raise ValidationError({"wachtwoord": "Een wachtwoord telt minstens 8 tekens."})
    login = sql.Identifier(name)
    if _login_exists(url, name, password):
        if role in dict(list_logins(url, password=password)).get(name, ()):
            raise StoreError("Die login heeft die rol hier al; een andere rol geef je met --rol.")
        change_role(url, name, role, password=password)
        return (f"De login {name} bestond al op deze server (bij een andere school); hij houdt zijn wachtwoord "
                f"en heeft hier nu de rol {role}.")
    _admin(url, password, lambda database: [
        (sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(login, sql.Literal(new_password)), None),
        (sql.SQL("GRANT {} TO {}").format(sql.Identifier(group_role(role, database)), login), None),
    ])
    return None


def _login_exists(url: str, name: str, password: str | None) -> bool:
    conn = connect_raw(url, password=password, autocommit=True)
    try:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None
    finally:
        conn.close()


def change_role(url: str, name: str, role: str, *, password: str | None = None) -> None:
    """Give a login another role (it loses the ones it had)."""
    from psycopg import sql

    name, role = _check_name(name), _check_role(role)
    login = sql.Identifier(name)
    _admin(url, password, lambda database: [
        *((sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group_role(r, database)), login), None)
          for r in ROLES if r != role),
        (sql.SQL("GRANT {} TO {}").format(sql.Identifier(group_role(role, database)), login), None)])


def remove_login(url: str, name: str, *, password: str | None = None) -> None:
    """Take a login away; what it did stays, stamped with its name."""
    from psycopg import sql

    login = sql.Identifier(_check_name(name))
    _admin(url, password, lambda database: [(sql.SQL("DROP ROLE {}").format(login), None)])


def set_password(url: str, name: str, new_password: str, *, password: str | None = None) -> None:
    """A new password for a login (someone forgot theirs)."""
    from psycopg import sql

    login = sql.Identifier(_check_name(name))
    if len(new_password) < 8:
        raise ValidationError({"wachtwoord": "Een wachtwoord telt minstens 8 tekens."})
    _admin(url, password, lambda database: [
        (sql.SQL("ALTER ROLE {} PASSWORD {}").format(login, sql.Literal(new_password)), None)])


def list_logins(url: str, *, password: str | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """Every login with a role in ouder-tui, with its roles."""
    conn = connect_raw(url, password=password, autocommit=True)
    try:
        database = conn.execute("SELECT current_database()").fetchone()[0]
        names = {group_role(r, database): r for r in ROLES}
        rows = conn.execute(
            "SELECT DISTINCT m.rolname, g.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
            "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = ANY(%s) AND m.rolcanlogin",
            (list(names),)).fetchall()
    finally:
        conn.close()
    logins: dict[str, list[str]] = {}
    for login, group in rows:
        logins.setdefault(login, []).append(names[group])
    return [(login, tuple(sorted(roles))) for login, roles in sorted(logins.items())]
