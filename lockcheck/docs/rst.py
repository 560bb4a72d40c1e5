"""Just enough reStructuredText to find the sentences a locking document
states rules in.

Why not docutils: the kernel's locking.rst uses Sphinx-only roles and
directives, and the checker needs *line numbers per sentence* and the raw
text of every block (so nothing the parser skips goes unreported), not a
rendered tree.  Section titles, bullets, enumerations, field lists,
paragraphs, literal blocks and grid tables are recognised; everything else
is a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Block", "Section", "read_sections"]

_ADORN = re.compile(r"^([=\-^~\"'`#*+.:_])\1{2,}\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d+[.)]|#\.)\s+(\S.*)$")
_FIELD = re.compile(r"^:([A-Za-z][\w -]*):\s*(.*)$")


@dataclass(frozen=True)
class Block:
    kind: str                  # para | bullet | field | table
    text: str                  # lines joined by single spaces
    line: int                  # 1-based line of the first text line
    offsets: tuple[int, ...]   # text offset where each source line starts
    name: str = ""             # field name for kind == "field"

    def line_at(self, offset: int) -> int:
        """Source line of the character at ``offset`` in :attr:`text`."""
        n = 0
        for i, start in enumerate(self.offsets):
            if start <= offset:
                n = i
        return self.line + n


@dataclass
class Section:
    title: str
    line: int
    level: int
    end: int = 0
    blocks: list[Block] = field(default_factory=list)


def read_sections(text: str) -> list[Section]:
    """Sections in document order, each with its own blocks (not its
    subsections'); text before the first title is a section titled ''."""
    lines = text.splitlines()
    levels: list[str] = []
    sections = [Section("", 1, 0)]
    i = 0
    while i < len(lines):
        title = _title_at(lines, i)
        if title is not None:
            char, consumed = title
            if char not in levels:
                levels.append(char)
            sections[-1].end = i
            sections.append(Section(lines[i].strip() if not _ADORN.match(lines[i]) else lines[i + 1].strip(),
                                    i + 1 + (1 if _ADORN.match(lines[i]) else 0), levels.index(char) + 1))
            i += consumed
            continue
        i = _read_block(lines, i, sections[-1].blocks)
    sections[-1].end = len(lines)
    return [s for s in sections if s.title or s.blocks]


def _title_at(lines: list[str], i: int):
    """(adornment char, lines consumed) when a title starts at line i."""
    cur = lines[i]
    if _ADORN.match(cur) and i + 2 < len(lines) and lines[i + 1].strip() and _ADORN.match(lines[i + 2]):
        return cur.strip()[0] + "o", 3                    # over- and underlined
    if cur.strip() and not cur[0].isspace() and i + 1 < len(lines):
        under = lines[i + 1]
        if _ADORN.match(under) and len(under.rstrip()) >= len(cur.rstrip()) and not _ADORN.match(cur):
            return under.strip()[0], 2
    return None


def _read_block(lines: list[str], i: int, out: list[Block]) -> int:
    """Append the block starting at line i; return the next line to read."""
    line = lines[i]
    if not line.strip():
        return i + 1
    if line.startswith(".. ") and not line.rstrip().endswith("::"):   # comment
        return _skip_literal(lines, i + 1, 0)
    if line.lstrip().startswith(("+-", "+=", "|")):             # grid table
        j = i
        while j < len(lines) and lines[j].lstrip().startswith(("+", "|")):
            j += 1
        out.append(Block("table", " ".join(l.strip() for l in lines[i:j]), i + 1, (0,)))
        return j
    m_field = _FIELD.match(line)
    m_bullet = _BULLET.match(line)
    if m_field:
        kind, name, first, indent = "field", m_field.group(1), m_field.group(2), 1
    elif m_bullet:
        kind, name, first, indent = "bullet", "", m_bullet.group(2), len(m_bullet.group(1)) + 1
    else:
        kind, name, first, indent = "para", "", line.strip(), -1
    parts, j = [first], i + 1
    while j < len(lines) and lines[j].strip():
        nxt = lines[j]
        if kind != "para":
            # a continuation is indented past the marker; a new item is not
            if not nxt[0].isspace() or _FIELD.match(nxt) or (_BULLET.match(nxt) and
                                                              len(_BULLET.match(nxt).group(1)) < indent):
                break
        elif _BULLET.match(nxt) and not nxt[0].isspace():
            break
        parts.append(nxt.strip())
        j += 1
    text, offsets = _join(parts)
    out.append(Block(kind, text, i + 1, offsets, name))
    if text.endswith("::"):
        j = _skip_literal(lines, j, _indent(line))
    return j


def _join(parts: list[str]) -> tuple[str, tuple[int, ...]]:
    offsets, pos = [], 0
    for p in parts:
        offsets.append(pos)
        pos += len(p) + 1
    return " ".join(parts), tuple(offsets)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _skip_literal(lines: list[str], j: int, base: int) -> int:
    """A literal block (after ``::``) is code, not prose: skip it."""
    while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > base):
        j += 1
    return j
