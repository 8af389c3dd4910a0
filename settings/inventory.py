"""Load the inventory: hosts merged over groups over defaults, plus check profiles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.backups import (
    ConfigBackupSettings,
    Database,
    Offsite,
    Retention,
    default_config_backups,
)
from core.errors import UserError
from core.model import (
    ANSWER_LIMIT_MB,
    DB_ENGINES,
    CliSettings,
    DatabaseSettings,
    SnmpSettings,
    SshSettings,
    Target,
)
from core.phrases import Phrase, phrase
from settings.change_windows import ChangeWindow
from settings.credential_checks import check_credentials
from settings.inventory_spec import (
    CentralSpec,
    ConfigBackupsSpec,
    DatabaseSpec,
    ExportSpec,
    InventorySpec,
    LimitSpec,
    ProfileSpec,
    ScheduleSpec,
    SecuritySpec,
    port_range,
)
from settings.parents import check_parents
from settings.profiles import (
    BUILT_IN,
    PATROL_THRESHOLDS,
    STANDARD,
    FilesystemRule,
    HardwareRule,
    LogRule,
    PluginRule,
    PortRule,
    ProcessRule,
    Profile,
    SecurityPolicy,
    Thresholds,
)
from settings.thresholds import Range
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
        raise doc.error(("hosts",), "no hosts: the inventory has nothing to inspect or back up")
    profiles = dict(BUILT_IN)
    profiles.update({name: _profile(name, p) for name, p in spec.profiles.items()})
    base = path.parent.absolute()
    databases = {name: _database(name, d, base) for name, d in spec.databases.items()}
    targets = tuple(_target(name, spec, doc, profiles, databases) for name in spec.hosts)
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


def _target(
    name: str,
    spec: InventorySpec,
    doc: YamlDocument,
    profiles: Mapping,
    databases: Mapping[str, Database],
) -> Target:
    host = spec.hosts[name]
    layers: list[dict[str, Any]] = [spec.defaults.model_dump(exclude_unset=True, exclude_none=True)]
    for i, group in enumerate(host.groups):
        if group not in spec.groups:
            raise doc.error(("hosts", name, "groups", i), f"unknown group {group!r}")
        layers.append(spec.groups[group].model_dump(exclude_unset=True, exclude_none=True))
    layers.append(host.model_dump(exclude_unset=True, exclude_none=True, exclude={"groups"}))
    merged = _merge(layers)
    profile = merged.get("profile", "standard")
    if profile not in profiles:
        raise doc.error(
            ("hosts", name, "profile"),
            f"unknown profile {profile!r} (known: {', '.join(sorted(profiles))})",
        )
    kind = merged.get("kind", "server")
    address = merged.get("address", name)
    return Target(
        name=name,
        kind=kind,
        address=address,
        port=merged.get("port"),
        platform=merged.get("platform", "linux" if kind == "server" else "unknown"),
        groups=tuple(host.groups),
        labels=merged.get("labels", {}),
        profile=profile,
        collectors=tuple(merged.get("collectors", ())),
        ssh=_ssh(merged),
        snmp=SnmpSettings(**merged["snmp"]) if "snmp" in merged else None,
        cli=CliSettings(**merged["cli"]) if "cli" in merged else None,
        database=_database_settings(name, merged, address, databases, doc),
        interfaces=merged.get("interfaces"),
        parents=tuple(merged.get("parents", ())),
        change_windows=tuple(_change_window(w) for w in merged.get("change_windows", ())),
        answer_limit_mb=merged.get("answer_limit_mb", ANSWER_LIMIT_MB),
        zone=_zone(name, merged.get("zone"), spec, doc),
    )


def _zone(name: str, zone: str | None, spec: InventorySpec, doc: YamlDocument) -> str:
    """"" for the server's own zone (none named, or `central.zone`); another zone needs the
    broker its workers listen on."""
    if zone is None or (spec.central and zone == spec.central.zone):
        return ""
    if spec.central is None or spec.central.broker is None:
        raise doc.error(
            ("hosts", name),
            f"zone {zone!r} needs a `central:` section with the broker its workers use",
        )
    return zone


def _ssh(merged: Mapping[str, Any]) -> SshSettings | None:
    """The target's own `port` is its SSH port unless `ssh.port` says otherwise."""
    if "ssh" not in merged:
        return None
    port = {"port": merged["port"]} if merged.get("port") else {}
    return SshSettings(**{**port, **merged["ssh"]})


def _database_settings(
    name: str,
    merged: Mapping[str, Any],
    address: str,
    databases: Mapping[str, Database],
    doc: YamlDocument,
) -> DatabaseSettings | None:
    """The target's own `port` is its database port unless `database.port` says otherwise.
    Its backups are those named, or by default those on its address and port whose engine
    speaks its protocol (a mysql target's backups may say mariadb)."""
    if "database" not in merged:
        return None
    section = dict(merged["database"])
    named = section.pop("backups", None)
    if merged.get("port") and "port" not in section:
        section["port"] = merged["port"]
    settings = DatabaseSettings(**section)
    if named is None:
        chosen = [
            db.name
            for db in databases.values()
            if db.engine in DB_ENGINES
            and DB_ENGINES[db.engine].protocol == DB_ENGINES[settings.engine].protocol
            and (db.host or "localhost") == address
            and (db.port or DB_ENGINES[db.engine].port) == settings.port_or_default
        ]
    else:
        for i, backup in enumerate(named):
            if backup not in databases:
                known = ", ".join(sorted(databases)) or "none under `databases:`"
                raise doc.error(
                    ("hosts", name, "database", "backups", i),
                    f"unknown database backup {backup!r} (known: {known})",
                )
        chosen = named
    return replace(settings, backups={n: databases[n].max_age for n in chosen})


