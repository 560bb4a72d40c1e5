/*
 * Stub declarations so that every fixture under fixtures/ is valid C for
 * `gcc -fsyntax-only -include tests/fixture_stubs.h` (tests/test_fixtures.py).
 *
 * Only for that syntax check: lockcheck never sees this file.  It declares
 * what the tool knows by name (lock types, lock primitives, kernel macros);
 * data structures a fixture uses (struct kvm, struct static_key, ...) are
 * declared by the fixture itself, so they are NOT declared here.
 * Written for this project; not copied from the kernel.
 */
#ifndef LOCKCHECK_FIXTURE_STUBS_H
#define LOCKCHECK_FIXTURE_STUBS_H

#define NULL ((void *)0)
typedef _Bool bool;
#define true 1
#define false 0
typedef unsigned long size_t;
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef struct { int counter; } atomic_t;

#define EINTR 4
#define EIO 5
#define EAGAIN 11
#define ENOENT 2
#define ENODEV 19
#define ENOMEM 12
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define HZ 250

#define __lc_cat2(a, b) a##b
#define __lc_cat(a, b) __lc_cat2(a, b)
#define __lc_unique(p) __lc_cat(p, __COUNTER__)

#define offsetof(t, m) __builtin_offsetof(t, m)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define READ_ONCE(x) (x)
#define WRITE_ONCE(x, v) ((x) = (v))
#define likely(x) (x)
#define __releases(x)
#define __acquires(x)
#define unlikely(x) (x)

/* ---- lock types ---- */
struct mutex { int __owner; };
typedef struct { int __raw; } spinlock_t;
typedef struct { int __raw; } raw_spinlock_t;
typedef struct { int __raw; } rwlock_t;
struct rw_semaphore { int __count; };
struct percpu_rw_semaphore { int __count; };
struct srcu_struct { int __idx; };

#define DEFINE_MUTEX(name) struct mutex name = { 0 }
#define DEFINE_SPINLOCK(name) spinlock_t name = { 0 }
#define DEFINE_RAW_SPINLOCK(name) raw_spinlock_t name = { 0 }
#define DEFINE_RWLOCK(name) rwlock_t name = { 0 }
#define DECLARE_RWSEM(name) struct rw_semaphore name = { 0 }
#define DEFINE_SRCU(name) struct srcu_struct name = { 0 }
#define DEFINE_STATIC_SRCU(name) static struct srcu_struct name = { 0 }
#define DEFINE_STATIC_PERCPU_RWSEM(name) \
	static struct percpu_rw_semaphore name = { 0 }

/* mutex */
void mutex_lock(struct mutex *lock);
void mutex_lock_nested(struct mutex *lock, unsigned int subclass);
int mutex_lock_interruptible(struct mutex *lock);
int mutex_lock_killable(struct mutex *lock);
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
void mutex_init(struct mutex *lock);
struct lock_class_key;
void __mutex_init(struct mutex *lock, const char *name, struct lock_class_key *key);

/* spinlock */
void spin_lock(spinlock_t *lock);
void spin_lock_nested(spinlock_t *lock, int subclass);
void spin_lock_irq(spinlock_t *lock);
void spin_lock_bh(spinlock_t *lock);
#define spin_lock_irqsave(lock, flags) ((void)(flags), spin_lock(lock))
int spin_trylock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
void spin_unlock_irq(spinlock_t *lock);
void spin_unlock_bh(spinlock_t *lock);
#define spin_unlock_irqrestore(lock, flags) ((void)(flags), spin_unlock(lock))

/* rwlock */
void read_lock(rwlock_t *lock);
void read_unlock(rwlock_t *lock);
void read_lock_bh(rwlock_t *lock);
void read_unlock_bh(rwlock_t *lock);
void write_lock(rwlock_t *lock);
void write_unlock(rwlock_t *lock);
void write_lock_irq(rwlock_t *lock);
void write_unlock_irq(rwlock_t *lock);

