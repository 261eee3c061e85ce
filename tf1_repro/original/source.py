"""Reading a user's program: Python 2 conversion and which TensorFlow it was written for.

The programs this runner exists for were written in 2016-2018, many of them in
Python 2 (``print res``, ``xrange``, ``dict.iteritems``, integer ``/``).  The
file is converted in memory with fissix, a maintained fork of lib2to3, and is
never written back.  Only the fixers that keep every statement on its own line
are used, so an error in the converted code still names the line of the
user's file; the few Python 2 built-ins whose fixers would insert an import
line (``reduce``, ``intern``, ``reload``) are provided as built-ins instead.

A file is Python 2 when Python 3 cannot compile it, or when it uses names
or idioms only Python 2 had (:func:`is_python2`): ``xrange``,
``d.iteritems()``, ``.next()`` of an iterator or of a generator the file
defines, ``exec("print 'x'")``.  Code a Python 2 file gives ``exec`` /
``eval`` as a string is read as Python 2 too (:func:`compile_python2_string`).

Python 2's ``round`` gave a float and rounded halves away from zero
(:func:`py2_round`), and its ``math.floor`` / ``math.ceil`` gave floats
(:func:`py2_math`); a Python 2 file gets those.

Python 2's ``/`` floored when both operands were integers.  lib2to3 has no
fixer for it, because it depends on the values; here every ``/`` of a
Python 2 program (without ``from __future__ import division``) becomes a call
of :func:`py2_div`, which decides at run time as Python 2 did.  TensorFlow
tensors divide as TF1 on Python 2 did too: ``Tensor.__div__`` was
``tf.div``, which floors integer tensors.
"""
import ast
import copy
import io
import numbers
import operator
import tokenize

import numpy as np

from tf1_repro.errors import UsageError

# Fixers left out: they insert an import line (reduce, intern, reload,
# exitfunc, operator) or a statement (tuple_params), which would shift the
# line numbers of everything below, or they rewrite ``import helper`` into a
# package-relative import that a script cannot use (import).
_SKIPPED_FIXERS = {"fix_import", "fix_reduce", "fix_intern", "fix_reload", "fix_exitfunc",
                   "fix_operator", "fix_tuple_params"}

# Names a Python 2 program may still call after conversion (see the module doc).
PY2_DIV_NAME = "__tf1_repro_py2_div__"


def read_program(path):
    """The text of ``path``; a UsageError naming the file when it cannot be read."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise UsageError(f"--program={path}: cannot read: {e.strerror}")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as e:
        raise UsageError(f"--program={path}: not a Python source file ({e})")


# Python 2-only names: built-ins (a name of their own, not ``np.unicode``) and
# methods or module members (``d.iteritems()``, ``itertools.izip``, ``sys.maxint``).
_PY2_BUILTINS = {"xrange", "raw_input", "basestring", "unicode", "unichr", "execfile", "izip",
                 "imap", "ifilter", "izip_longest"}
_PY2_MEMBERS = {"iteritems", "itervalues", "iterkeys", "has_key", "izip", "imap", "ifilter",
                "izip_longest", "maxint"}


def is_python2(source):
    """True when ``source`` is Python 2: it does not compile as Python 3, or uses Python 2-only names."""
    try:
        compile(source, "<program>", "exec", dont_inherit=True)
    except SyntaxError:
        return True
    tokens = _code_only(source).split()
    for before, name in zip([""] + tokens, tokens):
        if name in (_PY2_MEMBERS if before == "." else _PY2_BUILTINS):
            return True
    return _python2_only_constructs(source)


_ITERATOR_MAKERS = {"iter", "zip", "map", "filter", "enumerate", "reversed"}


def _generator_functions(tree):
    """Names of the functions ``tree`` defines with ``yield`` in their own body (generators)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack = list(node.body)
            while stack:
                n = stack.pop()
                if isinstance(n, (ast.Yield, ast.YieldFrom)):
                    names.add(node.name)
                    break
                if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                      ast.ClassDef)):
                    stack.extend(ast.iter_child_nodes(n))
    return names


def _compiles(text, mode):
    try:
        compile(text, "<string>", mode, dont_inherit=True)
    except SyntaxError:
        return False
    except ValueError:  # null bytes
        return True
    return True
_DICT_VIEWS = {"keys", "values", "items"}


