"""Server URLs: recognised, their password hidden, and TLS required for a server that is not on this PC."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ouder_tui.pgurl import describe, for_login, hosts_of, is_local_host, is_server_url, prepare_url, redact, \
    user_of


@pytest.fixture(autouse=True)
def no_libpq_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own PGHOST or PGSSLMODE must not change what these tests see."""
    for name in ("PGHOST", "PGHOSTADDR", "PGSSLMODE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("text", ["postgresql://school/ouder", "postgres://u@h/db", "POSTGRESQL://H/DB",
                                  "  postgresql://school/ouder  "])
def test_server_urls_are_recognised(text: str) -> None:
    assert is_server_url(text)


@pytest.mark.parametrize("text", [None, "", "ouder-tui.json", "C:\\data\\ouder.json", "/srv/ouder.json",
                                  "host=school dbname=ouder", "postgresql:/school", "mysql://h/db",
                                  "\\\\server\\share\\postgresql:\\x.json"])
def test_files_and_key_value_strings_are_not_server_urls(text: str | None) -> None:
    assert not is_server_url(text)


@pytest.mark.parametrize("url, expected", [
    ("postgresql://juf:geheim@school.local/ouder", "postgresql://juf@school.local/ouder"),
    ("postgresql://juf:ge%40heim@school.local:5433/ouder?application_name=x",
     "postgresql://juf@school.local:5433/ouder?application_name=x"),
    ("postgresql://juf@school/ouder?password=geheim&sslmode=verify-full",
     "postgresql://juf@school/ouder?sslmode=verify-full"),
    ("postgresql://school/ouder?password=geheim", "postgresql://school/ouder"),
    ("postgresql://juf:ge?h#eim@[2001:db8::5]:5432/ouder", "postgresql://juf@[2001:db8::5]:5432/ouder"),
    ("postgresql://juf@school/ouder", "postgresql://juf@school/ouder"),
    ("ouder.json", "ouder.json"),
])
def test_redact_removes_every_password(url: str, expected: str) -> None:
    assert redact(url) == expected
    assert "geheim" not in redact(url) and "eim" not in redact(url)


def test_a_url_for_another_login_has_no_password() -> None:
    assert for_login("postgresql://beheer:geheim@school/ouder?user=beheer&password=x&sslmode=require",
                     "juf.anja") == "postgresql://juf.anja@school/ouder?sslmode=require"
    assert for_login("postgresql://school/ouder", "els@zorg") == "postgresql://els%40zorg@school/ouder"


def test_the_user_of_a_url() -> None:
    assert user_of("postgresql://juf%40school:x@h/db") == "juf@school"
    assert user_of("postgresql://juf@h/db?user=meester") == "meester"
    assert user_of("postgresql://h/db") == ""


# --- where a URL goes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url, hosts", [
    ("postgresql://school.local/db", ["school.local"]),
    ("postgresql://u:p@school.local:5433/db", ["school.local"]),
    ("postgresql://[::1]:5432/db", ["::1"]),
    ("postgresql://[2001:db8::1]/db", ["2001:db8::1"]),
    ("postgresql://h1:5432,[::1]:5433,h3/db", ["h1", "::1", "h3"]),
    ("postgresql:///db", [""]),
    ("postgresql://", [""]),
    ("postgresql://%2Fvar%2Frun%2Fpostgresql/db", ["/var/run/postgresql"]),
    ("postgresql:///db?host=%2Ftmp%2Fpg", ["/tmp/pg"]),
    ("postgresql://school/db?host=/tmp", ["/tmp"]),                      # the query wins, as in libpq
    ("postgresql://localhost/db?hostaddr=10.0.0.5", ["10.0.0.5"]),      # hostaddr is where it goes
])
def test_hosts_of(url: str, hosts: list[str]) -> None:
    assert hosts_of(url) == hosts


@pytest.mark.parametrize("host", ["", "localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1",
                                  "/var/run/postgresql", "@abstract", "C:\\pg\\socket", "c:/pg"])
def test_local_hosts(host: str) -> None:
    assert is_local_host(host)


