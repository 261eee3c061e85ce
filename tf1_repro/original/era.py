"""The NumPy (and Python 2 printing) a 2016-2018 program ran on, inside today's.

A program of that era was run by its author on NumPy 1.x.  Under NumPy 2 the
same lines can stop (``images[[index]]``, ``np.float``) or print other
numbers (``total = 0; total + x.sum()`` stays float32).  The runner gives
the program, and only the program's own code (its file and the helper
modules beside it), the rules of the NumPy release chosen with
``--numpy=VERSION``:

* **index** (NumPy < 1.23): a list used as an index that holds an array, a
  sequence, a slice, ``Ellipsis`` or ``None`` means a tuple index:
  ``a[[rows]]`` is ``a[rows]`` and ``a[[rows, cols]]`` is ``a[rows, cols]``
  (NumPy 1.23 made it ``a[np.array([rows])]``).
* **aliases** (NumPy < 1.24): ``np.int``, ``np.float``, ``np.bool``,
  ``np.object``, ``np.str``, ``np.long``, ``np.unicode``, ``np.complex`` are
  Python's types again; with NumPy < 2.0 also the names NumPy 2.0 removed
  (``np.float_``, ``np.NaN``, ``np.product``, ...), and before 1.23
  ``np.asscalar`` and ``np.alen`` (before 1.18 ``np.rank``).
* **promotion** (NumPy < 2.0): value-based casting (the rule NEP 50
  replaced) wherever the program's own ``+ - * / // % ** << >> & | ^``
  (and their ``x op= y``, and the built-in ``sum``) meet a NumPy value:
  when only scalars meet
  (Python numbers, NumPy scalars, 0-d arrays) their types promote as
  types, so ``0 + np.float32(x)`` is float64; when an array meets a scalar
  of no higher kind the scalar counts by its value, so
  ``float32 array * np.float64(0.5)`` stays float32 and
  ``uint8 array + 300`` is uint16.
* **float sizes** (NumPy < 1.12): a float where NumPy takes a size or a
  shape (``np.random.rand(1e4, 1e4)``, ``np.zeros(n / 2)``,
  ``x.reshape(n / 2, 2)``, ``size=3.0`` of ``np.random``'s draws) counts as
  the integer it truncates to, as NumPy 1.11 did (with a
  DeprecationWarning; 1.12 made it a TypeError).  Before 1.18 also the
  ``num`` of ``np.linspace``.  Only sizes: a float as an index
  (``a[2.0]``, which NumPy 1.11 still took with a warning) stays an error
  here.
* **printing**: ``np.set_printoptions(legacy='1.13')`` for NumPy < 1.14
  (``[[ 12.]]``, float64 scalars with 12 significant digits), else
  ``legacy='1.25'`` for NumPy 1.x (scalars print as ``0.5``, not
  ``np.float32(0.5)``).

How: the program's syntax tree is rewritten before it is compiled, so the
rules act on its own operators and subscripts and nowhere else (NumPy,
TensorFlow and every library keep today's rules): binary operations become
calls of :func:`binop` helpers, subscripts that are not plain literals of
their own call :func:`getitem` / :func:`index`, and ``import numpy`` gives
a view of NumPy with the old names.  A function of NumPy that promotes
inside itself (``np.add(a, 0.5)``) keeps NumPy 2's rule, as do
comparisons.

Python 2 programs also print floats as Python 2 did: ``print x`` showed
``str(x)``, 12 significant digits (``0.92``, where Python 3 prints
``0.9200000000000007``).  :func:`py2_print` does that for float arguments.
"""
import ast
import builtins
import dataclasses
import operator
import re
import types

import numpy as np

from tf1_repro.errors import UsageError
from tf1_repro.original.source import _as_load

TODAY = "2"  # --numpy=2: today's NumPy, nothing changed


