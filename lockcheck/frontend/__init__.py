"""Front end: read kernel C as it sits in a tree, normalise it, parse it.

Stages, each its own module: ``source`` (read a file safely) → ``lexer``
(comments, tokens with source lines) → ``conditionals`` (``#if`` policy,
``#define``/``#include`` harvest) → ``items`` (top-level split) →
``normalize`` (kernel-isms to plain C) → ``parse`` (pycparser with a retry
chain).  ``treefacts`` harvests type facts and macros from headers,
``macros`` expands lock-relevant macros, ``filescope`` reads lock
definitions and ops tables.
"""
