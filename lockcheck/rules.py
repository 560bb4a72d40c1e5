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
SINGLE_DEPTH_NESTING)`, or give the class the order with
`lock_set_cmp_fn(&x->lock, cmp_fn, NULL)` (lockdep then allows the nesting
when `cmp_fn(held, next) < 0`, and so does this rule: a class with a
comparison function is never reported); or restructure so one lock is
dropped first.

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

LC301 = Rule(
    "LC301", "InconsistentIrqLockState", "irq-inconsistent",
    "inconsistent lock state: a lock taken in an interrupt is also taken with that interrupt enabled",
    """
## What it does
Finds the functions that run in interrupt context (handlers passed to
`request_irq()` and friends run in hardirq; timers, tasklets, RCU callbacks
and NAPI polls in softirq; a threaded handler runs in process context) and
tracks, per lock class, lockdep's usage states: used in hardirq/softirq,
taken with hardirqs/softirqs enabled, reads and writes apart.  A class both
used in an interrupt and taken elsewhere with that interrupt enabled is
reported as lockdep's `inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W}
usage`, with the call chain that made each state.

## Why is this bad?
The CPU holding the lock with interrupts enabled can be interrupted; the
handler then spins on the lock its own CPU holds, forever.

## Example
```c
static irqreturn_t dev_irq(int irq, void *data)
{
        struct dev *d = data;
        spin_lock(&d->lock);            /* {IN-HARDIRQ-W} */
        ...
}

void dev_reset(struct dev *d)
{
        spin_lock(&d->lock);            /* LC301: {HARDIRQ-ON-W} */
        ...
}
```
Use instead: `spin_lock_irqsave(&d->lock, flags)` outside the handler (or
`spin_lock_bh()` against a softirq user).

## Notes
States are relative to where code is entered: a function no scanned code
calls is assumed to run in process context with interrupts enabled (the
report says so).  Two read acquisitions never conflict.  Interrupt
contexts and the disabling primitives are model rows
(`model/data/contexts.toml`: `[[callback]]` hardirq/softirq, `[irq]`).

## References
- Documentation/locking/lockdep-design.rst, "Lock usage states"
- kernel/locking/lockdep.c, print_usage_bug()
""")

LC302 = Rule(
    "LC302", "IrqSafeToIrqUnsafeOrder", "irq-unsafe-order",
    "an irq-safe lock is held while an irq-unsafe lock is taken",
    """
## What it does
Reports a lock-order edge A --> B where A is irq-safe (taken in a hardirq
or softirq handler) and B is irq-unsafe (taken somewhere with that
interrupt enabled), with the edge's witness and both usage witnesses, as
lockdep's "HARDIRQ-safe -> HARDIRQ-unsafe lock order detected".

## Why is this bad?
CPU0 holds B with interrupts on; CPU1 disables interrupts, takes A and
waits for B; an interrupt on CPU0 runs the handler, which waits for A.
Neither CPU can proceed.  lockdep's "possible irq lock inversion
dependency" is the same rule found from the other side.

## Example
```c
static irqreturn_t dev_irq(int irq, void *data)
{
        spin_lock(&dev->irq_lock);      /* irq_lock is HARDIRQ-safe */
        ...
}

void dev_config(struct dev *dev)
{
        spin_lock(&dev->cfg_lock);      /* cfg_lock is HARDIRQ-unsafe */
        ...
}

void dev_update(struct dev *dev)
{
        spin_lock_irqsave(&dev->irq_lock, flags);
        dev_config(dev);                /* LC302: irq_lock --> cfg_lock */
        ...
}
```
Use instead: make B irq-safe too (`spin_lock_irqsave()` everywhere it is
taken), or do not take B under A.

## Notes
Only direct edges are checked (A held while B is taken); lockdep also
follows paths of several edges.  As lockdep's check_irq_usage(): a
read-safe A held for reading conflicts only with a write-unsafe B; a B
taken by a recursive read (an rwlock read in interrupt context or with
bottom halves off; elsewhere rwlock reads are plain reads) conflicts only
as write-unsafe; with A held exclusively and B a plain acquisition, read
usages conflict too.

## References
- Documentation/locking/lockdep-design.rst, "Single-lock state rules" and
  "Multi-lock dependency rules"
- kernel/locking/lockdep.c, check_irq_usage(), print_bad_irq_dependency()
""")

RULES: tuple[Rule, ...] = (LC101, LC102, LC103, LC301, LC302)


def by_code(code: str) -> Rule | None:
    return next((r for r in RULES if r.code == code.upper()), None)


def by_kind(kind: str) -> Rule:
    return next(r for r in RULES if r.kind == kind)