@dataclasses.dataclass(frozen=True)
class Era:
    """Which of the old rules are on; see the module doc."""
    version: tuple  # (major, minor)
    label: str

    @property
    def index(self):
        return self.version < (1, 23)

    @property
    def aliases(self):
        return self.version < (1, 24)

    @property
    def promotion(self):
        return self.version < (2, 0)

    @property
    def float_sizes(self):
        return self.version < (1, 12)

    @property
    def legacy_print(self):
        """The ``legacy=`` print option, or None for today's printing."""
        if self.version < (1, 14):
            return "1.13"
        if self.version < (2, 0):
            return "1.25"
        return None

    @property
    def rewrites(self):
        return self.index or self.promotion or self.float_sizes

    def rewrite(self, tree):
        """``tree`` (a module's AST) with its operators and subscripts under this era's rules."""
        return rewrite(tree, self)

    def describe(self):
        if not (self.rewrites or self.aliases or self.legacy_print):
            return f"NumPy {self.label}: today's rules"
        rules = []
        if self.index:
            rules.append("list-of-sequences index as a tuple")
        if self.aliases:
            rules.append("np.int/np.float/... aliases")
        if self.promotion:
            rules.append("value-based scalar promotion")
        if self.float_sizes:
            rules.append("floats as sizes")
        if self.legacy_print:
            rules.append(f"printing legacy={self.legacy_print}")
        return f"NumPy {self.label} rules for the program's own code: " + ", ".join(rules)


_VERSION = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.\d+)?$")


def parse(text):
    """``--numpy`` value -> Era; a UsageError for anything but ``1.N`` or ``2``."""
    m = _VERSION.match(text.strip())
    if not m:
        raise UsageError(f"--numpy={text}: not a NumPy version (e.g. 1.13, 1.16, 2)")
    major, minor = int(m.group(1)), int(m.group(2) or 0)
    if major == 1 and minor < 9 or major == 0 or major > 2:
        raise UsageError(f"--numpy={text}: the runner knows NumPy 1.9 to 2.x")
    label = f"{major}.{minor}" if major == 1 else str(major) + (f".{minor}" if minor else "")
    return Era((major, minor), label)


def default(api, eager=False):
    """The era a program gets without --numpy: 1.11 for TF1 programs, today's for TF2 ones.

    TensorFlow 0.x/1.x tutorials were mostly written and recorded on NumPy
    1.11-1.13 (NumPy 1.14, with the new printing, came in January 2018).
    Of the rules above, 1.11's are 1.13's plus floats as sizes, which a
    program written for 1.12 or 1.13 never passes (they were an error
    there): so 1.11 runs the programs of all three alike, and the 2016 ones
    (TF 0.x: ``np.random.rand(1e4, 1e4)``) too.  A TF 1.x eager program
    (``tf.enable_eager_execution``, TF >= 1.5 of late January 2018) is from
    NumPy 1.14's time or later.  TF2 programs keep today's NumPy, as the
    archive's TF2 post does.
    """
    if api != "tf1":
        return parse(TODAY)
    return parse("1.14" if eager else "1.11")


# ---------------------------------------------------------------------------
# Promotion: NumPy 1.x's value-based casting for one binary operation
# ---------------------------------------------------------------------------

_PY_NUMBERS = (bool, int, float, complex)
_NUMPY = (np.ndarray, np.generic)
_KIND_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_INT64 = np.iinfo(np.int64)


def _operand(x):
    """(dtype, is_scalar) as NumPy 1.x saw ``x`` in a ufunc call, or None if out of scope."""
    t = type(x)
    if t is bool:
        return np.dtype(bool), True
    if t is int:
        if _INT64.min <= x <= _INT64.max:
            return np.dtype(np.int_), True
        return None
    if t is float:
        return np.dtype(np.float64), True
    if t is complex:
        return np.dtype(np.complex128), True
    if isinstance(x, np.generic):
        return x.dtype, True
    if isinstance(x, np.ndarray):
        return x.dtype, x.ndim == 0
    return None


def _min_scalar(x, dtype, other):
    """NumPy 1.x's type for a scalar counted by its value, beside ``other``."""
    if dtype.kind not in "iu":
        return np.min_scalar_type(x)
    value = int(x)
    if value >= 0 and other.kind == "i":
        # NumPy 1.x's "small unsigned": 100 beside int8 is int8, not uint8.
        return np.min_scalar_type(-value - 1)
    return np.min_scalar_type(value)


