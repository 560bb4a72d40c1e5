"""The kernel model one scan's analysis reads, loaded once.

``api.check`` loads it and passes it down: the calling contexts and
notifier chains (``contexts.toml``), what the analysis does not follow
(``analysis.toml``) and the lock primitives (``primitives.toml``), each
merged with the user's ``--model`` files."""

from __future__ import annotations

from dataclasses import dataclass

from lockcheck.model.loader import load_model
from lockcheck.model.primitives import Catalogue, load_catalogue

__all__ = ["ScanModel"]


@dataclass(frozen=True)
class ScanModel:
    contexts: dict
    analysis: dict
    catalogue: Catalogue

    @classmethod
    def load(cls, user_files: tuple[str, ...] = ()) -> "ScanModel":
        return cls(load_model("contexts", user_files), load_model("analysis", user_files),
                   load_catalogue(user_files))