def _change_window(spec: Mapping[str, Any]) -> ChangeWindow:
    """A host's list replaces its groups' (like parents): windows are not summed up."""
    return ChangeWindow(
        cron=spec.get("cron"),
        duration=spec.get("duration"),
        start=spec.get("start"),
        end=spec.get("end"),
        timezone=spec.get("timezone", "UTC"),
    )


def _merge(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """Later layers win; nested mappings (ssh, snmp, labels) merge key by key."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = _merge([merged[key], value])
            else:
                merged[key] = value
    return merged


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
        for key, known, values in (
            ("targets", hosts, schedule.targets),
            ("groups", groups, schedule.groups),
        ):
            for i, value in enumerate(values):
                if value not in known:
                    loc = ("schedules", name, key, i)
                    raise doc.error(loc, f"unknown {key[:-1]} {value!r}")
        if schedule.profile is not None and schedule.profile not in profiles:
            raise doc.error(
                ("schedules", name, "profile"),
                f"unknown profile {schedule.profile!r} (known: {', '.join(sorted(profiles))})",
            )


def _profile(name: str, spec: ProfileSpec) -> Profile:
    """A user profile overrides the built-in thresholds metric by metric (those of the built-in
    profile of the same name, e.g. `patrol`, else the standard ones); naming an opt-in check's
    metric (PATROL_THRESHOLDS) turns that check on with its defaults."""
    built_in = BUILT_IN.get(name, STANDARD)
    thresholds = dict(built_in.thresholds)
    disabled = set()
    for metric, t in spec.checks.items():
        if not t.enabled:
            disabled.add(metric)
            continue
        base = thresholds.get(metric) or PATROL_THRESHOLDS.get(metric, Thresholds())
        thresholds[metric] = Thresholds(
            warning=Range.parse(t.warning) if t.warning is not None else base.warning,
            critical=Range.parse(t.critical) if t.critical is not None else base.critical,
        )
    processes = tuple(
        ProcessRule(subject=p, name=p)
        if isinstance(p, str)
        else ProcessRule(
            subject=p.subject or p.name or p.cmdline or p.user or "process",
            name=p.name,
            cmdline=p.cmdline,
            user=p.user,
            warning=Range.parse(p.warning) if p.warning is not None else None,
            critical=Range.parse(p.critical),
            cpu_percent=_limits(p.cpu_percent),
            rss_mb=_limits(p.rss_mb),
        )
        for p in spec.processes
    )
    ports = tuple(
        PortRule(port=p) if isinstance(p, int) else PortRule(port=p.port, address=p.address)
        for p in spec.ports
    )
    fs_default = FilesystemRule()
    filesystems = FilesystemRule(
        exclude_types=frozenset(spec.filesystems.exclude_types)
        if spec.filesystems.exclude_types is not None
        else fs_default.exclude_types,
        exclude_mounts=tuple(spec.filesystems.exclude_mounts),
    )
    return Profile(
        name=name,
        thresholds=thresholds,
        disabled=frozenset(disabled),
        processes=processes,
        ports=ports,
        filesystems=filesystems,
        plugins=tuple(
            PluginRule(p.name, tuple(p.command), p.timeout.total_seconds()) for p in spec.plugins
        ),
        logwatch=tuple(
            LogRule(
                subject=rule.subject,
                path=rule.file or "",
                journal=rule.journal or "",
                critical=tuple(rule.critical),
                warning=tuple(rule.warning),
                exclude=tuple(rule.exclude),
                max_bytes=rule.max_bytes,
                max_lines=rule.max_lines,
                from_start=rule.from_start,
            )
            for rule in spec.logwatch
        ),
        hardware=HardwareRule(
            smart=spec.hardware.smart or bool(spec.hardware.smart_devices),
            smart_devices=tuple(spec.hardware.smart_devices),
            raid=spec.hardware.raid,
        )
        if "hardware" in spec.model_fields_set
        else built_in.hardware,
        rate_window=spec.rate_window.total_seconds()
        if "rate_window" in spec.model_fields_set
        else built_in.rate_window,
        # a profile named like a built-in one (patrol) keeps its baseline unless it gives one
        security=_security(spec.security) if spec.security is not None else built_in.security,
        ports_allowed=tuple(sorted(port_range(p) for p in spec.ports_allowed))
        if spec.ports_allowed is not None
        else None,
    )


def _security(spec: SecuritySpec | None) -> SecurityPolicy | None:
    if spec is None:
        return None
    default = SecurityPolicy()
    return SecurityPolicy(
        uid0_allowed=frozenset(spec.uid0_allowed),
        password_max_days=spec.password_max_days,
        sshd_config=spec.sshd_config,
        sshd_expected={k: frozenset(v) for k, v in spec.sshd_expected.items()}
        if spec.sshd_expected is not None
        else default.sshd_expected,
        weak_algorithms=tuple(spec.weak_algorithms)
        if spec.weak_algorithms is not None
        else default.weak_algorithms,
        refresh_updates=spec.refresh_updates,
        mac_required=spec.mac_required,
        first_window=spec.first_window.total_seconds(),
    )


def _limits(spec: LimitSpec | None) -> Thresholds | None:
    if spec is None:
        return None
    return Thresholds(
        warning=Range.parse(spec.warning) if spec.warning is not None else None,
        critical=Range.parse(spec.critical) if spec.critical is not None else None,
    )


def _source_hint(source: Path | None) -> Phrase:
    if source:
        return phrase(" in {source}", source=str(source))
    return phrase(" (no inventory given: only localhost is known)")