def legacy_result_type(a, b):
    """The dtype NumPy 1.x computed ``a op b`` in, or None when the rules agree or do not apply."""
    da, db = _operand(a), _operand(b)
    if da is None or db is None:
        return None
    (ta, sa), (tb, sb) = da, db
    if ta.kind not in _KIND_ORDER or tb.kind not in _KIND_ORDER:
        return None
    if not sa and not sb:
        return None  # two arrays: no scalar, no value-based rule
    if sa and sb:
        return np.promote_types(ta, tb)
    scalar, stype, array, atype = (a, ta, b, tb) if sa else (b, tb, a, ta)
    if _KIND_ORDER[stype.kind] > _KIND_ORDER[atype.kind]:
        return np.promote_types(stype, atype)
    return np.promote_types(_min_scalar(scalar, stype, atype), atype)


def _as_era(x, dtype):
    """A scalar operand as a NumPy scalar of ``dtype`` (so NEP 50 promotes as 1.x did)."""
    if isinstance(x, np.ndarray):
        if x.ndim > 0:
            return x
        return x.astype(dtype)[()] if x.dtype != dtype else x
    if isinstance(x, np.generic) and x.dtype == dtype:
        return x
    return dtype.type(x)


def _make_binop(op):
    def binop(a, b):
        ta, tb = type(a), type(b)
        if (ta in _PY_NUMBERS and tb in _PY_NUMBERS) or not (
                isinstance(a, _NUMPY) or isinstance(b, _NUMPY)):
            return op(a, b)
        dtype = legacy_result_type(a, b)
        if dtype is None:
            return op(a, b)
        return op(_as_era(a, dtype), _as_era(b, dtype))
    binop.__name__ = f"era_{op.__name__}"
    return binop


def _make_inplace(op, iop):
    def inplace(a, b):
        if isinstance(a, np.ndarray) and a.ndim > 0:
            dtype = legacy_result_type(a, b)
            return iop(a, b if dtype is None else _as_era(b, dtype))
        if isinstance(a, _NUMPY) or isinstance(b, _NUMPY):
            return _BINOPS[op](a, b)
        return iop(a, b)
    inplace.__name__ = f"era_{iop.__name__}"
    return inplace


_OPERATORS = {
    ast.Add: (operator.add, operator.iadd), ast.Sub: (operator.sub, operator.isub),
    ast.Mult: (operator.mul, operator.imul), ast.Div: (operator.truediv, operator.itruediv),
    ast.FloorDiv: (operator.floordiv, operator.ifloordiv), ast.Mod: (operator.mod, operator.imod),
    ast.Pow: (operator.pow, operator.ipow), ast.LShift: (operator.lshift, operator.ilshift),
    ast.RShift: (operator.rshift, operator.irshift), ast.BitAnd: (operator.and_, operator.iand),
    ast.BitOr: (operator.or_, operator.ior), ast.BitXor: (operator.xor, operator.ixor),
}
_BINOPS = {op: _make_binop(op) for op, _ in _OPERATORS.values()}
_INPLACE = {iop: _make_inplace(op, iop) for op, iop in _OPERATORS.values()}

true_div = _BINOPS[operator.truediv]
floor_div = _BINOPS[operator.floordiv]


def _helper_name(fn):
    return f"__tf1_repro_{fn.__name__}__"


# ---------------------------------------------------------------------------
# Indexing: NumPy < 1.23's list-as-tuple rule
# ---------------------------------------------------------------------------

_MAXDIMS = 32  # NPY_MAXDIMS of NumPy 1.x: longer lists were always array indices
_SEQUENCES = (np.ndarray, list, tuple, str, bytes, range, slice)


def legacy_index(obj, key):
    """``key`` as NumPy 1.x read it when indexing the array ``obj``."""
    if type(key) is not list or not isinstance(obj, np.ndarray) or len(key) >= _MAXDIMS:
        return key
    if obj.dtype.names and key and all(isinstance(k, str) for k in key):
        return key  # a list of field names
    for item in key:
        if isinstance(item, _SEQUENCES) or item is None or item is Ellipsis:
            return tuple(key)
    return key


def getitem(obj, key):
    if type(key) is list and isinstance(obj, np.ndarray):
        key = legacy_index(obj, key)
    return obj[key]


