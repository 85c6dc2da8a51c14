// SPDX-License-Identifier: GPL-2.0
/// A file_operations .mmap in a driver that has no mmap_prepare at all (no
/// function taking a struct vm_area_desc *): a classic f_op->mmap
/// handler, which works on a VMA already in the tree.
///
/// Why (mmapdemo docs/guide.md section 2, "Porting an f_op->mmap driver
/// to mmap_prepare", and section 14): on 7.x f_op->mmap is deprecated
/// (Documentation/filesystems/mmap_prepare.rst); mmap_prepare refuses
/// before a VMA exists and leaves the VMA to the core.  Not a bug: code to
/// port.  A driver that builds .mmap only where the kernel has no
/// .mmap_prepare (an #ifdef choosing one, as mmapdemo's classic.c) has a
/// prepare too and is not reported.  Spatch reads only one branch of an
/// #ifdef in an initializer, hence the test on the whole driver (make
/// audit: its directory).
///
// Confidence: Low
// Comments: informational, not a bug finder: every finding is a handler
//  still to port (all 20 reviewed in mmapdemo docs/audit.md were)
// Guide: section 2
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@prepare@
identifier f, d;
@@
f(..., struct vm_area_desc *d, ...)
{
	...
}

@r depends on !prepare@
identifier fops, f;
position p;
@@
struct file_operations fops = {
	.mmap = f@p,
};

@depends on context && r@
identifier r.fops, r.f;
position r.p;
@@
struct file_operations fops = {
*	.mmap = f@p,
};

@script:python depends on report && r@
p << r.p;
f << r.f;
@@
coccilib.report.print_report(p[0], "mmap_classic_handler: f_op->mmap %s(), no mmap_prepare (guide section 2)" % f)

@script:python depends on org && r@
p << r.p;
@@
coccilib.org.print_todo(p[0], "mmap_classic_handler")
