"""A database target in the inventory: its `database:` section, the backups it reports, and
the one-line errors (file:line) for what cannot work."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

import collectors
from cli.main import cli
from core.model import DatabaseSettings
from settings.inventory import load
from tests.test_inventory import error_of, write

BACKUPS = """\
databases:
  erp:
    engine: postgresql
    host: db1
    database: erp
    destination: /b
    every: 12h
  crm:
    engine: mysql
    host: db1
    port: 3307
    database: crm
    destination: /b
"""


def test_a_database_section_is_typed_with_its_backups(tmp_path, monkeypatch):
    monkeypatch.setenv("MON_PW", "x")
    inventory = load(write(tmp_path, BACKUPS + """\
        hosts:
          db1-pg: {kind: database, address: db1, database: {engine: postgresql, user: mon,
                   password: env:MON_PW}}
          db1-my: {kind: database, address: db1, port: 3307, database: {engine: mariadb}}
          db1-named: {kind: database, address: other, database: {engine: postgresql,
                      backups: [erp, crm]}}
          web1: {address: web1, ssh: {username: ops}, database: {engine: mysql}}
    """.replace("        ", "")))
    targets = {t.name: t for t in inventory.targets}
    assert targets["db1-pg"].database == DatabaseSettings(
        "postgresql", user="mon", password="env:MON_PW", backups={"erp": timedelta(hours=18)}
    )
    assert targets["db1-my"].database.port_or_default == 3307
    assert dict(targets["db1-my"].database.backups) == {"crm": timedelta(hours=36)}
    assert set(targets["db1-named"].database.backups) == {"erp", "crm"}
    assert collectors.default_names(targets["db1-pg"]) == ("postgres",)
    assert collectors.default_names(targets["db1-my"]) == ("mysql",)
    assert collectors.default_names(targets["web1"]) == ("ssh", "mysql")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "hosts:\n  db1:\n    database: {engine: oracle}\n",
            "inventory.yaml:3: hosts.db1.database.engine: expected 'postgresql', 'mariadb' or "
            "'mysql'",
        ),
        (
            "hosts:\n  db1:\n    database:\n      engine: postgresql\n      password: hunter2\n",
            "inventory.yaml:5: hosts.db1.database.password: expected a credential reference",
        ),
        (
            BACKUPS + "hosts:\n  db1:\n    database:\n      engine: postgresql\n"
            "      backups: [erp, nope]\n",
            "inventory.yaml:18: hosts.db1.database.backups.1: unknown database backup 'nope' "
            "(known: crm, erp)",
        ),
    ],
)
def test_errors_name_file_line_and_key(tmp_path, text, message):
    found = error_of(tmp_path, text)
    assert found.startswith(message), found
    assert "hunter2" not in found


def test_inventory_list_shows_the_database_section_with_references_only(tmp_path, monkeypatch):
    monkeypatch.setenv("MON_PW", "not-shown-Secret")
    path = write(tmp_path, BACKUPS + "hosts:\n  db1: {kind: database, address: db1, "
                 "database: {engine: postgresql, user: mon, password: env:MON_PW}}\n")
    result = CliRunner().invoke(cli, ["inventory", "list", "-i", str(path), "-f", "json"])
    [listed] = json.loads(result.output)
    assert listed["collectors"] == ["postgres"]
    assert listed["database"]["password"] == "env:MON_PW"
    assert listed["database"]["backups"] == {"erp": 18 * 3600.0}
    assert "not-shown-Secret" not in result.output