_add = _BINOPS[operator.add]


def era_sum(iterable, /, start=0):
    """The built-in ``sum`` with the era's ``+`` (``sum`` of float32 scalars was float64)."""
    total = start
    for item in iterable:
        total = _add(total, item)
    return total


# ---------------------------------------------------------------------------
# Floats as sizes: NumPy < 1.12
# ---------------------------------------------------------------------------

def int_size(x):
    """A size or shape as NumPy 1.11 read it: each float truncated to an int."""
    if isinstance(x, (float, np.floating)):
        return int(x)
    if isinstance(x, (tuple, list)) and any(isinstance(v, (float, np.floating)) for v in x):
        return type(x)(int(v) if isinstance(v, (float, np.floating)) else v for v in x)
    return x


def _sizes(fn, positions=(), keywords=(), all_positional=False):
    """``fn`` with the arguments at ``positions`` / named ``keywords`` read by :func:`int_size`."""
    import functools

    @functools.wraps(fn)
    def sized(*args, **kwargs):
        args = tuple(int_size(a) if all_positional or i in positions else a
                     for i, a in enumerate(args))
        for k in keywords:
            if k in kwargs:
                kwargs[k] = int_size(kwargs[k])
        return fn(*args, **kwargs)
    return sized


def method_reshape(obj, *args, **kwargs):
    """``obj.reshape(...)`` of the program: float sizes truncated when ``obj`` is an array."""
    if isinstance(obj, np.ndarray):
        args = tuple(int_size(a) for a in args)
    return obj.reshape(*args, **kwargs)


_RESHAPE = "__tf1_repro_era_reshape__"

# np.random's functions and where their size is: (position, keyword); rand/randn: every argument.
_RANDOM_SIZES = {
    "random": 0, "random_sample": 0, "ranf": 0, "sample": 0, "standard_normal": 0,
    "standard_exponential": 0, "standard_cauchy": 0, "choice": 1, "poisson": 1,
    "exponential": 1, "standard_t": 1, "chisquare": 1, "geometric": 1, "rayleigh": 1,
    "standard_gamma": 1, "normal": 2, "uniform": 2, "randint": 2, "random_integers": 2,
    "binomial": 2, "beta": 2, "gamma": 2, "lognormal": 2, "logistic": 2, "laplace": 2,
    "gumbel": 2, "negative_binomial": 2, "f": 2, "multivariate_normal": 2, "multinomial": 2,
}


def _random_view():
    """``np.random`` with :func:`int_size` sizes."""
    names = {name: _sizes(getattr(np.random, name), positions=(pos,), keywords=("size",))
             for name, pos in _RANDOM_SIZES.items() if hasattr(np.random, name)}
    names["rand"] = _sizes(np.random.rand, all_positional=True)
    names["randn"] = _sizes(np.random.randn, all_positional=True)
    return EraNumpy(np.random, names)


def helpers(era):
    """The names the rewritten code calls, for the program's built-ins (and its ``sum``)."""
    names = {}
    if era.float_sizes:
        names[_RESHAPE] = method_reshape
    if era.promotion:
        for fn in list(_BINOPS.values()) + list(_INPLACE.values()):
            names[_helper_name(fn)] = fn
        names["sum"] = era_sum
    if era.index:
        names[_INDEX] = legacy_index
        names[_GETITEM] = getitem
    return names


_INDEX = "__tf1_repro_era_index__"
_GETITEM = "__tf1_repro_era_getitem__"


# ---------------------------------------------------------------------------
# The rewrite of the program's syntax tree
# ---------------------------------------------------------------------------

def _call(name, args, like):
    return ast.copy_location(ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=args,
                                      keywords=[]), like)


