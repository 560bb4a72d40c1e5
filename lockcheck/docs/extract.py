"""Read a locking document into :class:`~lockcheck.docs.rules.DocRules`.

Which prose counts: a section is a *rule section* when at least one of its
sentences has a rule shape, or when it is a lock reference entry (a title
like ````kvm_lock```` with a ``:Type:`` field).  Every sentence of a rule
section that no shape matches is kept as unparsed; other sections are
listed as skipped with their line range, so the report accounts for the
whole file.
"""

from __future__ import annotations

import re
from pathlib import Path

from lockcheck.docs.rst import Block, Section, read_sections
from lockcheck.docs.rules import DocRules, Rule, Unparsed
from lockcheck.docs.sentences import Context, _types, normalise, parse_sentence, split_sentences
from lockcheck.errors import InputError

__all__ = ["read_rules", "rules_from_text"]

_REF_TITLE = re.compile(r"^``(?P<name>[^`]+)``$")


def read_rules(path: str | Path) -> DocRules:
    """Rules of the document at ``path``; InputError when it cannot be read."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    if b"\0" in raw:
        raise InputError(f"{path}: not a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return rules_from_text(text, p.name)


def rules_from_text(text: str, file: str = "<rst>") -> DocRules:
    out = DocRules()
    for sec in read_sections(text):
        ref = _REF_TITLE.match(sec.title)
        if ref and any(b.kind == "field" and b.name.lower() == "type" for b in sec.blocks):
            _reference(sec, ref["name"], file, out)
            continue
        rules, unparsed, count = _prose(sec, file)
        if rules:
            out.rules += rules
            out.unparsed += unparsed
        elif count:
            out.skipped.append((sec.title, sec.line, sec.end, count))
    return out


def _prose(sec: Section, file: str):
    ctx = Context()
    rules, unparsed, count = [], [], 0
    for block in sec.blocks:
        if block.kind == "table":
            unparsed.append(Unparsed(block.text[:200], file, block.line, sec.title))
            count += 1
            continue
        if block.kind == "para" and block.text.endswith(":") and not block.text.endswith("::") \
                and len(block.text) < 100:
            ctx.heading = block.text               # "On x86:", "For SRCU:"
            continue
        if block.kind == "para":
            ctx.heading = ""                       # a paragraph ends the list a heading led
        count += _sentences(block, ctx, file, sec.title, rules, unparsed)
    return rules, unparsed, count


def _sentences(block: Block, ctx: Context, file: str, title: str, rules: list, unparsed: list) -> int:
    pieces = split_sentences(block.text)
    for offset, sentence in pieces:
        line = block.line_at(offset)
        got = parse_sentence(sentence, ctx, file, line)
        if got:
            rules += got
        elif normalise(sentence).rstrip(":"):
            unparsed.append(Unparsed(normalise(sentence), file, line, title))
    return len(pieces)


def _reference(sec: Section, name: str, file: str, out: DocRules) -> None:
    out.reference.append(name)
    ctx = Context(heading=f"reference entry {name}", last_subject=name)
    arch = next((b.text for b in sec.blocks if b.kind == "field" and b.name.lower() == "arch"), "")
    for b in sec.blocks:
        field = b.name.lower()
        if field == "type":
            kinds = _types(normalise(b.text))
            if kinds:
                heading = f"reference entry (Arch: {arch})" if arch else "reference entry"
                out.rules.append(Rule("type", name, "", kinds, file, b.line, f":Type: {b.text}", heading))
            else:
                out.unparsed.append(Unparsed(f":Type: {b.text} (unknown type)", file, b.line, sec.title))
        elif field == "comment" or b.kind != "field":
            _sentences(b, ctx, file, sec.title, out.rules, out.unparsed)
        else:
            out.unchecked_fields[b.name] = out.unchecked_fields.get(b.name, 0) + 1
