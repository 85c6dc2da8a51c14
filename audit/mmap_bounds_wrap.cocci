// SPDX-License-Identifier: GPL-2.0
/// A bounds check of an mmap request that adds the byte offset and the
/// length before comparing: off + len > limit, with off from the mapping's
/// offset (vm_pgoff << PAGE_SHIFT, vm_pgoff * PAGE_SIZE, or a variable
/// computed from it) and len from its size (vm_end - vm_start, or a
/// variable computed from it); the same with a vm_area_desc.  Also the
/// check that adds the offset in pages to the length in bytes.
///
/// Why it is a bug (mmapdemo docs/guide.md section 1, "the offset and
/// length against the buffer, in a form that cannot wrap"): mmap(2) lets
/// the caller choose the offset.  do_mmap() refuses only a page offset
/// plus page count that overflows (EOVERFLOW), so in bytes the sum still
/// wraps: an offset near 2^64 plus a few pages comes out small, passes
/// the test, and the remap maps memory past the object.  The form that
/// cannot wrap: len > limit || off > limit - len.
///
// Confidence: High
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
# Per function: names of variables that hold the byte offset, the
# offset in pages, the length.
offv = {}
lenv = {}
# Expressions are compared with their blanks removed.
BYTE_OFF = re.compile(r'(vm_pgoff|->pgoff)\)*(<<|\*)')
PAGE_OFF = re.compile(r'(->|\.)(vm_pgoff|pgoff)\b')
LEN = re.compile(r'(->|\.)vm_end\b|->end\b|vma_desc_size\(')

def norm(e):
	return re.sub(r'\s+', '', e)

def is_off(f, e):
	e = norm(e)
	return bool(BYTE_OFF.search(e)) or e in offv.get(f, ())

def is_pgoff(e):
	e = norm(e)
	return bool(PAGE_OFF.search(e)) and not BYTE_OFF.search(e)

def is_len(f, e):
	e = norm(e)
	return bool(LEN.search(e)) or e in lenv.get(f, ())

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
f = p[0].current_element
e = norm(e)
if BYTE_OFF.search(e):
	offv.setdefault(f, set()).add(v)
elif LEN.search(e):
	lenv.setdefault(f, set()).add(v)

@c@
expression O, L, E;
position p;
@@
(
	O + L >@p E
|
	O + L >=@p E
|
	(O + L) >@p E
|
	(O + L) >=@p E
|
	E <@p O + L
|
	E <=@p O + L
|
	E <@p (O + L)
|
	E <=@p (O + L)
)

@script:python cs@
p << c.p;
o << c.O;
l << c.L;
@@
f = p[0].current_element
wrap = (is_off(f, o) and is_len(f, l)) or (is_off(f, l) and is_len(f, o))
mixed = (is_pgoff(o) and is_len(f, l)) or (is_pgoff(l) and is_len(f, o))
if not (wrap or mixed):
	cocci.include_match(False)

@depends on context@
position c.p;
expression A, B;
@@
(
* A >@p B
|
* A >=@p B
|
* A <@p B
|
* A <=@p B
)

@script:python depends on report@
p << c.p;
@@
coccilib.report.print_report(p[0], "mmap_bounds_wrap: %s() adds the mapping's offset and length before comparing: the sum can wrap (guide section 1)" % p[0].current_element)

@script:python depends on org@
p << c.p;
@@
coccilib.org.print_todo(p[0], "mmap_bounds_wrap")