/* rw_semaphore */
void down_read(struct rw_semaphore *sem);
void up_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
void init_rwsem(struct rw_semaphore *sem);
int down_read_trylock(struct rw_semaphore *sem);
int down_read_killable(struct rw_semaphore *sem);
int down_write_trylock(struct rw_semaphore *sem);

/* percpu rwsem and CPU hotplug */
void percpu_down_read(struct percpu_rw_semaphore *sem);
void percpu_up_read(struct percpu_rw_semaphore *sem);
void percpu_down_write(struct percpu_rw_semaphore *sem);
void percpu_up_write(struct percpu_rw_semaphore *sem);
void cpus_read_lock(void);
void cpus_read_unlock(void);
void cpus_write_lock(void);
void cpus_write_unlock(void);
void lockdep_assert_cpus_held(void);

/* SRCU and RCU */
int srcu_read_lock(struct srcu_struct *ssp);
void srcu_read_unlock(struct srcu_struct *ssp, int idx);
void synchronize_srcu(struct srcu_struct *ssp);
void synchronize_srcu_expedited(struct srcu_struct *ssp);
void rcu_read_lock(void);
void rcu_read_unlock(void);

/* lockdep assertions */
#define lockdep_assert_held(l) ((void)(l))
#define lockdep_assert_not_held(l) ((void)(l))

/*
 * guard(mutex)(&x);  declares a variable initialised with the lock pointer.
 * scoped_guard(mutex, &x) { ... }  runs its body once.
 */
#define guard(_name) \
	void *__lc_unique(__lc_guard_) __attribute__((unused)) = __lc_guard_arg
/* guard(irq)(): a class without an argument (DEFINE_LOCK_GUARD_0) */
#define __lc_guard_arg(...) ((void *)(0, ##__VA_ARGS__))
#define scoped_guard(_name, ...) \
	for (void *__lc_scope = (void *)(__VA_ARGS__), *__lc_done = NULL; \
	     !__lc_done; __lc_done = (void *)1, (void)__lc_scope)

/* CLASS(name, var)(args);  declares var initialised with the arguments */
#define CLASS(_name, var) \
	void *var __attribute__((unused)) = __lc_guard_arg

/* guard classes a fixture defines itself (cleanup.h): nothing to compile */
#define DEFINE_GUARD(_name, _type, _lock, _unlock)
#define DEFINE_LOCK_GUARD_0(_name, _lock, _unlock, ...)
#define DEFINE_LOCK_GUARD_1(_name, _type, _lock, _unlock, ...)

/* static keys: the structs are the fixture's own (jump_label.h) */
#define DEFINE_STATIC_KEY_FALSE(name) struct static_key_false name = { }
#define DEFINE_STATIC_KEY_TRUE(name) struct static_key_true name = { }
bool static_branch_unlikely(const void *key);
bool static_branch_likely(const void *key);

/*
 * Static calls.  kvm_x86_call(set_msr)(vcpu, msr) calls the function stored
 * in struct kvm_x86_ops field set_msr (the tool maps the wrapper by name);
 * for gcc it is a null pointer of that field's type, so the arguments are
 * type-checked against the fixture's own struct kvm_x86_ops.
 */
#define kvm_x86_call(func) \
	((__typeof__(((struct kvm_x86_ops *)0)->func))0)
#define kvm_pmu_call(func) \
	((__typeof__(((struct kvm_pmu_ops *)0)->func))0)

/* CPU hotplug states: the enum cpuhp_state values are the fixture's own */
int cpuhp_setup_state(int state, const char *name,
		      int (*startup)(unsigned int cpu),
		      int (*teardown)(unsigned int cpu));
int cpuhp_setup_state_nocalls(int state, const char *name,
			      int (*startup)(unsigned int cpu),
			      int (*teardown)(unsigned int cpu));
void cpuhp_remove_state(int state);

