"""``--format sarif``: SARIF 2.1.0 for code-scanning UIs.

One result per finding, placed at the acquisition that closes the cycle
(where the task "is trying to acquire lock").  ``relatedLocations`` lists
every lock site of the cycle; ``codeFlows`` has one ``threadFlow`` per CPU
of the unsafe-locking scenario (hold, then the call chain to the try), so a
UI can step through each CPU's side.  ``partialFingerprints`` carries
``Finding.id``, made from lock classes and witness function names only, so
code moving up or down a file does not make a finding look new.

URIs are relative to ``ScanResult.source_root`` (the kernel tree root),
which is what GitHub code scanning expects when the tree is the repository.
Output is deterministic: no timestamps, no absolute paths.

``level`` follows the finding's confidence (high: error, medium: warning,
low: note) and ``rank`` (0-100, SARIF's priority) puts every high finding
above every medium one, and those above every low one; within a level the
score orders them.  SARIF carries every finding, whatever
``--min-confidence`` the text report uses.
"""

from __future__ import annotations


from lockcheck import __version__
from lockcheck.report import indented_json
from lockcheck.report import scenario as sc
from lockcheck.report.rank import score
from lockcheck.result import Finding, ScanResult, WitnessStep
from lockcheck.rules import RULES, by_kind

__all__ = ["render", "document", "FINGERPRINT_KEY", "LEVEL", "sarif_rank"]

#: SARIF result level per confidence.
LEVEL = {"high": "error", "medium": "warning", "low": "note"}
_RANK_BASE = {"high": 70.0, "medium": 40.0, "low": 10.0}


def sarif_rank(f: Finding) -> float:
    """Confidence band (30 wide), then the score (0-100 clamped) within it."""
    return round(_RANK_BASE[f.confidence] + 0.29 * min(max(score(f), 0), 100), 1)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "lockClassesAndFunctions/v1"


def _rule(r) -> dict:
    return {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.section("What it does")},
        "help": {"text": r.help_text(), "markdown": r.docs.strip()},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["concurrency", "deadlock", "lockdep"]},
    }


def _location(s: WitnessStep, message: str | None = None, ident: int | None = None) -> dict:
    loc: dict = {}
    if ident is not None:
        loc["id"] = ident
    loc["physicalLocation"] = {"artifactLocation": {"uri": s.file}, "region": {"startLine": s.line}}
    loc["logicalLocations"] = [{"name": s.function, "kind": "function"}]
    if message:
        loc["message"] = {"text": message}
    return loc


def _related(f: Finding) -> list[dict]:
    seen, out = set(), []
    for e in f.edges:
        for lock, step in ((e.src, e.held[-1] if e.held else None), (e.dst, e.acquire[-1] if e.acquire else None)):
            if step is None or (lock, step.file, step.line) in seen:
                continue
            seen.add((lock, step.file, step.line))
            did = "asserted not held" if f.kind == "assert-not-held" and step is e.acquire[-1] else "taken"
            out.append(_location(step, f"{lock} {did} in {step.function}() ({step.what})", len(out)))
    return out


def _irq_flows(f: Finding) -> list[dict]:
    """LC301/LC302: one flow per usage witness (after LC302's edge)."""
    flows = []
    for i, e in enumerate(f.edges):
        if e.src.startswith("{"):
            text = f"{e.dst} {e.src[1:-1]} state registered"
        else:
            text = f"{e.src} held while {e.dst} is taken"
        locs = [{"location": _location(s, f"{'takes ' + e.dst if j == len(e.witness) - 1 else 'calls ' + s.what}"),
                 "nestingLevel": j} for j, s in enumerate(e.witness)]
        flows.append({"id": f"W{i}", "message": {"text": text}, "locations": locs})
    return flows


