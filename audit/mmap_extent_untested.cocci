// SPDX-License-Identifier: GPL-2.0
/// An mmap handler that remaps from the caller's offset or for the
/// caller's length without testing it itself: remap_pfn_range() or
/// io_remap_pfn_range() whose PFN comes from vm_pgoff (or a variable
/// computed from it), or whose length comes from vm_end (vm_end -
/// vm_start, vma_pages(), or a variable computed from them), in a
/// function where no if () tests that quantity.  The same for the
/// mmap_action remaps of a vm_area_desc; the _full forms, which take the
/// length from the mapping by design, only for their PFN (a helper that
/// maps the whole VMA once its caller checked the length is common and
/// right: module/remap.c).
///
/// Why it is a bug (mmapdemo docs/guide.md section 1 and section 14,
/// "offset and length checked against the object"): mmap(2) lets the
/// caller choose both.  A PFN taken from the offset is a physical
/// address chosen by userspace (/dev/mem without its checks); a length
/// taken from the mapping maps whatever lies past the object.
///
/// Unlike mmap_offset_unchecked, which is satisfied by a test anywhere in
/// the driver, the test must be in the function that remaps: a driver
/// with two handlers, one checked, is still reported for the other.  A
/// handler that leaves the test to a function it passes the VMA to is
/// reported too (read that function); a .fault handler's remap is not,
/// its mmap handler checked the mapping it fills.  Helpers that check by themselves
/// (vm_iomap_memory(), mmap_action_simple_ioremap(), dma_mmap_*(),
/// remap_vmalloc_range()) are not reported.
///
// Confidence: Moderate
// Comments: recall on real fixed bugs in mmapdemo's audit/corpus (make
//  audit-eval); precision on 7.3's drivers/ in docs/audit.md
// Guide: section 1
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@initialize:python@
@@
import re
# Per function: its assignments (variable, expression), and whether an
# if () tests the offset, the length.
assigns = {}
tested = {}
faults = set()
# The offset and the length, written out or through a helper the driver
# gives the VMA (mtdchar's get_vm_offset(vma), get_vm_size(vma)).
OFF = re.compile(r'(->|\.)(vm_pgoff|pgoff)\b|vma_start_pgoff\(|\w*off\w*\(vma\)')
LEN = re.compile(r'(->|\.)vm_end\b|->end\b|vma_pages\(|vma_desc_size\(|vma_desc_pages\(|\w*(size|len)\w*\(vma\)')
# A condition that is the remap itself (if (remap_pfn_range(...))) tests
# nothing.
REMAP = re.compile(r'remap_pfn_range\(|mmap_action_\w*remap|vm_iomap_memory\(')

def norm(e):
	return re.sub(r'\s+', '', e)

def mentions(e, names):
	return any(re.search(r'\b%s\b' % re.escape(v), e) for v in names)

def derived(f, rx):
	"""The variables of f computed, at any remove, from what rx matches."""
	names = set()
	grew = True
	while grew:
		grew = False
		for v, e in assigns.get(f, ()):
			if v not in names and (rx.search(e) or mentions(e, names)):
				names.add(v)
				grew = True
	return names

def uses(f, e, rx):
	e = norm(e)
	return bool(rx.search(e)) or mentions(e, derived(f, rx))

@asg@
identifier v;
expression E;
type T;
position p;
@@
(
T v = E@p;
|
v = E@p;
)

@script:python@
p << asg.p;
v << asg.v;
e << asg.E;
@@
assigns.setdefault(p[0].current_element, []).append((v, norm(e)))

@fh@
identifier ops, f;
@@
struct vm_operations_struct ops = {
	.fault = f,
};

@script:python@
f << fh.f;
@@
# A fault handler that remaps from vm_pgoff (vfio-pci from 5.8) fills what
# its mmap handler checked when the mapping was made: not reported.
faults.add(f)

@cond@
expression C;
statement S1, S2;
position p;
@@
(
if (C@p) S1 else S2
|
if (C@p) S1
)

@script:python@
p << cond.p;
c << cond.C;
@@
f = p[0].current_element
t = tested.setdefault(f, set())
if not REMAP.search(norm(c)):
	if uses(f, c, OFF):
		t.add('off')
	if uses(f, c, LEN):
		t.add('len')

@r@
expression E1, E2, P, L, E5;
position p;
@@
(
\(remap_pfn_range@p\|io_remap_pfn_range@p\)(E1, E2, P, L, E5)
|
\(mmap_action_remap@p\|mmap_action_ioremap@p\)(E1, E2, P, L)
)

@script:python rs@
p << r.p;
pfn << r.P;
len << r.L;
what;
@@
f = p[0].current_element
t = tested.get(f, set())
w = []
if f in faults:
	t = set(['off', 'len'])
if uses(f, pfn, OFF) and 'off' not in t:
	w.append("its PFN from the offset")
if uses(f, len, LEN) and 'len' not in t:
	w.append("its length from the mapping")
if not w:
	cocci.include_match(False)
else:
	coccinelle.what = "%s() remaps with %s" % (f, " and ".join(w))

@rf@
expression E1, P;
position p;
@@
\(mmap_action_remap_full@p\|mmap_action_ioremap_full@p\)(E1, P)

@script:python rfs@
p << rf.p;
pfn << rf.P;
what;
@@
f = p[0].current_element
t = tested.get(f, set())
if f not in faults and uses(f, pfn, OFF) and 'off' not in t:
	coccinelle.what = "%s() remaps with its PFN from the offset" % f
else:
	cocci.include_match(False)

@depends on context@
position p = {r.p, rf.p};
identifier g;
expression list es;
@@
* g@p(es)

@script:python depends on report@
p << r.p;
w << rs.what;
@@
coccilib.report.print_report(p[0], "mmap_extent_untested: %s, never tested there (guide section 1)" % w)

@script:python depends on report@
p << rf.p;
w << rfs.what;
@@
coccilib.report.print_report(p[0], "mmap_extent_untested: %s, never tested there (guide section 1)" % w)

@script:python depends on org@
p << r.p;
@@
coccilib.org.print_todo(p[0], "mmap_extent_untested")

@script:python depends on org@
p << rf.p;
@@
coccilib.org.print_todo(p[0], "mmap_extent_untested")