def _pure(node):
    """A name or ``a.b.c``: safe to evaluate twice."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _literal_key(node):
    """A subscript key that can never be a list (``a[0]``, ``a[1:]``, ``a[i, j]``, ``a[-1]``)."""
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, (ast.Constant, ast.Slice, ast.Tuple))


class Rewrite(ast.NodeTransformer):
    """Routes the program's operators and subscripts through the era's helpers."""

    def __init__(self, era):
        self.era = era

    def visit_BinOp(self, node):
        self.generic_visit(node)
        ops = _OPERATORS.get(type(node.op))
        if not self.era.promotion or ops is None:
            return node
        return _call(_helper_name(_BINOPS[ops[0]]), [node.left, node.right], node)

    def visit_AugAssign(self, node):
        ops = _OPERATORS.get(type(node.op))
        if not self.era.promotion or ops is None:
            self.generic_visit(node)
            return node
        if isinstance(node.target, (ast.Subscript, ast.Attribute)) and not _pure(node.target.value):
            self.generic_visit(node)
            return node
        value = _call(_helper_name(_INPLACE[ops[1]]), [_as_load(node.target), node.value], node)
        assign = ast.copy_location(ast.Assign(targets=[node.target], value=value), node)
        return self.generic_visit(assign)

    def visit_Call(self, node):
        self.generic_visit(node)
        if (self.era.float_sizes and isinstance(node.func, ast.Attribute)
                and node.func.attr == "reshape"):
            return ast.copy_location(ast.Call(func=ast.Name(id=_RESHAPE, ctx=ast.Load()),
                                              args=[node.func.value, *node.args],
                                              keywords=node.keywords), node)
        return node

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if not self.era.index or _literal_key(node.slice):
            return node
        if isinstance(node.ctx, ast.Load):
            return _call(_GETITEM, [node.value, node.slice], node)
        if _pure(node.value):
            node.slice = _call(_INDEX, [_as_load(node.value), node.slice], node.slice)
        return node


def rewrite(tree, era):
    """The tree with the era's rules (in place); unchanged when the era needs none."""
    if not era.rewrites:
        return tree
    return ast.fix_missing_locations(Rewrite(era).visit(tree))


# ---------------------------------------------------------------------------
# ``import numpy``: NumPy with the names the era had
# ---------------------------------------------------------------------------

def _asscalar(a):
    return a.item()


def _alen(a):
    return len(np.array(a, ndmin=1))


def _in1d(ar1, ar2, assume_unique=False, invert=False, **kwargs):
    return np.isin(np.ravel(ar1), ar2, assume_unique=assume_unique, invert=invert, **kwargs)


def _asfarray(a, dtype=np.float64):
    dtype = np.dtype(dtype)
    if dtype.kind not in "fc":
        dtype = np.dtype(np.float64)
    return np.asarray(a, dtype=dtype)


def _msort(a):
    return np.sort(a, axis=0)


def _reshape(a, newshape=None, order="C", **kwargs):
    """``np.reshape(a, newshape=...)``: the keyword NumPy 1.x had (2.4 removed it)."""
    if "shape" in kwargs:
        return np.reshape(a, kwargs.pop("shape"), order=order, **kwargs)
    return np.reshape(a, newshape, order=order, **kwargs)


def removed_names(era):
    """Names the era's NumPy had and today's has not (or has as something else)."""
    if not era.aliases and not era.promotion:
        return {}
    names = {}
    if era.version < (2, 0):
        names.update(
            float_=np.float64, complex_=np.complex128, unicode_=np.str_, string_=np.bytes_,
            NaN=np.nan, NAN=np.nan, Inf=np.inf, Infinity=np.inf, PINF=np.inf, infty=np.inf,
            NINF=-np.inf, PZERO=0.0, NZERO=-0.0, cfloat=np.complex128, longfloat=np.longdouble,
            singlecomplex=np.complex64, longcomplex=np.clongdouble, clongfloat=np.clongdouble,
            product=np.prod, cumproduct=np.cumprod, sometrue=np.any, alltrue=np.all,
            round_=np.round, int0=np.intp, uint0=np.uintp, bool8=np.bool_, object0=np.object_,
            str0=np.str_, bytes0=np.bytes_, void0=np.void, in1d=_in1d, asfarray=_asfarray,
            mat=np.asmatrix, msort=_msort, trapz=np.trapezoid, reshape=_reshape)
    if era.version < (1, 23):
        names.update(asscalar=_asscalar, alen=_alen)
    if era.version < (1, 18):
        names["rank"] = np.ndim
    if era.aliases:
        names.update({"int": int, "float": float, "bool": bool, "object": object, "str": str,
                      "long": int, "unicode": str, "complex": complex})
    if era.version < (1, 18):
        names["linspace"] = _sizes(np.linspace, positions=(2,), keywords=("num",))
    if era.float_sizes:
        for name in ("zeros", "ones", "empty"):
            names[name] = _sizes(getattr(np, name), positions=(0,), keywords=("shape",))
        names["full"] = _sizes(np.full, positions=(0,), keywords=("shape",))
        names["eye"] = _sizes(np.eye, positions=(0, 1), keywords=("N", "M"))
        names["identity"] = _sizes(np.identity, positions=(0,), keywords=("n",))
        names["reshape"] = _sizes(names.get("reshape", np.reshape), positions=(1,),
                                  keywords=("newshape", "shape"))
        names["tile"] = _sizes(np.tile, positions=(1,), keywords=("reps",))
        names["resize"] = _sizes(np.resize, positions=(1,), keywords=("new_shape",))
        names["random"] = _random_view()
    return names


