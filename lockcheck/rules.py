"""The finding kinds lockcheck reports, one entry each, with ruff-style docs.

Codes come from one table: ``LC1xx`` lock ordering, ``LC2xx`` balance,
``LC3xx`` context (the last two are reserved).  The SARIF report embeds
these docs as rule help, and ``lockcheck rules [CODE]`` prints them, so the
text a code-scanning UI shows and the text a terminal shows are one.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Rule", "RULES", "by_code", "by_kind"]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str          # PascalCase, SARIF reportingDescriptor.name
    kind: str          # Finding.kind it describes
    summary: str
    docs: str          # Markdown with fixed headings

    def section(self, heading: str) -> str:
        """The body of one ``## heading`` section, as one paragraph."""
        parts = self.docs.split("\n## ")
        for part in parts[1:]:
            title, _, body = part.partition("\n")
            if title.strip() == heading:
                return " ".join(body.split())
        return ""

    def help_text(self) -> str:
        return f"{self.code} {self.name}: {self.summary}\n\n{self.docs.strip()}\n"


LC101 = Rule(
    "LC101", "CircularLockingDependency", "circular",
    "possible circular locking dependency (ABBA deadlock)",
    """
## What it does
Builds lockdep's graph of lock classes statically: taking lock B while
holding lock A (directly or through any chain of calls) adds the edge
A --> B.  A cycle A --> B --> ... --> A is reported with a witness call
chain for every edge, the acquisition that closes it, and lockdep's
"possible unsafe locking scenario".

## Why is this bad?
If two (or more) tasks each take the locks of the cycle in their own order,
each can end up holding one lock while waiting for the next, forever: a
deadlock.  lockdep reports the same thing at run time, but only for the
paths a test actually executes; the static check covers every path it can
see, including rare ones like CPU hotplug racing a module parameter write.

## Example
```c
static DEFINE_MUTEX(a_lock);
static DEFINE_MUTEX(b_lock);

void one(void) { mutex_lock(&a_lock); mutex_lock(&b_lock); /* ... */ }
void two(void) { mutex_lock(&b_lock); mutex_lock(&a_lock); /* ... */ }
```
Use instead: agree on one order (document it next to the lock
definitions), or drop the first lock before taking the second, or take the
second outside the first (often by moving a call out of the critical
section).

## Notes
Lock *classes*, not instances: `&kvm->slots_lock` stands for the
slots_lock of every VM, exactly as in lockdep.  A cycle whose edges hold
different instances of a per-object class may be a false positive; such
cycles rank lower.  Reads follow lockdep's rules (rwsem readers are not
recursive; rwlock readers are; SRCU `synchronize_srcu()` is "sync").

## References
- Documentation/locking/lockdep-design.rst
- kernel/locking/lockdep.c, print_circular_bug()
""")

LC102 = Rule(
    "LC102", "RecursiveLocking", "recursive",
    "possible recursive locking (a lock class taken while already held)",
    """
## What it does
Reports a lock class acquired while a lock of the same class is already
held on the same path, with no nesting annotation (subclass) telling the
two acquisitions apart.

## Why is this bad?
For a non-recursive lock (mutex, spinlock, rwsem writer) taking the same
instance twice deadlocks the task against itself at once.  Taking two
*different* instances of one class (a parent and a child inode, two
runqueues) is legitimate only with a fixed order that lockdep is told
about; without it lockdep reports this same warning at run time.

## Example
```c
void move(struct node *from, struct node *to)
{
        mutex_lock(&from->lock);
        mutex_lock(&to->lock);          /* LC102: same class */
}
```
Use instead: order the two instances (by address, or parent before child)
and annotate the inner one: `mutex_lock_nested(&to->lock,
SINGLE_DEPTH_NESTING)`; or restructure so one lock is dropped first.

## References
- Documentation/locking/lockdep-design.rst, "Exception: Nested data
  dependencies leading to nested locking"
- kernel/locking/lockdep.c, print_deadlock_bug()
""")

LC103 = Rule(
    "LC103", "HeldDespiteAssertNotHeld", "assert-not-held",
    "a lock is held on a path into code that asserts it is not held",
    """
## What it does
Reports a call chain that reaches `lockdep_assert_not_held(&x)` while `x`
is held, taken by a caller somewhere up the chain.

## Why is this bad?
The assertion documents that the function may take `x` itself, sleep, or
wait for something that needs `x`; reaching it with `x` held is the
self-deadlock the author guarded against, and lockdep warns at run time.

## Example
```c
static void flush_all(struct dev *dev)
{
        lockdep_assert_not_held(&dev->lock);
        flush_work(&dev->work);            /* the work takes dev->lock */
}

void dev_stop(struct dev *dev)
{
        mutex_lock(&dev->lock);
        flush_all(dev);                    /* LC103 */
        mutex_unlock(&dev->lock);
}
```
Use instead: drop the lock before the call.

## References
- include/linux/lockdep.h, lockdep_assert_not_held()
""")

RULES: tuple[Rule, ...] = (LC101, LC102, LC103)


def by_code(code: str) -> Rule | None:
    return next((r for r in RULES if r.code == code.upper()), None)


def by_kind(kind: str) -> Rule:
    return next(r for r in RULES if r.kind == kind)
