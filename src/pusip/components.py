"""The parts of the suite the command line starts, migrates and fills: the gateway and five services.

Everything is found by convention, imported only when needed (so ``pusip users`` never imports
the catalog):

=================  ============================================================
``<s>.main``       ``create_app()`` — the FastAPI application factory
``<s>.config``     ``<S>Settings`` — pydantic settings (``PUSIP_<S>_`` prefix)
``<s>.worker``     ``celery_app`` — the Celery application (queue ``<s>``, beat schedule)
``<s>.demo``       ``load_demo_data(session) -> dict[str, int]`` — idempotent demo records
migrations         ``<s>.MIGRATIONS_DIR`` when the package names it, else ``services/<s>/migrations``
=================  ============================================================
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pusip_kit.config import SERVICE_NAMES, ServiceSettings, service_port

GATEWAY = "gateway"
COMPONENT_NAMES: tuple[str, ...] = (GATEWAY, *SERVICE_NAMES)


class ComponentError(RuntimeError):
    """A component is missing a part the command needs (message: Indonesian / English)."""


@dataclass(frozen=True)
class Component:
    name: str

    @property
    def is_gateway(self) -> bool:
        return self.name == GATEWAY

    @property
    def app_path(self) -> str:
        return f"{self.name}.main:create_app"

    @property
    def port(self) -> int:
        return service_port(self.name)

    def _module(self, suffix: str | None = None) -> ModuleType:
        dotted = self.name if suffix is None else f"{self.name}.{suffix}"
        try:
            return importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name and (exc.name == dotted or dotted.startswith(exc.name + ".")):
                raise ComponentError(f"modul {dotted} tidak ditemukan / module {dotted} not found") from exc
            raise

    def _attribute(self, suffix: str, attribute: str) -> Any:
        module = self._module(suffix)
        try:
            return getattr(module, attribute)
        except AttributeError as exc:
            raise ComponentError(
                f"{module.__name__}.{attribute} tidak ada / {module.__name__}.{attribute} is missing"
            ) from exc

    @property
    def settings_class(self) -> type[ServiceSettings]:
        cls: type[ServiceSettings] = self._attribute("config", f"{self.name.capitalize()}Settings")
        return cls

    def settings(self) -> ServiceSettings:
        """Fresh settings from the environment (read at call time, so env changes apply)."""
        return self.settings_class()

    def migrations_dir(self) -> Path | None:
        """This component's Alembic environment, or ``None`` when it has none (the gateway).

        A package may say where it is (``MIGRATIONS_DIR``); otherwise the workspace layout
        ``services/<s>/src/<s>/__init__.py`` → ``services/<s>/migrations`` is assumed, which only
        holds for a source checkout or an editable install (the workspace default).
        """
        package = self._module()
        explicit = getattr(package, "MIGRATIONS_DIR", None)
        if explicit is not None:
            return Path(explicit)
        if package.__file__ is None:
            raise ComponentError(f"paket {self.name} tanpa berkas / package {self.name} has no file")
        path = Path(package.__file__).resolve().parents[2] / "migrations"
        if (path / "env.py").is_file():
            return path
        if self.is_gateway:
            return None
        raise ComponentError(
            f"migrasi {self.name} tidak ditemukan di {path} / {self.name} migrations not found at {path}"
        )

    def celery_app(self) -> Any:
        return self._attribute("worker", "celery_app")

    def demo_loader(self) -> Callable[..., Any]:
        loader: Callable[..., Any] = self._attribute("demo", "load_demo_data")
        return loader


COMPONENTS: dict[str, Component] = {name: Component(name) for name in COMPONENT_NAMES}
SERVICES: tuple[Component, ...] = tuple(COMPONENTS[name] for name in SERVICE_NAMES)


def component(name: str) -> Component:
    try:
        return COMPONENTS[name.strip().lower()]
    except KeyError:
        raise ComponentError(
            f"komponen tidak dikenal: {name!r} (pilihan: {', '.join(COMPONENT_NAMES)}) / "
            f"unknown component: {name!r}"
        ) from None


def parse_selection(values: Iterable[str] | str | None) -> list[Component]:
    """``"catalog,gateway"`` or ``["catalog", "gateway"]`` → components in suite order; empty → all."""
    if values is None:
        return list(COMPONENTS.values())
    if isinstance(values, str):
        values = [values]
    wanted = {component(part).name for value in values for part in value.split(",") if part.strip()}
    if not wanted:
        return list(COMPONENTS.values())
    return [c for c in COMPONENTS.values() if c.name in wanted]
