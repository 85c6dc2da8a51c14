// SPDX-License-Identifier: GPL-2.0
/// A vm_operations_struct whose ->close undoes what ->mapped does, with no
/// way to tell whether ->mapped ran or succeeded:
///  - ->mapped can fail before it sets *vm_private_data, and ->close
///    dereferences vma->vm_private_data without a NULL test;
///  - ->mapped takes a reference or a count (pm_runtime_get*(),
///    kref_get(), refcount_inc(), atomic*_inc(), get_device(),
///    try_module_get()) and ->close drops one of the same kind on every
///    path, while the mapping can fail after prepare: ->mapped can return
///    an error, or prepare asks for an mmap_action that can fail.
///
/// Why it is a bug (mmapdemo docs/guide.md section 2, item 5, and section
/// 14 "->close accepts a VMA whose ->mapped never ran"): on 7.3, when the
/// action or ->mapped fails, mmap_action_finish() (mm/util.c) unmaps the
/// new VMA with do_munmap(), which calls ->close for it, with
/// vm_private_data as prepare left it.  ->close then drops a reference
/// that was never taken, or follows a pointer that was never set.
///
/// The first half looks at the file spatch sees ->mapped in, the second
/// at every file of the group (make audit: the driver's directory) for
/// an action.
///
// Confidence: Moderate
// Guide: section 2
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@ops@
identifier o, M, C;
@@
struct vm_operations_struct o = {
	.mapped = M,
	.close = C,
};

/*
 * First half: ->mapped fails before it has even looked at
 * *vm_private_data (so before it sets it).
 */
@fails exists@
identifier ops.M, pd;
expression R;
position p;
@@
M(..., void **pd)
{
	... when != pd
(
	return 0;
|
	return@p R;
)
}

@reads exists@
identifier ops.C, vma, x;
type T;
@@
C(struct vm_area_struct *vma)
{
	... when any
(
	T x = vma->vm_private_data;
|
	x = vma->vm_private_data;
)
	... when any
}

@guarded exists@
identifier ops.C, reads.x;
@@
C(...)
{
	... when any
(
	x == NULL
|
	NULL == x
|
	!x
|
	x != NULL
)
	... when any
}

/* Second half: a count taken in ->mapped, dropped in ->close always. */
@action@
expression list es;
@@
(
mmap_action_remap
|
mmap_action_remap_full
|
mmap_action_ioremap
|
mmap_action_ioremap_full
|
mmap_action_simple_ioremap
|
mmap_action_map_kernel_pages
|
mmap_action_map_kernel_pages_full
)(es)

@mapfails exists@
identifier ops.M;
expression R;
position p;
@@
M(...)
{
	... when any
(
	return 0;
|
	return@p R;
)
}

/* mapfails matches on its "return 0" too: only a bound p is a failure. */
@mapfailure@
position mapfails.p;
expression R;
@@
return@p R;

@getpm exists@
identifier ops.M;
expression list es;
@@
M(...)
{
	... when any
	\(pm_runtime_get\|pm_runtime_get_sync\|pm_runtime_resume_and_get\|pm_runtime_get_noresume\)(es)
	... when any
}

@putpm depends on getpm && (action || mapfailure) forall@
identifier ops.C;
expression list es;
position p;
@@
C(...)
{
	...
	\(pm_runtime_put@p\|pm_runtime_put_sync@p\|pm_runtime_put_autosuspend@p\|pm_runtime_put_sync_autosuspend@p\|pm_runtime_put_noidle@p\|pm_runtime_put_sync_suspend@p\)(es);
	...
}

@getref exists@
identifier ops.M;
expression list es;
@@
M(...)
{
	... when any
	\(kref_get\|refcount_inc\|get_device\|try_module_get\|__module_get\)(es)
	... when any
}

@putref depends on getref && (action || mapfailure) forall@
identifier ops.C;
expression list es;
position p;
@@
C(...)
{
	...
	\(kref_put@p\|refcount_dec@p\|refcount_dec_and_test@p\|put_device@p\|module_put@p\)(es);
	...
}

@getcnt exists@
identifier ops.M;
expression list es;
@@
M(...)
{
	... when any
	\(atomic_inc\|atomic64_inc\|atomic_long_inc\)(es)
	... when any
}

@putcnt depends on getcnt && (action || mapfailure) forall@
identifier ops.C;
expression list es;
position p;
@@
C(...)
{
	...
	\(atomic_dec@p\|atomic64_dec@p\|atomic_long_dec@p\|atomic_dec_and_test@p\|atomic64_dec_and_test@p\)(es);
	...
}

@depends on context && fails && reads && !guarded@
position fails.p;
expression R;
@@
* return@p R;

@depends on context && (putpm || putref || putcnt)@
position p = {putpm.p, putref.p, putcnt.p};
identifier f;
expression list es;
@@
* f@p(es)

@script:python depends on report && fails && reads && !guarded@
p << fails.p;
m << ops.M;
c << ops.C;
@@
coccilib.report.print_report(p[0], "close_trusts_mapped: %s() fails before it sets vm_private_data, %s() dereferences it (guide section 2)" % (m, c))

@script:python depends on report@
p << putpm.p;
m << ops.M;
@@
coccilib.report.print_report(p[0], "close_trusts_mapped: a put for the get of %s(), also when it never ran (guide section 2)" % m)

@script:python depends on report@
p << putref.p;
m << ops.M;
@@
coccilib.report.print_report(p[0], "close_trusts_mapped: a put for the get of %s(), also when it never ran (guide section 2)" % m)

@script:python depends on report@
p << putcnt.p;
m << ops.M;
@@
coccilib.report.print_report(p[0], "close_trusts_mapped: a decrement for the increment of %s(), also when it never ran (guide section 2)" % m)

@script:python depends on org && fails && reads && !guarded@
p << fails.p;
@@
coccilib.org.print_todo(p[0], "close_trusts_mapped: ->mapped fails before vm_private_data")

@script:python depends on org@
p << putpm.p;
@@
coccilib.org.print_todo(p[0], "close_trusts_mapped: put without the get of ->mapped")

@script:python depends on org@
p << putref.p;
@@
coccilib.org.print_todo(p[0], "close_trusts_mapped: put without the get of ->mapped")

@script:python depends on org@
p << putcnt.p;
@@
coccilib.org.print_todo(p[0], "close_trusts_mapped: decrement without the increment of ->mapped")