@pytest.mark.parametrize("host", ["school.local", "10.0.0.5", "192.168.1.10", "2001:db8::1", "fe80::1%eth0",
                                  "0.0.0.0", "localhost.school.be", "128.0.0.1", "::ffff:10.0.0.5"])
def test_other_hosts(host: str) -> None:
    assert not is_local_host(host)


# --- TLS for a server that is not on this PC ------------------------------------------------------------------


@pytest.mark.parametrize("url, prepared", [
    ("postgresql://juf@school.local/ouder", "postgresql://juf@school.local/ouder?sslmode=require"),
    ("postgresql://juf:pw@10.0.0.5:5433/ouder?application_name=ouder-tui",
     "postgresql://juf:pw@10.0.0.5:5433/ouder?application_name=ouder-tui&sslmode=require"),
    ("postgresql://juf@[2001:db8::1]:5432/ouder", "postgresql://juf@[2001:db8::1]:5432/ouder?sslmode=require"),
    ("postgresql://school.local/ouder?", "postgresql://school.local/ouder?sslmode=require"),
    ("postgresql://school.local", "postgresql://school.local?sslmode=require"),
    ("postgresql://localhost,school.local/ouder", "postgresql://localhost,school.local/ouder?sslmode=require"),
    ("postgresql://localhost/ouder?hostaddr=10.0.0.5",
     "postgresql://localhost/ouder?hostaddr=10.0.0.5&sslmode=require"),
])
def test_a_server_elsewhere_gets_tls(url: str, prepared: str) -> None:
    assert prepare_url(url) == prepared


@pytest.mark.parametrize("url", [
    "postgresql://juf@localhost/ouder",
    "postgresql://juf:pw@127.0.0.1:5432/ouder",
    "postgresql://juf@[::1]:5432/ouder",
    "postgresql:///ouder",
    "postgresql:///ouder?host=/var/run/postgresql",
    "postgresql://%2Fvar%2Frun%2Fpostgresql/ouder",
    "postgresql://school.local/ouder?host=%2Ftmp",     # the socket in the query wins over the name
    "postgresql://localhost,127.0.0.2/ouder",
])
def test_a_server_on_this_pc_is_left_alone(url: str) -> None:
    assert prepare_url(url) == url


@pytest.mark.parametrize("url", [
    "postgresql://juf@school.local/ouder?sslmode=verify-full",
    "postgresql://juf@school.local/ouder?sslmode=disable",              # the IT partner chose it: their call
    "postgresql://juf@school.local/ouder?application_name=x&sslmode=prefer",
    "postgresql://juf@school.local/ouder?sslrootcert=system",           # libpq makes that verify-full itself
])
def test_an_explicit_sslmode_wins(url: str) -> None:
    assert prepare_url(url) == url


def test_the_environment_counts_as_explicit_and_as_the_default_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGSSLMODE", "verify-ca")
    assert prepare_url("postgresql://school.local/ouder") == "postgresql://school.local/ouder"
    monkeypatch.delenv("PGSSLMODE")
    monkeypatch.setenv("PGHOST", "school.local")  # no host in the URL: libpq goes to PGHOST
    assert prepare_url("postgresql:///ouder") == "postgresql:///ouder?sslmode=require"
    monkeypatch.setenv("PGHOST", "/run/postgresql")
    assert prepare_url("postgresql:///ouder") == "postgresql:///ouder"


def test_prepare_keeps_the_password_as_written() -> None:
    url = "postgresql://juf:a%2Fb%3Fc@school.local/ouder"
    assert prepare_url(url) == url + "?sslmode=require"


def test_describe_names_database_and_server_without_password() -> None:
    assert describe("postgresql://juf:geheim@school.local/ouder") == "databank ouder op school.local"
    assert describe("postgresql:///ouder?host=/run/postgresql") == "databank ouder op deze pc"


def test_the_module_is_pure() -> None:
    """No psycopg (nor anything heavy) comes with it: --version and the file commands stay light."""
    code = ("import sys, ouder_tui.pgurl\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'psycopg', 'textual'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
