"""Load the inventory: hosts merged over groups over defaults, plus check profiles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.backups import (
    ConfigBackupSettings,
    Database,
    Offsite,
    Retention,
    default_config_backups,
)
from core.errors import UserError
from core.model import Target
from core.phrases import Phrase, phrase
from settings.agent_spec import CentralSpec, ExportSpec, ScheduleSpec
from settings.backup_spec import ConfigBackupsSpec, DatabaseSpec
from settings.credential_checks import check_credentials
from settings.inventory_spec import InventorySpec
from settings.parents import check_parents
from settings.profile_build import build_profile
from settings.profiles import BUILT_IN, Profile
from settings.target_build import build_target
from settings.tickets_spec import TicketsSpec, reference_problems
from settings.validation import validate
from settings.yamlsource import YamlDocument, load_yaml

LOCALHOST = Target(name="localhost", kind="server", address="localhost", platform="linux")


@dataclass(frozen=True)
class Inventory:
    targets: tuple[Target, ...] = (LOCALHOST,)
    profiles: Mapping[str, Profile] = field(default_factory=lambda: dict(BUILT_IN))
    schedules: Mapping[str, ScheduleSpec] = field(default_factory=dict)
    export: ExportSpec | None = None
    central: CentralSpec | None = None  # zone broker and/or the server agents report to
    source: Path | None = None
    databases: Mapping[str, Database] = field(default_factory=dict)
    tickets: TicketsSpec = field(default_factory=TicketsSpec)
    config_backups: ConfigBackupSettings = field(default_factory=default_config_backups)

    @property
    def reports_to_server(self) -> bool:
        """Runs go to `central.url`, whose server reconciles their tickets and notifies: this
        host does neither, or each ticket would be opened (and mailed) twice."""
        return self.central is not None and self.central.url is not None

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles))
            raise UserError(
                phrase("unknown profile {name} (known: {known})", name=repr(name), known=known)
            ) from None

    def with_profile(self, name: str) -> Inventory:
        """Every target judged by one profile (an explicit `--profile` beats the inventory)."""
        self.profile(name)
        return replace(self, targets=tuple(replace(t, profile=name) for t in self.targets))

    def select(self, names: Iterable[str] = (), groups: Iterable[str] = ()) -> tuple[Target, ...]:
        """Targets named or in a named group; all targets when neither is given."""
        names, groups = list(names), list(groups)
        if not names and not groups:
            return self.targets
        known = {t.name for t in self.targets}
        known_groups = {g for t in self.targets for g in t.groups}
        where = _source_hint(self.source)
        for name in names:
            if name not in known:
                raise UserError(
                    phrase("unknown target {name}{hint}", name=repr(name), hint=where)
                )
        for group in groups:
            if group not in known_groups:
                raise UserError(
                    phrase("unknown group {name}{hint}", name=repr(group), hint=where)
                )
        return tuple(
            t for t in self.targets if t.name in names or any(g in groups for g in t.groups)
        )


def load(path: Path | None, zone: str | None = None) -> Inventory:
    """Read and validate; no path means localhost with the built-in standard profile.

    `zone`: where this process polls (a zone worker's `--zone`; None: the server's own zone,
    `central.zone`). Credentials of targets in other zones are not checked here."""
    if path is None:
        return Inventory()
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise UserError(
            phrase(
                "{where}: the inventory must be a mapping with hosts, groups, ...",
                where=doc.where(()),
            )
        )
    central = doc.data.get("central")
    own = central.get("zone", "local") if isinstance(central, dict) else "local"
    spec = validate(doc, InventorySpec, {"here": zone or own})
    if not spec.hosts and not spec.databases:
        # an empty file (or one of profiles only) would otherwise "pass" and inspect nothing
        raise doc.error(
            ("hosts",), phrase("no hosts: the inventory has nothing to inspect or back up")
        )
    profiles = dict(BUILT_IN)
    profiles.update({name: build_profile(name, p) for name, p in spec.profiles.items()})
    base = path.parent.absolute()
    databases = {name: _database(name, d, base) for name, d in spec.databases.items()}
    targets = tuple(build_target(name, spec, doc, profiles, databases) for name in spec.hosts)
    check_parents(spec, targets, doc)
    here = "" if zone in (None, own) else zone
    check_credentials(spec, [t for t in targets if t.zone == here], doc)
    _check_ticket_references(spec, doc)
    _check_schedules(spec, targets, profiles, doc)
    return Inventory(
        targets=targets,
        profiles=profiles,
        schedules=spec.schedules,
        source=path,
        export=spec.export,
        central=spec.central,
        databases=databases,
        tickets=spec.tickets,
        config_backups=_config_backups(spec.config_backups, base),
    )


def _config_backups(spec: ConfigBackupsSpec, base: Path) -> ConfigBackupSettings:
    """A relative repository path is relative to the inventory file, like `destination`."""
    default = default_config_backups()
    repository = base / Path(spec.repository).expanduser() if spec.repository else None
    return ConfigBackupSettings(
        repository=repository or default.repository,
        mask_secrets=spec.mask_secrets,
        workers=spec.workers,
        timeout=spec.timeout,
    )


def _database(name: str, spec: DatabaseSpec, base: Path) -> Database:
    """Relative paths are relative to the inventory file, so cron's cwd does not matter."""
    return Database(
        name=name,
        engine=spec.engine,
        destination=base / Path(spec.destination).expanduser(),
        host=spec.host,
        port=spec.port,
        user=spec.user,
        password=spec.password,
        database=spec.database,
        path=base / Path(spec.path).expanduser() if spec.path else None,
        compression=spec.compression,
        every=spec.every,
        max_age=spec.max_age if spec.max_age is not None else spec.every * 1.5,
        verify_every=spec.verify_every,
        retention=Retention(**spec.retention.model_dump()),
        offsite=Offsite(**spec.offsite.model_dump()) if spec.offsite else None,
    )


def _check_ticket_references(spec: InventorySpec, doc: YamlDocument) -> None:
    for loc, message in reference_problems(spec.tickets, set(spec.hosts), set(spec.groups)):
        raise doc.error(loc, message)


def _check_schedules(
    spec: InventorySpec, targets: tuple[Target, ...], profiles: Mapping, doc: YamlDocument
) -> None:
    """A schedule must name hosts, groups and profiles that exist (else it would run nothing)."""
    hosts = {t.name for t in targets}
    groups = {g for t in targets for g in t.groups}
    for name, schedule in spec.schedules.items():
        for key, known, values, unknown in (
            ("targets", hosts, schedule.targets, phrase("unknown target {name}")),
            ("groups", groups, schedule.groups, phrase("unknown group {name}")),
        ):
            for i, value in enumerate(values):
                if value not in known:
                    loc = ("schedules", name, key, i)
                    raise doc.error(loc, unknown.fill(name=repr(value)))
        if schedule.profile is not None and schedule.profile not in profiles:
            raise doc.error(
                ("schedules", name, "profile"),
                phrase(
                    "unknown profile {name} (known: {known})",
                    name=repr(schedule.profile),
                    known=", ".join(sorted(profiles)),
                ),
            )


def _source_hint(source: Path | None) -> Phrase:
    if source:
        return phrase(" in {source}", source=str(source))
    return phrase(" (no inventory given: only localhost is known)")
