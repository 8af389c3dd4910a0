"""`inspect user ...` and `inspect token ...`: who may use the console and the API."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from cli.options import Sources, format_option, sources_options
from cli.render import iso, table, to_json, visible
from core.errors import UserError
from core.phrases import phrase
from web.roles import ROLES, TOKEN_ROLES

ROLE_CHOICE = click.Choice(ROLES)
LANG_CHOICE = click.Choice(("zh-CN", "en"))


@click.group()
def user() -> None:
    """Console users: add, change password, disable, list."""


@user.command()
@click.argument("name")
@click.option("--role", type=ROLE_CHOICE, required=True, help="What the user may do.")
@click.option("--console-lang", "console_lang", type=LANG_CHOICE,
              help="The user's page language in the console (default: the browser's).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
@sources_options
def add(
    name: str, role: str, console_lang: str | None, password_stdin: bool, sources: Sources
) -> None:
    """Add a user (asks for the password twice unless --password-stdin)."""
    from records import console
    from web.passwords import hash_password

    say = sources.language.text
    password = _read_password(password_stdin, say)
    now = datetime.now(UTC)
    console.add_user(sources.engine, name, role, hash_password(password), now)
    if console_lang:
        console.update_user(sources.engine, name, lang=console_lang)
    console.audit(sources.engine, now, "cli", "user_add", name, role=role)
    click.echo(visible(say(phrase("user {name} added ({role})", name=name, role=role))))


@user.command()
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
@sources_options
def passwd(name: str, password_stdin: bool, sources: Sources) -> None:
    """Set a user's password; unlocks the account and ends their sessions."""
    from records import console
    from web.passwords import hash_password

    say = sources.language.text
    password = _read_password(password_stdin, say)
    found = console.user_by_name(sources.engine, name)
    console.update_user(sources.engine, name, password_hash=hash_password(password),
                        failed_logins=0, locked_until=None)
    if found:
        console.end_sessions_of(sources.engine, found[0].id)
    console.audit(sources.engine, datetime.now(UTC), "cli", "user_passwd", name)
    click.echo(visible(say(phrase("password of {name} changed", name=name))))


@user.command()
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the user again.")
@sources_options
def disable(name: str, enable: bool, sources: Sources) -> None:
    """Disable a user at once (their sessions end); --enable undoes it."""
    from records import console

    console.update_user(sources.engine, name, disabled=not enable)
    found = console.user_by_name(sources.engine, name)
    if found and not enable:
        console.end_sessions_of(sources.engine, found[0].id)
    console.audit(sources.engine, datetime.now(UTC), "cli",
                  "user_enable" if enable else "user_disable", name)
    said = (
        phrase("user {name} enabled", name=name)
        if enable
        else phrase("user {name} disabled", name=name)
    )
    click.echo(visible(sources.language.text(said)))


@user.command(name="list")
@format_option("table", "json")
@sources_options
def list_users(output_format: str, sources: Sources) -> None:
    """Users with their role and state."""
    from records import console

    found = console.users(sources.engine)
    if output_format == "json":
        click.echo(to_json([
            {"name": u.name, "role": u.role, "disabled": u.disabled, "lang": u.lang,
             "locked_until": iso(u.locked_until) if u.locked_until else None} for u in found
        ]))
        return
    say = sources.language.text
    rows = [(u.name, u.role, "disabled" if u.disabled else "active", u.lang or "-") for u in found]
    headings = (phrase("NAME"), phrase("ROLE"), phrase("STATE"), phrase("LANG"))
    click.echo(table([say(h) for h in headings], rows) if rows else say(phrase("no users")))


def _read_password(from_stdin: bool, say) -> str:
    stdin = click.get_text_stream("stdin")
    if from_stdin:
        return stdin.readline().rstrip("\n")
    if not stdin.isatty():
        raise UserError(
            phrase("no terminal to ask for the password: pipe it with --password-stdin")
        )
    return click.prompt(
        say(phrase("Password")),
        hide_input=True,
        confirmation_prompt=say(phrase("Repeat for confirmation")),
    )


@click.group()
def token() -> None:
    """API tokens for scripts: create (shown once), list, revoke."""


@token.command()
@click.option("--name", required=True, help="What the token is for, e.g. zabbix.")
@click.option("--role", type=click.Choice(TOKEN_ROLES), required=True,
              help="What the token may do; `agent` only reports runs (central mode).")
@click.option("--targets", metavar="NAMES",
              help="Comma-separated target names or groups whose runs it may report "
              "(default: every target).")
@sources_options
def create(name: str, role: str, targets: str | None, sources: Sources) -> None:
    """Create a token and print it once; only its hash is stored."""
    from records import console
    from web.auth import new_token

    scope = None
    if targets is not None:
        scope = tuple(dict.fromkeys(t.strip() for t in targets.split(",") if t.strip()))
        if not scope:
            raise UserError(phrase("--targets: give at least one target name or group"))
    secret, digest = new_token()
    now = datetime.now(UTC)
    console.add_token(sources.engine, name, role, digest, now, scope)
    console.audit(sources.engine, now, "cli", "token_create", name, role=role,
                  targets=list(scope) if scope else None)
    click.echo(secret)


@token.command(name="list")
@format_option("table", "json")
@sources_options
def list_tokens(output_format: str, sources: Sources) -> None:
    """Tokens with their role, last use and whether revoked (never the secret)."""
    from records import console

    found = console.tokens(sources.engine)
    if output_format == "json":
        click.echo(to_json([
            {"name": t.name, "role": t.role, "created_at": iso(t.created_at),
             "used_at": iso(t.used_at) if t.used_at else None,
             "targets": list(t.targets) if t.targets is not None else None,
             "revoked_at": iso(t.revoked_at) if t.revoked_at else None} for t in found
        ]))
        return
    rows = [(t.name, t.role, ",".join(t.targets) if t.targets is not None else "all",
             "revoked" if t.revoked_at else "live",
             t.used_at.isoformat() if t.used_at else "-") for t in found]
    say = sources.language.text
    headings = (phrase("NAME"), phrase("ROLE"), phrase("TARGETS"), phrase("STATE"),
                phrase("LAST USED"))
    click.echo(table([say(h) for h in headings], rows) if rows else say(phrase("no tokens")))


@token.command()
@click.argument("name")
@sources_options
def revoke(name: str, sources: Sources) -> None:
    """Revoke a token at once."""
    from records import console

    now = datetime.now(UTC)
    console.revoke_token(sources.engine, name, now)
    console.audit(sources.engine, now, "cli", "token_revoke", name)
    click.echo(visible(sources.language.text(phrase("token {name} revoked", name=name))))
