"""The kernel model one scan reads, loaded once.

``api.check`` loads it and passes it down to every stage: the front end
(``frontend.toml``: definitions, attributes), the calling contexts and
notifier chains (``contexts.toml``), what the analysis does not follow
(``analysis.toml``), the lockdep class annotations (``classes.toml``), the
points-to model (``pointsto.toml``) and the lock primitives
(``primitives.toml``), each merged with the user's ``--model`` files.
Workers receive it inside their task context, so a user's model reaches the
extraction of every file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from lockcheck.model.loader import load_model
from lockcheck.model.primitives import Catalogue, load_catalogue

__all__ = ["ScanModel"]


@dataclass(frozen=True)
class ScanModel:
    contexts: dict
    analysis: dict
    catalogue: Catalogue
    frontend: dict = field(default_factory=dict)
    classes: dict = field(default_factory=dict)
    pointsto: dict = field(default_factory=dict)

    @classmethod
    def load(cls, user_files: tuple[str, ...] = ()) -> "ScanModel":
        files = tuple(user_files)
        return cls(contexts=load_model("contexts", files), analysis=load_model("analysis", files),
                   catalogue=load_catalogue(files), frontend=load_model("frontend", files),
                   classes=load_model("classes", files), pointsto=load_model("pointsto", files))

    @cached_property
    def extraction(self) -> dict:
        """What the extraction of a function body reads (``analysis.extract``):
        the analysis model plus the static calls, points-to, class and
        definition tables."""
        out = dict(self.analysis)
        out["static_calls"] = self.contexts.get("static_calls", {})
        out["pointsto"] = self.pointsto
        out["classes"] = self.classes
        out["definitions"] = self.frontend.get("definitions", {})
        return out