class EraNumpy(types.ModuleType):
    """``numpy`` as the program sees it: NumPy itself plus :func:`removed_names`."""

    def __init__(self, real, names):
        super().__init__(real.__name__, real.__doc__)
        self.__dict__["_real"] = real
        self.__dict__.update(names)
        for attr in ("__file__", "__path__", "__version__", "__all__", "__spec__"):
            if hasattr(real, attr):
                self.__dict__[attr] = getattr(real, attr)

    def __getattr__(self, name):
        return getattr(self._real, name)

    def __dir__(self):
        return sorted(set(dir(self._real)) | set(self.__dict__))


def numpy_module(era):
    """What the program's ``import numpy`` gives (NumPy itself when the era needs nothing)."""
    names = removed_names(era)
    return EraNumpy(np, names) if names else np


def set_printing(era):
    """The era's print options (process-wide: the runner's process is the program's)."""
    if era.legacy_print:
        np.set_printoptions(legacy=era.legacy_print)
    if era.legacy_print == "1.13":
        _print_narrow_floats_as_float64()


def _print_narrow_floats_as_float64():
    """NumPy <= 1.13 printed float32 (and float16) arrays through their float64 values.

    ``legacy='1.13'`` of today's NumPy keeps the 1.13 layout but chooses the
    digits of a float32 array in float32 (``[[ 0.9971496]]``); NumPy 1.13
    printed ``[[ 0.99714959]]``, the float64 value to 8 digits.  Its array
    formatter is given the float64 values in that mode.
    """
    try:
        from numpy._core import arrayprint
    except ImportError:  # NumPy 1.x layout
        from numpy.core import arrayprint
    cls = arrayprint.FloatingFormat
    if getattr(cls, "_tf1_repro_float64", False):
        return
    init, call = cls.__init__, cls.__call__

    def __init__(self, data, *args, legacy=None, **kwargs):
        self._tf1_repro_widen = (legacy is not None and legacy <= 113
                                 and data.dtype.kind == "f" and data.dtype.itemsize < 8)
        if self._tf1_repro_widen:
            data = data.astype(np.float64)
        init(self, data, *args, legacy=legacy, **kwargs)

    def __call__(self, x):
        return call(self, np.float64(x) if self._tf1_repro_widen else x)

    cls.__init__, cls.__call__ = __init__, __call__
    cls._tf1_repro_float64 = True


# ---------------------------------------------------------------------------
# Python 2's print of a float
# ---------------------------------------------------------------------------

def py2_str(x):
    """Python 2's ``str(float)``: 12 significant digits, ``.0`` kept on whole numbers."""
    text = format(x, ".12g")
    if text.lstrip("-").isdigit():
        text += ".0"
    return text


def _py2_text(a):
    if type(a) is float:
        return py2_str(a)
    if type(a) is bytes:  # Python 2's str: printed as its characters, not as b'...'
        return a.decode("utf-8", "replace")
    return a


def py2_print(*args, **kwargs):
    """``print`` of a Python 2 program: floats (and byte strings) as Python 2's ``print x`` showed them."""
    return builtins.print(*(_py2_text(a) for a in args), **kwargs)