def _python2_only_constructs(source):
    """Python 2 code that Python 3 parses but means otherwise.

    ``.next()`` of a Python iterator (Python 3 has ``next(it)``): of
    ``os.walk(top)`` / ``zip(a, b)`` / ``iter(x)`` / a generator expression /
    a call of a generator function the file defines (``self.batches()`` for a
    method), directly or through a name or attribute assigned from one
    (``gen = batches(); gen.next()``, ``self.gen = iter(x); self.gen.next()``), but not of
    anything else (TF 1.x's ``tfe.Iterator`` had a ``next()`` of its own);
    ``d.keys()[0]`` (views are not lists); ``print >>f, x`` (a shift in
    Python 3); ``exec`` / ``eval`` of a string that is not Python 3
    (``exec("print 'x'")``).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return True
    generators = _generator_functions(tree)

    def makes_iterator(value):
        """A call that returns a Python iterator or generator, or a generator expression."""
        if isinstance(value, ast.GeneratorExp):
            return True
        if not isinstance(value, ast.Call):
            return False
        maker = value.func
        return (isinstance(maker, ast.Name) and (maker.id in _ITERATOR_MAKERS
                                                 or maker.id in generators)
                or isinstance(maker, ast.Attribute) and maker.attr == "walk"
                and isinstance(maker.value, ast.Name) and maker.value.id == "os"
                or isinstance(maker, ast.Attribute) and maker.attr in generators
                and isinstance(maker.value, ast.Name) and maker.value.id in ("self", "cls"))

    iterators = {_dotted(t) for n in ast.walk(tree) if isinstance(n, ast.Assign)
                 and makes_iterator(n.value) for t in n.targets} - {None}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "next" and not node.args and not node.keywords):
            of = node.func.value
            if makes_iterator(of) or _dotted(of) in iterators:
                return True
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("exec", "eval") and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                and not _compiles(node.args[0].value, "exec" if node.func.id == "exec" else "eval")):
            return True
        if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr in _DICT_VIEWS and not node.value.args
                and isinstance(node.slice, ast.Constant)):
            return True
        if isinstance(node, ast.Expr):
            value = node.value.elts[0] if isinstance(node.value, ast.Tuple) and node.value.elts \
                else node.value
            if (isinstance(value, ast.BinOp) and isinstance(value.op, ast.RShift)
                    and isinstance(value.left, ast.Name) and value.left.id == "print"):
                return True
    return False


def _dotted(node):
    """``gen`` or ``self.gen`` for a name or a chain of attributes of one, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return base and f"{base}.{node.attr}"
    return None


def code_names(source):
    """The set of names and operators in ``source`` (strings and comments left out)."""
    return set(_code_only(source).split())


def _code_only(source):
    """The source's names and operators, without strings and comments."""
    parts = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in (tokenize.NAME, tokenize.OP):
                parts.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    return " ".join(parts)


def convert_python2(source, path):
    """Python 2 source -> Python 3 source with the same line numbers (fissix)."""
    import logging

    from fissix import refactor
    from fissix.pgen2.parse import ParseError

    logging.getLogger("RefactoringTool").setLevel(logging.WARNING)  # "Skipping optional fixer"

    fixers = [f for f in refactor.get_fixers_from_package("fissix.fixes")
              if f.rsplit(".", 1)[1] not in _SKIPPED_FIXERS]
    tool = refactor.RefactoringTool(fixers)
    text = source if source.endswith("\n") else source + "\n"
    try:
        tree = tool.refactor_string(text, path)
    except (ParseError, SyntaxError, tokenize.TokenError, IndentationError) as e:
        line = getattr(e, "lineno", None) or (getattr(e, "context", None) or (None, (None,)))[1][0]
        where = f"{path}:{line}" if line else path
        raise UsageError(f"{where}: neither Python 3 nor Python 2 the converter can read ({e.__class__.__name__})")
    return str(tree)


class _ClassicDivision(ast.NodeTransformer):
    """``a / b`` -> ``py2_div(a, b)`` and ``x /= b`` -> ``x = py2_div(x, b)``."""

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Div):
            call = ast.Call(func=ast.Name(id=PY2_DIV_NAME, ctx=ast.Load()),
                            args=[node.left, node.right], keywords=[])
            return ast.copy_location(call, node)
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Div):
            load = _as_load(node.target)
            call = ast.Call(func=ast.Name(id=PY2_DIV_NAME, ctx=ast.Load()),
                            args=[load, node.value], keywords=[])
            return ast.copy_location(ast.Assign(targets=[node.target], value=call), node)
        return node


def _as_load(target):
    """The assignment target ``x`` / ``x[i]`` / ``x.a`` as an expression that reads it."""
    node = copy.deepcopy(target)
    for n in ast.walk(node):
        if hasattr(n, "ctx"):
            n.ctx = ast.Load()
    return node


