"""`inspect serve`: the browser console and its API on one address."""

from __future__ import annotations

import os
from pathlib import Path

import click

from cli.options import Sources, sources_options
from core.errors import UserError
from core.phrases import phrase

DEFAULT_BIND = "127.0.0.1:8080"


def _bind(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserError(
            phrase(
                "--bind {value}: expected HOST:PORT, e.g. {example}",
                value=repr(value),
                example=DEFAULT_BIND,
            )
        )
    return host.strip("[]"), int(port)


@click.command()
@click.option("--bind", default=DEFAULT_BIND, show_default=True, help="Address and port.")
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TLS certificate (PEM); serve HTTPS and mark cookies Secure.")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TLS private key (PEM) for --certfile.")
@click.option("--behind-https-proxy", is_flag=True,
              help="A TLS-terminating proxy (nginx) is in front: mark cookies Secure.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes; each keeps its own page snapshots (up to 5 s apart).")
@sources_options
def serve(
    bind: str, certfile: Path | None, keyfile: Path | None, behind_https_proxy: bool,
    workers: int, sources: Sources,
) -> None:
    """Serve the web console and the JSON API for duty staff, engineers and managers."""
    if bool(certfile) != bool(keyfile):
        raise UserError(phrase("--certfile and --keyfile go together"))
    host, port = _bind(bind)
    import uvicorn

    from web.app import create_app
    from web.context import Config

    secure = bool(certfile) or behind_https_proxy
    config = Config(engine=sources.engine, inventory=sources.inventory, secure_cookies=secure)
    if workers > 1:  # checked above (one error, no worker started); workers read it anew
        os.environ.update(INSPECT_DB=sources.url, INSPECT_INVENTORY=str(sources.path or ""),
                          INSPECT_SECURE_COOKIES="1" if secure else "0")
    uvicorn.run(
        "web.app:from_environment" if workers > 1 else create_app(config),
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        proxy_headers=behind_https_proxy,
        log_level="warning",
        server_header=False,
    )
