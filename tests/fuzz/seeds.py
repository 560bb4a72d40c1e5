"""Seed inputs for the fuzzers: kernel-looking C written for these tests
(not copied from the kernel), patches, and the TOML the readers take."""

from __future__ import annotations

FUNCTIONS = [
    """static int widget_attach(struct widget_dev *wd, struct widget *w)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&wd->lock, flags);
	if (w->state != WIDGET_IDLE) {
		ret = -EBUSY;
		goto out_unlock;
	}
	list_add_tail(&w->node, &wd->widgets);
	wd->nr_widgets++;
out_unlock:
	spin_unlock_irqrestore(&wd->lock, flags);
	return ret;
}
""",
    """static void gizmo_flush(struct gizmo *g)
{
	struct gizmo_req *req, *tmp;

	mutex_lock(&g->cfg_mutex);
	mutex_lock_nested(&g->queue_mutex, SINGLE_DEPTH_NESTING);
	list_for_each_entry_safe(req, tmp, &g->queue, list) {
		list_del(&req->list);
		kfree(req);
	}
	mutex_unlock(&g->queue_mutex);
	mutex_unlock(&g->cfg_mutex);
}
""",
    """#define GIZMO_LOCK(g)	write_lock(&(g)->map_lock)
#define GIZMO_UNLOCK(g)	write_unlock(&(g)->map_lock)

int gizmo_remap(struct gizmo *g, u64 start, u64 end)
{
	int i;

	GIZMO_LOCK(g);
	for (i = 0; i < g->nr_slots; i++) {
		switch (g->slot[i].kind) {
		case SLOT_RAM:
			g->slot[i].base = start + i * PAGE_SIZE;
			break;
		case SLOT_MMIO:
		default:
			continue;
		}
	}
	GIZMO_UNLOCK(g);
	return 0;
}
""",
    """static long frob_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct frob *f = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r = -EINVAL;

	guard(mutex)(&f->ioctl_lock);
	rcu_read_lock();
	if (unlikely(!READ_ONCE(f->ready))) {
		rcu_read_unlock();
		return -ENODEV;
	}
	rcu_read_unlock();
	scoped_guard(spinlock_irq, &f->stat_lock) {
		f->stats.calls++;
	}
	if (copy_from_user(&f->req, argp, sizeof(f->req)))
		r = -EFAULT;
	return r;
}
""",
    """#ifdef CONFIG_FROB_DEBUG
#define frob_dbg(fmt, ...) pr_debug("frob: " fmt, ##__VA_ARGS__)
#else
#define frob_dbg(fmt, ...) do { } while (0)
#endif

static void frob_work_fn(struct work_struct *work)
{
	struct frob *f = container_of(work, struct frob, work);
	int cpu;

	down_read(&f->sem);
	for_each_online_cpu(cpu) {
		struct frob_pcpu *p = per_cpu_ptr(f->pcpu, cpu);

		raw_spin_lock(&p->lock);
		p->pending = ({ int __v = p->queued; p->queued = 0; __v; });
		raw_spin_unlock(&p->lock);
	}
	frob_dbg("flushed %d\\n", f->id);
	up_read(&f->sem);
}
""",
    """static int __init twiddle_init(void)
{
	static const struct twiddle_ops ops = {
		.start = twiddle_start,
		.stop = twiddle_stop,
	};
	struct twiddle *t __free(kfree) = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	t->ops = &ops;
	local_irq_disable();
	preempt_disable();
	t->ops->start(t);
	preempt_enable();
	local_irq_enable();
	return twiddle_register(no_free_ptr(t)) ?: 0;
}
""",
]

#: Fragments a mutation inserts: preprocessor lines, macro soup, stray
#: syntax, GNU extensions, lock calls.
SOUP = [
    "{", "}", "(", ")", ";", ",", "[", "]", "\n#if CONFIG_X\n", "\n#else\n", "\n#endif\n", "\n#elif 0\n",
    "\n#define LOCK(x) spin_lock(&(x)->lock)\n", "\n#define SELF SELF\n", "\n#define R(a) R(a) + R(a)\n",
    "\n#define P(a) mutex_lock(a a a a)\n", "\n#undef LOCK\n", "LOCK(", "P(", "SELF", "R(1)",
    "__acquires(x)", "__releases(x)", "({", "})", "do {", "} while (0)", "__attribute__((unused))",
    "\\\n", "/*", "*/", "//", '"', "'", "'\\0'", '"\\"', "#", "##", "...", "->", ".", "?:",
    "spin_lock(&a->lock);", "spin_unlock(&a->lock);", "mutex_lock(&m);", "goto out;", "out:",
    "static inline", "struct x {", "typedef int t;", "asm volatile(\"\" ::: \"memory\");",
    "[[fallthrough]];", "0x1ULL", "1e", "L\"wide\"", "\t", "\r\n", "\x00", "\ufeff", "é",
    "\n#include \"../../x.h\"\n", "\n#include <linux/spinlock.h>\n", "if (", "else", "switch (x) {",
    "case 1:", "default:", "sizeof(", "typeof(", "__VA_ARGS__", "#pragma once", "_Static_assert(1, \"\");",
]

