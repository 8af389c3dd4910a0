"""The second copy: SFTP upload under a partial name, read back and compared by sha256, then
renamed into place. The host key must be known (no trust on first use for backups)."""

from __future__ import annotations

import contextlib
import hashlib
import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from backup.artifact import CHUNK, BackupError, manifest_path, sha256_file
from core.backups import BackupRecord, CopyRecord, Offsite
from core.clock import Clock, utc_now
from core.errors import UserError
from settings import secrets


def copy_offsite(record: BackupRecord, target: Offsite, clock: Clock = utc_now) -> CopyRecord:
    """Never raises for a failed copy: the failure is a record (and a finding)."""
    artifact = Path(record.path)
    try:
        if not record.ok or not artifact.is_file():
            raise BackupError(f"backup {record.id} has no file to copy")
        with _sftp(target) as sftp:
            _makedirs(sftp, target.directory)
            _upload(sftp, artifact, target.directory, record.sha256)
            manifest = manifest_path(artifact)
            _upload(sftp, manifest, target.directory, sha256_file(manifest))
        ok, error = True, ""
    except (BackupError, UserError) as exc:
        ok, error = False, str(exc)
    except OSError as exc:
        ok, error = False, f"{target.describe()}: {exc.strerror or exc}"
    return CopyRecord(
        backup_id=record.id,
        kind=record.kind,
        name=record.name,
        destination=target.describe(),
        at=clock(),
        ok=ok,
        error=error,
    )


def _upload(sftp: Any, local: Path, directory: str, expected_sha256: str) -> None:
    final = posixpath.join(directory, local.name)
    partial = posixpath.join(directory, f".{local.name}.partial")
    sftp.put(str(local), partial, confirm=True)
    sftp.chmod(partial, 0o600)
    remote = _remote_sha256(sftp, partial)
    if remote != expected_sha256:
        sftp.remove(partial)
        raise BackupError(
            f"{local.name}: sha256 after upload {remote[:12]}… differs from {expected_sha256[:12]}…"
        )
    sftp.posix_rename(partial, final)


def _remote_sha256(sftp: Any, path: str) -> str:
    """Read the uploaded bytes back: plain SFTP offers no server-side hash we can rely on."""
    digest = hashlib.sha256()
    with sftp.open(path, "rb") as remote:
        remote.prefetch()
        for chunk in iter(lambda: remote.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _makedirs(sftp: Any, directory: str) -> None:
    current = "/" if directory.startswith("/") else ""
    for part in [p for p in directory.split("/") if p]:
        current = posixpath.join(current, part)
        try:
            sftp.stat(current)
        except FileNotFoundError:
            sftp.mkdir(current, 0o700)


@contextlib.contextmanager
def _sftp(target: Offsite) -> Iterator[Any]:
    import paramiko

    client = paramiko.SSHClient()
    if target.known_hosts:
        try:
            client.load_host_keys(str(Path(target.known_hosts).expanduser()))
        except OSError as exc:
            raise BackupError(f"known_hosts {target.known_hosts}: {exc.strerror}") from None
        except paramiko.hostkeys.InvalidHostKey:
            raise BackupError(f"known_hosts {target.known_hosts}: unreadable host key") from None
    else:
        client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    password = secrets.resolve(target.password) if target.password else None
    passphrase = secrets.resolve(target.passphrase) if target.passphrase else None
    where = target.describe()
    try:
        client.connect(
            target.host,
            port=target.port,
            username=target.username,
            key_filename=str(Path(target.key_file).expanduser()) if target.key_file else None,
            password=password,
            passphrase=passphrase,
            timeout=target.timeout,
            banner_timeout=target.timeout,
            auth_timeout=target.timeout,
            allow_agent=not (target.key_file or password),
            look_for_keys=not (target.key_file or password),
        )
        sftp = client.open_sftp()
    except paramiko.BadHostKeyException:
        client.close()
        raise BackupError(f"{where}: host key changed; not copying") from None
    except paramiko.AuthenticationException:
        client.close()
        raise BackupError(f"{where}: authentication failed") from None
    except paramiko.SSHException as exc:
        client.close()
        raise BackupError(f"{where}: {exc}") from None
    try:
        yield sftp
    except paramiko.SSHException as exc:
        raise BackupError(f"{where}: {exc}") from None
    finally:
        sftp.close()
        client.close()
