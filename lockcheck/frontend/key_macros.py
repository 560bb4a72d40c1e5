"""Init macros that declare a lock class key of their own.

lockdep keys a lock by a ``static struct lock_class_key``; a macro that
declares one in its body and hands it to a class annotation gives every
place it is used its own key::

    #define fs_state_init_map(owner, name, state)                       \\
        do {                                                            \\
            static struct lock_class_key name##_key;                    \\
            lockdep_init_map(&owner->state_map[state], #name,           \\
                             &name##_key, 0);                           \\
        } while (0)

Such a macro usually builds its key's name or the lock's name with
``##``/``#``, which :mod:`lockcheck.frontend.macros` leaves alone; read
as a call, the annotation inside it would be lost and the elements it
keys one class.  These macros are expanded (the key becomes a static
local of the function using the macro, named after the line of the use
so that two uses in one function are two keys, as two block-scope
statics are: :mod:`lockcheck.analysis.class_notes`), with ``#`` and
``##`` applied as the preprocessor does on plain tokens.  Lock primitives and the
annotations themselves (``mutex_init()``: ``[init]`` of classes.toml) are
never expanded: the model defines them.
"""

from __future__ import annotations

from lockcheck.frontend.lexer import Token, bind_arguments, tokenize

__all__ = ["key_macro_names", "paste"]

#: Longest body of a key macro expanded.
MAX_KEY_MACRO_CHARS = 600


def key_macro_names(defs, annotations: frozenset[str], never: frozenset[str]) -> dict[str, object]:
    """Macro name -> its definition, for the function-like macros (first
    definition wins) whose body declares a ``static struct
    lock_class_key`` and calls one of ``annotations``; none of ``never``."""
    out: dict[str, object] = {}
    seen: set[str] = set()
    if not annotations:
        return out
    for d in defs:
        if d.params is None or d.name in seen:
            continue
        seen.add(d.name)
        if d.name in never or d.name in annotations or len(d.body) > MAX_KEY_MACRO_CHARS \
                or "lock_class_key" not in d.body:
            continue
        texts = [t.text for t in tokenize(d.body)]
        declares = any(texts[k:k + 3] == ["static", "struct", "lock_class_key"] for k in range(len(texts)))
        calls = any(t in annotations and k + 1 < len(texts) and texts[k + 1] == "("
                    for k, t in enumerate(texts))
        statement_expression = any(a == "(" and b == "{" for a, b in zip(texts, texts[1:]))
        if declares and calls and not statement_expression and not {"return", "goto", "typeof"} & set(texts):
            out[d.name] = d
    return out


def paste(params: tuple[str, ...], body: tuple[Token, ...], arg_toks: list[Token], line: int) -> list[Token]:
    """``body`` with ``params`` bound to the call's arguments, ``#p`` made
    a string and ``a ## b`` one token, as the preprocessor does."""
    binding = bind_arguments(params, arg_toks, line)
    out: list[Token] = []
    toks = list(body)
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.text == "#" and i + 1 < len(toks) and toks[i + 1].text in binding:
            text = " ".join(a.text for a in binding[toks[i + 1].text])
            out.append(Token("str", '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"', line))
            i += 2
            continue
        if t.text == "##" and out and i + 1 < len(toks):
            right = toks[i + 1]
            right_toks = binding.get(right.text, [right]) if right.kind == "id" else [right]
            left = out.pop()
            first = right_toks[0].text if right_toks else ""
            kind = "id" if (left.text + first)[:1].isalpha() or (left.text + first)[:1] == "_" else left.kind
            out.append(Token(kind, left.text + first, line))
            out += [Token(a.kind, a.text, line) for a in right_toks[1:]]
            i += 2
            continue
        if t.kind == "id" and t.text in binding:
            nxt = toks[i + 1].text if i + 1 < len(toks) else ""
            bound = binding[t.text]
            if nxt == "##":     # an operand of ## is not expanded: its tokens as given
                out += [Token(a.kind, a.text, line) for a in bound] or [Token("id", "", line)]
            else:
                out += [Token(a.kind, a.text, line) for a in bound]
        else:
            out.append(Token(t.kind, t.text, line))
        i += 1
    return _own_keys([t for t in out if t.text], line)


def _own_keys(toks: list[Token], line: int) -> list[Token]:
    """Each expansion's key a name of its own (``__key`` → ``__key__l42``):
    two uses in one function are two block-scope statics, two keys."""
    texts = [t.text for t in toks]
    keys = {texts[k + 3] for k in range(len(texts) - 3)
            if texts[k:k + 3] == ["static", "struct", "lock_class_key"] and toks[k + 3].kind == "id"}
    return [Token(t.kind, f"{t.text}__l{line}", t.line) if t.kind == "id" and t.text in keys else t for t in toks]