PATCH = """diff --git a/drivers/frob/core.c b/drivers/frob/core.c
index 1111111..2222222 100644
--- a/drivers/frob/core.c
+++ b/drivers/frob/core.c
@@ -10,7 +10,8 @@ static void frob_flush(struct frob *f)
 {
 	mutex_lock(&f->a);
-	mutex_lock(&f->b);
+	spin_lock(&f->c);
+	mutex_lock(&f->b);
 	mutex_unlock(&f->b);
 	mutex_unlock(&f->a);
 }
"""

MBOX = """From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: A Developer <dev@example.org>
Date: Mon, 1 Jan 2024 00:00:00 +0000
Subject: [PATCH 1/2] frob: take c before b

Take the spinlock first.

Signed-off-by: A Developer <dev@example.org>
---
 drivers/frob/core.c | 3 ++-
 1 file changed, 2 insertions(+), 1 deletion(-)

""" + PATCH + """--
2.43.0

From 89abcdef0123456789abcdef0123456789abcdef Mon Sep 17 00:00:00 2001
From: A Developer <dev@example.org>
Subject: [PATCH 2/2] frob: nothing

---
""" + PATCH.replace("frob_flush", "frob_sync") + "--\n2.43.0\n"

CONFIG = """# .lockcheck.toml
[[suppress]]
locks = ["frob.a", "frob.b"]
reason = "a and b are never taken on the same frob"

[[suppress]]
edge = ["gizmo.cfg_mutex", "gizmo.queue_mutex"]
reason = "nested by design"
"""

BASELINE_TOML = """version = 1

[[cycle]]
id = "c1a2b3"
kind = "circular"
locks = ["frob.a", "frob.b"]
reason = ""

[[cycle]]
id = "d4e5f6"
kind = "recursive"
locks = ["gizmo.lock"]
reason = "known"
"""

BASELINE_JSON = """{"version": 1, "cycle": [{"id": "c1a2b3", "kind": "circular", "locks": ["frob.a", "frob.b"]},
 {"id": "x", "locks": ["gizmo.lock"], "reason": ""}]}
"""

MODEL = """[primitives]
[[primitives.primitive]]
names = ["frob_lock"]
action = "acquire"
mode = "exclusive"
kind = "lock"

[[primitives.primitive]]
names = ["frob_unlock"]
action = "release"

[frontend]
annotations = ["__frobbed"]
renames = { "__frob_inline" = "inline" }

[[frontend.function_header_macros]]
pattern = "^FROB_DEFINE\\\\d$"
prefix = "frob_"
returns = "long"

[contexts.static_calls]
frob_call = ["frob_impl"]

[analysis]
noreturn = ["frob_panic"]
transparent_calls = ["frob_wrap"]
"""

TOML_SOUP = ["[", "]", "[[", "]]", "=", "\"", "'", "\"\"\"", ",", "{", "}", "\n", "#", "1", "true",
             "-1.5e3", "1979-05-27T07:32:00Z", "[primitives]", "[frontend]", "[[suppress]]", "[[cycle]]",
             "[analysis]", "[contexts]", "locks = []", "locks = [1]", "reason = \"\"", "edge = [\"a\"]",
             "names = \"x\"", "action = \"acquire\"", "mode = \"weird\"", "pattern = \"(\"", "cycle = 3",
             "version = \"x\"", "\\u0000", "\ud7ff", "key.dotted = 1", "= =", "null"]

DIFF_SOUP = ["\n", "+", "-", " ", "@@ -1,3 +1,4 @@", "@@", "--- a/x.c", "+++ b/x.c", "--- /dev/null",
             "diff --git a/x.c b/x.c", "From ", "\nFrom x Mon Sep 17 00:00:00 2001\n", "Subject: ",
             "rename from a.c\nrename to b.c\n", "GIT binary patch\nliteral 0\n", "\\ No newline at end of file",
             "index 0000000..1111111 100644", "../../etc/passwd", "\x00", "\r\n", "=?utf-8?q?x?=", "---\n"]