/* stop_machine: the function runs with interrupts disabled (fixtures/irq) */
struct cpumask;
typedef int (*cpu_stop_fn_t)(void *arg);
int stop_machine(cpu_stop_fn_t fn, void *data, const struct cpumask *cpus);
int stop_machine_cpuslocked(cpu_stop_fn_t fn, void *data, const struct cpumask *cpus);
int stop_one_cpu(unsigned int cpu, cpu_stop_fn_t fn, void *arg);

/* workqueues */
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct { unsigned long data; work_func_t func; };
struct delayed_work { struct work_struct work; unsigned long timer; };
#define INIT_WORK(_work, _func) ((_work)->func = (_func))
#define INIT_DELAYED_WORK(_dwork, _func) ((_dwork)->work.func = (_func))
bool schedule_work(struct work_struct *work);
struct workqueue_struct;
extern struct workqueue_struct *system_bh_wq;
extern struct workqueue_struct *system_wq;
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool flush_work(struct work_struct *work);
bool cancel_work_sync(struct work_struct *work);
struct work_struct *current_work(void);

#define BUG_ON(condition) ((void)(condition))

/* include/linux/kconfig.h: enough for the syntax check */
#define IS_ENABLED(option) 0
bool flush_delayed_work(struct delayed_work *dwork);
bool cancel_delayed_work_sync(struct delayed_work *dwork);

/* bit operations */
int test_bit(long nr, const volatile unsigned long *addr);
void set_bit(long nr, volatile unsigned long *addr);
void __set_bit(long nr, volatile unsigned long *addr);
void clear_bit(long nr, volatile unsigned long *addr);
void __clear_bit(long nr, volatile unsigned long *addr);

/* lists */
struct list_head { struct list_head *next, *prev; };
#define LIST_HEAD(name) struct list_head name = { &(name), &(name) }
void list_add(struct list_head *entry, struct list_head *head);
void list_add_tail(struct list_head *entry, struct list_head *head);
void list_del(struct list_head *entry);
void list_del_init(struct list_head *entry);
int list_empty(const struct list_head *head);
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each_entry(pos, head, member) \
	for (pos = list_entry((head)->next, __typeof__(*pos), member); \
	     &pos->member != (head); \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

/* misc kernel helpers fixtures may call */
void schedule(void);
void cond_resched(void);
void might_sleep(void);
void *kzalloc(size_t size, unsigned int flags);
void kfree(const void *p);
#define GFP_KERNEL 0u
#define WARN_ON(x) (x)
#define WARN_ON_ONCE(x) (x)
/* tests of a lock's state (model/data/analysis.toml held_tests) */
int mutex_is_locked(struct mutex *lock);
int spin_is_locked(spinlock_t *lock);
int lockdep_is_held(const void *lock);
int in_interrupt(void);
/* tests of the interrupt state (model/data/contexts.toml [irq.state_tests]) */
int irqs_disabled(void);
int in_hardirq(void);
int in_softirq(void);
int in_serving_softirq(void);
int in_task(void);

/* semaphores and lockdep class annotations (lockcheck.analysis.classes) */
struct semaphore { int __count; };
struct lockdep_map { int __key; };
struct lock_class_key { int __key; };
void down(struct semaphore *sem);
void up(struct semaphore *sem);
void sema_init(struct semaphore *sem, int val);
typedef struct { int __slock; } arch_spinlock_t;
#define __ARCH_SPIN_LOCK_UNLOCKED { 0 }
void arch_spin_lock(arch_spinlock_t *lock);
void arch_spin_unlock(arch_spinlock_t *lock);
void raw_spin_lock(raw_spinlock_t *lock);
void raw_spin_unlock(raw_spinlock_t *lock);
void spin_lock_init(spinlock_t *lock);
void mutex_acquire(struct lockdep_map *map, unsigned int subclass, int trylock, unsigned long ip);
void mutex_release(struct lockdep_map *map, unsigned long ip);
#define lockdep_set_class(lock, key) ((void)(lock), (void)(key))
#define lockdep_set_subclass(lock, sub) ((void)(lock), (void)(sub))
#define lockdep_set_novalidate_class(lock) ((void)(lock))
typedef int (*lock_cmp_fn)(const struct lockdep_map *a, const struct lockdep_map *b);
void lock_set_cmp_fn(void *lock, lock_cmp_fn cmp, void *print);
#define _RET_IP_ 0ul

/* interrupt contexts (fixtures/irq) */
/* a type only a header the scan does not read defines (irq/attr_macro_callee) */
typedef unsigned int rx_result_t;
typedef int irqreturn_t;
typedef irqreturn_t (*irq_handler_t)(int irq, void *data);
#define IRQ_HANDLED 1
#define IRQ_WAKE_THREAD 2
struct device;
int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev);
int devm_request_irq(struct device *dev, unsigned int irq, irq_handler_t handler, unsigned long flags,
		     const char *name, void *data);
