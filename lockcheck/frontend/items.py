"""Split a token stream into top-level items so one bad function never
loses the rest of the file.

An item is a function definition (header tokens plus a brace body), or any
other top-level declaration.  A file-scope macro call with no ``;``
(``DEFINE_LOCK_GUARD_1(...)``, ``EXPORT_SYMBOL(x)`` lines without a
semicolon, ``static DEF_SCSI_QCMD(q)``) ends an item by itself; otherwise it would swallow the next
function.
"""

from __future__ import annotations

from dataclasses import dataclass

from lockcheck.frontend.lexer import Token, match_close

__all__ = ["Item", "split_items"]

_TAG_KEYWORDS = {"struct", "union", "enum"}
_C_KEYWORDS = frozenset("""auto break case char const continue default do double else enum
extern float for goto if inline int long register restrict return short signed sizeof static
struct switch typedef union unsigned void volatile while _Bool _Complex _Static_assert""".split())


@dataclass(frozen=True)
class Item:
    kind: str  # "function" | "declaration"
    tokens: tuple[Token, ...]

    @property
    def line(self) -> int:
        return self.tokens[0].line if self.tokens else 0


def split_items(toks: list[Token]) -> list[Item]:
    items: list[Item] = []
    start = i = depth = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        if i == start and _is_unterminated_macro_call(toks, _after_storage_class(toks, i)):
            end = match_close(toks, _after_storage_class(toks, i) + 1)
            items.append(Item("declaration", tuple(toks[start:end + 1])))
            start = i = end + 1
            continue
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif t.text == ";" and depth <= 0:
            items.append(Item("declaration", tuple(toks[start:i + 1])))
            start, depth = i + 1, 0
        elif t.text == "{" and depth <= 0:
            end = match_close(toks, i)
            if _starts_function_body(toks, start, i):
                items.append(Item("function", tuple(toks[start:end + 1])))
                start, i, depth = end + 1, end + 1, 0
                continue
            i = end
        i += 1
    if start < n:
        items.append(Item("declaration", tuple(toks[start:])))
    return items


def _after_storage_class(toks: list[Token], i: int) -> int:
    """The token after a leading ``static``: ``static DEF_SCSI_QCMD(q)``
    is a macro call defining a function as much as ``DEF_SCSI_QCMD(q)`` is
    (no function declarator starts ``static NAME(`` in the kernel: a
    return type comes first), and without its own ``;`` it would swallow
    the next function (its header read as K&R parameter declarations)."""
    return i + 1 if toks[i].text == "static" and i + 1 < len(toks) else i


def _is_unterminated_macro_call(toks: list[Token], i: int) -> bool:
    """``NAME(...)`` at item start, with the next token on a later line
    beginning a new item (an identifier), and no ``;``/``{``/``=`` after."""
    if toks[i].kind != "id" or toks[i].text in _C_KEYWORDS:
        return False
    if i + 1 >= len(toks) or toks[i + 1].text != "(":
        return False
    end = match_close(toks, i + 1)
    if end + 1 >= len(toks):
        return True
    nxt = toks[end + 1]
    if nxt.line <= toks[end].line or nxt.kind != "id":
        return False
    # `NAME(args)\n{` is a function header (SYSCALL_DEFINE...), and
    # `NAME(args)\n__attribute__...` still belongs to the same item.
    return not nxt.text.startswith("__") and nxt.text not in ("const", "volatile")


def _starts_function_body(toks: list[Token], start: int, brace: int) -> bool:
    head = toks[start:brace]
    if not head:
        return False
    texts = [t.text for t in head]
    if "=" in texts or texts[0] == "typedef":
        return False
    if brace + 1 < len(toks) and toks[brace + 1].text in (".", "["):
        # `define_machine(x) { .name = ... }`: a designated initialiser of a
        # macro-declared variable; no statement starts with `.` or `[`.
        return False
    prev = head[-1]
    if prev.text in _TAG_KEYWORDS or (len(head) > 1 and head[-2].text in _TAG_KEYWORDS):
        return False
    return "(" in texts and (prev.text == ")" or prev.kind == "id")