def _thread_flows(f: Finding) -> list[dict]:
    if f.kind.startswith("irq-"):
        return _irq_flows(f)
    flows = []
    edges = f.edges if f.kind == "circular" else f.edges[:1]
    for cpu, e in enumerate(edges):
        hold, tryop = sc.hold_op(cpu, e), sc.try_op(cpu, e)
        # LC103's last step is the assertion, not an acquisition
        last, then = (f"lockdep_assert_not_held({e.dst}) fails", f"lockdep_assert_not_held({e.dst});") \
            if f.kind == "assert-not-held" else (f"{tryop.text} blocks", tryop.text)
        locs = []
        for i, s in enumerate(e.held):
            msg = hold.text if i == len(e.held) - 1 else f"calls {s.what}()"
            locs.append({"location": _location(s, msg), "nestingLevel": i})
        for i, s in enumerate(e.acquire):
            msg = last if i == len(e.acquire) - 1 else f"calls {s.what}()"
            locs.append({"location": _location(s, msg), "nestingLevel": i})
        flows.append({"id": f"CPU{cpu}", "message": {"text": f"CPU{cpu}: {hold.text} then {then}"},
                      "locations": locs})
    return flows


def _primary_edge(f: Finding):
    """The edge whose last step is the finding's location: the closing
    acquisition; for LC302 the irq-safe -> irq-unsafe edge itself."""
    return f.edges[0] if f.kind == "irq-unsafe-order" else sc.closing(f)


def _message(f: Finding) -> str:
    e = _primary_edge(f)
    where = f"{e.acquire[-1].function}()" if e.acquire else "?"
    if f.kind == "recursive":
        return f"possible recursive locking: {e.dst} acquired in {where} while already held"
    if f.kind == "assert-not-held":
        return f"{e.dst} is held when {where} asserts lockdep_assert_not_held({e.dst})"
    if f.kind == "irq-inconsistent":
        used, on = f.edges[0], f.edges[-1]
        return (f"inconsistent lock state: {used.src} -> {on.src} usage of {f.locks[0]}, "
                f"taken in {where} (confidence {f.confidence})")
    if f.kind == "irq-unsafe-order":
        irq = "SOFTIRQ" if "SOFTIRQ" in f.edges[1].src else "HARDIRQ"
        return (f"{irq}-safe -> {irq}-unsafe lock order: {where} takes {f.locks[1]} while holding "
                f"{f.locks[0]} (confidence {f.confidence})")
    return (f"possible circular locking dependency: {where} acquires {e.dst} while holding {e.src}, "
            f"and {' --> '.join(f.locks)} --> {f.locks[0]} already exists (confidence {f.confidence})")


def _result(f: Finding, rule_index: dict[str, int]) -> dict:
    rule = by_kind(f.kind)
    e = _primary_edge(f)
    primary = e.acquire[-1] if e.acquire else (e.held[-1] if e.held else WitnessStep("?", "?", 1, "?"))
    return {
        "ruleId": rule.code,
        "ruleIndex": rule_index[rule.code],
        "level": LEVEL[f.confidence],
        "rank": sarif_rank(f),
        "message": {"text": _message(f)},
        "locations": [_location(primary)],
        "relatedLocations": _related(f),
        "codeFlows": [{"message": {"text": "Possible unsafe locking scenario"}, "threadFlows": _thread_flows(f)}],
        "partialFingerprints": {FINGERPRINT_KEY: f.id},
        "properties": {"locks": list(f.locks), "score": score(f), "confidence": f.confidence,
                       "confidenceReason": f.reason},
    }


def _suppressed(f, rule_index, reason: str) -> dict:
    r = _result(f, rule_index)
    r["suppressions"] = [{"kind": "external", "justification": reason}]
    return r


def document(result: ScanResult, suppressed=()) -> dict:
    rule_index = {r.code: i for i, r in enumerate(RULES)}
    notes = [{"level": "warning", "message": {"text": err}} for err in result.errors]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "lockcheck", "version": __version__,
                                "rules": [_rule(r) for r in RULES]}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
            "results": [_result(f, rule_index) for f in result.findings]
                       + [_suppressed(f, rule_index, reason) for f, reason in suppressed],
            "columnKind": "unicodeCodePoints",
        }],
    }


def render(result: ScanResult, out, suppressed=(), **_opts) -> None:
    indented_json.dump(document(result, suppressed), out)
    out.write("\n")