int request_threaded_irq(unsigned int irq, irq_handler_t handler, irq_handler_t thread_fn,
			 unsigned long flags, const char *name, void *dev);
int request_any_context_irq(unsigned int irq, irq_handler_t handler, unsigned long flags,
			    const char *name, void *dev);
struct ext_code { unsigned short subcode; unsigned short code; };
typedef void (*ext_int_handler_t)(struct ext_code code, unsigned int param32, unsigned long param64);
int register_external_irq(unsigned short code, ext_int_handler_t handler);
struct timer_list { void (*function)(struct timer_list *t); unsigned long expires; };
void timer_setup(struct timer_list *timer, void (*fn)(struct timer_list *t), unsigned int flags);
int mod_timer(struct timer_list *timer, unsigned long expires);
#define from_timer(var, t, field) container_of(t, __typeof__(*var), field)
struct tasklet_struct { void (*callback)(struct tasklet_struct *t); };
void tasklet_setup(struct tasklet_struct *t, void (*fn)(struct tasklet_struct *t));
void tasklet_schedule(struct tasklet_struct *t);
struct rcu_head { void *next; };
void call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *head));
struct net_device;
void *netdev_priv(const struct net_device *dev);
struct napi_struct { int weight; };
void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *napi, int budget));
void local_irq_disable(void);
void local_irq_enable(void);
#define local_irq_save(flags) ((void)(flags))
#define local_irq_restore(flags) ((void)(flags))
void local_bh_disable(void);
void local_bh_enable(void);
#define read_lock_irqsave(lock, flags) ((void)(flags), read_lock(lock))
#define read_unlock_irqrestore(lock, flags) ((void)(flags), read_unlock(lock))
#define write_lock_irqsave(lock, flags) ((void)(flags), write_lock(lock))
#define write_unlock_irqrestore(lock, flags) ((void)(flags), write_unlock(lock))

/* hrtimers (hrtimer_init() + .function, as in 6.12) */
typedef long long ktime_t;
typedef int clockid_t;
#define CLOCK_MONOTONIC 1
enum hrtimer_mode {
	HRTIMER_MODE_ABS = 0x00, HRTIMER_MODE_REL = 0x01, HRTIMER_MODE_PINNED = 0x02,
	HRTIMER_MODE_SOFT = 0x04, HRTIMER_MODE_HARD = 0x08,
	HRTIMER_MODE_REL_SOFT = 0x05, HRTIMER_MODE_ABS_SOFT = 0x04, HRTIMER_MODE_REL_HARD = 0x09,
};
enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };
struct hrtimer { enum hrtimer_restart (*function)(struct hrtimer *t); ktime_t expires; };
void hrtimer_init(struct hrtimer *timer, clockid_t which_clock, enum hrtimer_mode mode);
void hrtimer_start(struct hrtimer *timer, ktime_t tim, const enum hrtimer_mode mode);
int hrtimer_cancel(struct hrtimer *timer);

#endif /* LOCKCHECK_FIXTURE_STUBS_H */
