// SPDX-License-Identifier: GPL-2.0
/// A vm_operations_struct .fault handler that returns 0 on a path where
/// it did not set vmf->page, or VM_FAULT_NOPAGE on a path where it
/// installed nothing (no vm_insert_*(), vmf_insert_*(), remap or call of
/// another fault helper on the way), written out or through a variable
/// (ret = VM_FAULT_NOPAGE; ... return ret;).
///
/// Why it is a bug (mmapdemo docs/guide.md section 3, and section 14:
/// "past the end: VM_FAULT_SIGBUS, never 0 or NOPAGE with nothing
/// installed"): on 0, __do_fault() goes on with vmf->page, which is NULL,
/// and oopses; on VM_FAULT_NOPAGE with no page table entry installed the
/// CPU retries the access forever, a livelock.  Nothing to map is
/// VM_FAULT_SIGBUS.
///
/// The NOPAGE half knows only the insert functions listed below: a
/// handler that installs through a helper of its own is reported too.
/// A NOPAGE after a call whose name says interruptible or killable (a
/// lock or wait, or a driver's wrapper of one: msm's
/// msm_gem_lock_interruptible()) or a signal_pending() test is not: the
/// fault is retried once the signal is handled, which is what those
/// handlers mean (etnaviv_gem_fault(), i915's vm_fault_cpu() and
/// msm_gem_fault() in 7.3, found by earlier versions of this rule).
///
// Confidence: Moderate
// Comments: measured on 7.3's drivers/ in mmapdemo's docs/audit.md
// Guide: section 3
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@fh@
identifier ops, f;
@@
struct vm_operations_struct ops = {
	.fault = f,
};

@z exists@
identifier fh.f, vmf;
expression E;
position p;
@@
f(struct vm_fault *vmf)
{
	... when != vmf->page = E
	    when any
	return@p 0;
}

@n exists@
identifier fh.f, vmf;
identifier wait =~ "_interruptible\|_killable";
expression list es;
position p;
@@
f(struct vm_fault *vmf)
{
	... when != \(vm_insert_page\|vm_insert_pages\|vm_insert_range\|vm_map_pages\|vm_map_pages_zero\|vmf_insert_pfn\|vmf_insert_pfn_prot\|vmf_insert_pfn_pmd\|vmf_insert_pfn_pud\|vmf_insert_mixed\|vmf_insert_mixed_mkwrite\|vmf_insert_page_mkwrite\|vmf_insert_folio_pmd\|vmf_insert_folio_pud\|remap_pfn_range\|io_remap_pfn_range\|vm_iomap_memory\|set_pte_at\|finish_fault\|filemap_map_pages\)(es)
	    when != \(wait\|signal_pending\|fatal_signal_pending\)(...)
	    when any
	return@p VM_FAULT_NOPAGE;
}

/* The same through a variable: ret = VM_FAULT_NOPAGE; ... return ret; */
@nv exists@
identifier fh.f, vmf, ret;
identifier wait =~ "_interruptible\|_killable";
expression list es;
expression E;
type T;
position p;
@@
f(struct vm_fault *vmf)
{
	... when != \(vm_insert_page\|vm_insert_pages\|vm_insert_range\|vm_map_pages\|vm_map_pages_zero\|vmf_insert_pfn\|vmf_insert_pfn_prot\|vmf_insert_pfn_pmd\|vmf_insert_pfn_pud\|vmf_insert_mixed\|vmf_insert_mixed_mkwrite\|vmf_insert_page_mkwrite\|vmf_insert_folio_pmd\|vmf_insert_folio_pud\|remap_pfn_range\|io_remap_pfn_range\|vm_iomap_memory\|set_pte_at\|finish_fault\|filemap_map_pages\)(es)
	    when != \(wait\|signal_pending\|fatal_signal_pending\)(...)
	    when any
(
	T ret = VM_FAULT_NOPAGE;
|
	ret = VM_FAULT_NOPAGE;
)
	... when != \(vm_insert_page\|vm_insert_pages\|vm_insert_range\|vm_map_pages\|vm_map_pages_zero\|vmf_insert_pfn\|vmf_insert_pfn_prot\|vmf_insert_pfn_pmd\|vmf_insert_pfn_pud\|vmf_insert_mixed\|vmf_insert_mixed_mkwrite\|vmf_insert_page_mkwrite\|vmf_insert_folio_pmd\|vmf_insert_folio_pud\|remap_pfn_range\|io_remap_pfn_range\|vm_iomap_memory\|set_pte_at\|finish_fault\|filemap_map_pages\)(es)
	    when != \(wait\|signal_pending\|fatal_signal_pending\)(...)
	    when != ret = E
	    when any
	return@p ret;
}

@depends on context && z@
position z.p;
@@
* return@p 0;

@depends on context && n@
position n.p;
@@
* return@p VM_FAULT_NOPAGE;

@depends on context && nv@
position nv.p;
identifier nv.ret;
@@
* return@p ret;

@script:python depends on report && z@
p << z.p;
f << fh.f;
@@
coccilib.report.print_report(p[0], "fault_returns_zero: %s() returns 0 without setting vmf->page (guide section 3)" % f)

@script:python depends on report && n@
p << n.p;
f << fh.f;
@@
coccilib.report.print_report(p[0], "fault_returns_zero: %s() returns VM_FAULT_NOPAGE having installed nothing (guide section 3)" % f)

@script:python depends on org && z@
p << z.p;
@@
coccilib.org.print_todo(p[0], "fault_returns_zero: 0 without vmf->page")

@script:python depends on org && n@
p << n.p;
@@
coccilib.org.print_todo(p[0], "fault_returns_zero: NOPAGE with nothing installed")

@script:python depends on report && nv@
p << nv.p;
f << fh.f;
@@
coccilib.report.print_report(p[0], "fault_returns_zero: %s() returns VM_FAULT_NOPAGE through a variable having installed nothing (guide section 3)" % f)

@script:python depends on org && nv@
p << nv.p;
@@
coccilib.org.print_todo(p[0], "fault_returns_zero: NOPAGE through a variable with nothing installed")