def future_print_function(source):
    """True when the program imports ``print_function`` from ``__future__`` (it was written for Python 2 too)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(n, ast.ImportFrom) and n.module == "__future__"
               and any(a.name == "print_function" for a in n.names) for n in tree.body)


def _has_future_division(tree):
    return any(isinstance(n, ast.ImportFrom) and n.module == "__future__"
               and any(a.name == "division" for a in n.names) for n in tree.body)


def compile_program(source, path, python2, era=None):
    """A code object for the program, with Python 2's ``/`` when ``python2``.

    ``era`` (a tf1_repro.original.era.Era) rewrites the program's operators
    and subscripts to the rules of that NumPy release (after the ``/``
    rewrite, so Python 2's division goes through the era's too).
    """
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as e:
        raise UsageError(f"{path}:{e.lineno}: syntax error: {e.msg}")
    if python2 and not _has_future_division(tree):
        tree = ast.fix_missing_locations(_ClassicDivision().visit(tree))
    if era is not None:
        tree = era.rewrite(tree)
    return compile(tree, path, "exec", dont_inherit=True)


def compile_python2_string(text, mode="exec", era=None):
    """A string a Python 2 program gives ``exec`` / ``eval``, read as the program is.

    Converted (fissix), with Python 2's ``/`` and the era's rules; the
    code of ``exec "print x"`` was Python 2 like the rest of the program.
    """
    converted = convert_python2(text, "<string>")
    try:
        tree = ast.parse(converted, "<string>", mode)
    except SyntaxError as e:
        raise SyntaxError(f"{e.msg} (in the string given to {mode})", e.args[1]) from None
    if mode != "exec" or not _has_future_division(tree):
        tree = ast.fix_missing_locations(_ClassicDivision().visit(tree))
    if era is not None:
        tree = era.rewrite(tree)
    return compile(tree, "<string>", mode, dont_inherit=True)


def _is_integer(x):
    if isinstance(x, bool):
        return True
    if isinstance(x, numbers.Integral):
        return True
    if isinstance(x, np.ndarray) and x.dtype.kind in "iub":
        return True
    return False


def py2_div(a, b, true_div=operator.truediv, floor_div=operator.floordiv):
    """Python 2's ``a / b``: floor division of two integers, true division otherwise.

    ``true_div`` and ``floor_div`` do the arithmetic (the era's NumPy
    promotion, when the runner chose one).
    """
    if _is_integer(a) and _is_integer(b):
        return floor_div(a, b)
    tf_div = _tensor_div(a, b)
    if tf_div is not None:
        return tf_div
    return true_div(a, b)


def py2_math():
    """Python 2's ``math``: ``floor`` and ``ceil`` give floats (``math.floor(2.5) == 2.0``).

    Python 3's give ints, which print as ``2`` where Python 2 printed
    ``2.0``; everything else in ``math`` is today's.
    """
    global _PY2_MATH
    if _PY2_MATH is None:
        import math
        import types
        module = types.ModuleType("math", math.__doc__)
        module.__dict__.update({k: v for k, v in vars(math).items() if not k.startswith("__")})

        def floor(x):
            """Python 2's math.floor: the largest integer <= x, as a float."""
            return float(math.floor(x))

        def ceil(x):
            """Python 2's math.ceil: the smallest integer >= x, as a float."""
            return float(math.ceil(x))

        module.floor, module.ceil = floor, ceil
        _PY2_MATH = module
    return _PY2_MATH


_PY2_MATH = None


def py2_round(number, ndigits=0):
    """Python 2's ``round``: a float, halves away from zero (``round(2.5) == 3.0``).

    Python 3 rounds halves to even and gives an int without ``ndigits``
    (``round(2.5) == 2``); Python 2 rounded the float's exact binary value
    half away from zero (``round(0.125, 2) == 0.13``, ``round(2.675, 2) ==
    2.67``) and always returned a float, NumPy scalars included.
    """
    import decimal
    import math
    x = float(number)
    if not math.isfinite(x):
        return x
    digits = operator.index(ndigits)
    exact = decimal.Decimal(x)
    step = decimal.Decimal(1).scaleb(-digits)
    with decimal.localcontext() as context:
        context.prec = max(60, len(exact.as_tuple().digits) + abs(digits) + 2)
        rounded = exact.quantize(step, rounding=decimal.ROUND_HALF_UP)
    return float(rounded)


def _tensor_div(a, b):
    import sys
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return None
    if isinstance(a, (tf.Tensor, tf.Variable)) or isinstance(b, (tf.Tensor, tf.Variable)):
        return tf.compat.v1.div(a, b)
    return None


# Which TensorFlow a program was written for (see detect_api).
_TF1_MARKERS = {"placeholder", "Session", "InteractiveSession", "input_data", "contrib",
                "set_random_seed", "global_variables_initializer", "initialize_all_variables",
                "get_variable", "variable_scope", "py_func", "compat", "reset_default_graph",
                "Graph", "GradientDescentOptimizer", "AdamOptimizer"}
_TF2_MARKERS = {"GradientTape", "keras"}


def detect_api(source):
    """``"tf1"`` or ``"tf2"``: the TensorFlow the program was written for.

    A program that uses any TF1 graph-and-session name (``placeholder``,
    ``Session``, ``input_data``, ``tf.train`` optimizers, ...) is TF1; one
    that uses none of them but ``GradientTape``, ``keras`` or ``tf.function``
    is TF2; anything else is taken as TF1, the archive's subject.
    """
    tokens = _code_only(source).split()
    names = set(tokens)
    attributes = {b for a, b in zip(tokens, tokens[1:]) if a == "."}
    if names & _TF1_MARKERS:
        return "tf1"
    if names & _TF2_MARKERS or "function" in attributes:
        return "tf2"
    return "tf1"
