"""``py_func`` with a custom gradient: the TF1 recipe of post 003, made safe to reuse.

The recipe (tensorflow#1095, popularised on Stack Overflow and by post 003)
registers a Python gradient function under a fresh name and builds a
``tf.py_func`` inside ``graph.gradient_override_map({"PyFunc": name})``, so
that ``tf.gradients`` calls the registered function for that op instead of
giving up (a ``PyFunc`` op has no gradient of its own).  On TensorFlow 2.x the
recipe still works in ``tf.compat.v1`` graph mode, with four traps that
:func:`py_func` closes:

* The gradient registry is process-global and refuses a name twice
  (``KeyError: Registering two gradient with name ...``).  The post drew names
  with ``np.random.randint``, which can collide and consumes the global NumPy
  RNG that TF1's MNIST ``DataSet`` shuffles with.  Names here come from a
  process-wide counter (:func:`unique_gradient_name`), so building the same
  graph twice in one process works and leaves every RNG alone.
* ``stateful=True`` makes an op of type ``PyFunc``, ``stateful=False`` one of
  type ``PyFuncStateless``.  A map with only the first key silently leaves the
  second without a gradient (``None``), so both are mapped.
* The post's ``add_grad(c, k, d, graph)`` needs a graph but the post calls
  ``add_grad(c, k, d)``; here ``graph`` is optional and defaults to the graph
  being built.
* The output of ``py_func`` has unknown shape and comes back as a list.
  ``shapes`` restores the static shape, and a single ``Tout`` dtype (not a
  list) gives a single tensor.

Overrides apply only while a graph is being built: in eager mode
``py_func`` just calls the Python function, and inside ``tf.function`` the
override map is not consulted (tensorflow#36870).  :func:`py_func` raises
:class:`EagerOverrideError` in both cases rather than return a tensor whose
gradient would silently be wrong.  ``tf.custom_gradient`` works everywhere
and is the modern replacement (see tf1_repro/posts/gradient_override.py).
"""
import itertools
import threading

import tensorflow as tf

tf1 = tf.compat.v1

# The op types tf.compat.v1.py_func creates (stateful=True / stateful=False).
PY_FUNC_OP_TYPES = ("PyFunc", "PyFuncStateless")

_counter = itertools.count()
_lock = threading.Lock()


class EagerOverrideError(RuntimeError):
    """A gradient override was requested where TensorFlow would ignore it."""


def unique_gradient_name(prefix="PyFuncGrad"):
    """The next unused name ``<prefix><n>`` from a process-wide counter."""
    with _lock:
        return f"{prefix}{next(_counter)}"


def register_gradient(grad, prefix="PyFuncGrad"):
    """Register ``grad(op, *grads)`` under a fresh name and return the name.

    A name taken by other code in the process (another copy of the recipe,
    say) is skipped, not overwritten.
    """
    while True:
        name = unique_gradient_name(prefix)
        try:
            tf.RegisterGradient(name)(grad)
        except KeyError:
            continue
        return name


def _check_graph_mode(graph, explicit):
    if not explicit and tf.executing_eagerly():
        raise EagerOverrideError(
            "py_func with grad= was called in eager mode: gradient overrides apply only while "
            "a graph is being built; build it inside `with tf.Graph().as_default():`, or use "
            "tf.custom_gradient")
    if getattr(graph, "building_function", False):
        raise EagerOverrideError(
            "py_func with grad= was called inside tf.function: gradient_override_map is not "
            "applied to function graphs (tensorflow#36870); build a tf.compat.v1 graph, or use "
            "tf.custom_gradient")


def py_func(func, inp, Tout, graph=None, stateful=True, name=None, grad=None, shapes=None):
    """``tf.compat.v1.py_func(func, inp, Tout)`` whose gradient is ``grad(op, *grads)``.

    The post's helper, with its arguments in the post's order.  ``graph`` is
    the graph the op is built in (default: the graph being built; in eager
    mode there is none, and a graph must be given or entered).
    ``Tout`` is a dtype (one output, returned as a tensor) or a list of dtypes
    (returned as a list).  ``shapes``, one per output (or one shape for a
    single output), sets the static shapes ``py_func`` loses; ``None`` leaves
    them unknown.  ``grad=None`` builds a plain ``py_func`` (no gradient).

    Raises :class:`EagerOverrideError` in eager mode or inside ``tf.function``,
    where the override would be ignored.
    """
    explicit = graph is not None
    if graph is None:
        graph = tf1.get_default_graph()
    if grad is not None:
        _check_graph_mode(graph, explicit)
    single = not isinstance(Tout, (list, tuple))
    touts = [Tout] if single else list(Tout)
    if shapes is not None and single:
        shapes = [shapes]
    if shapes is not None and len(shapes) != len(touts):
        raise ValueError(f"shapes: {len(shapes)} given for {len(touts)} outputs")
    if grad is None and not explicit:
        # Nothing to override: a plain py_func wherever we are (in eager mode
        # it simply calls ``func``).
        outs = tf1.py_func(func, inp, touts, stateful=stateful, name=name)
    elif grad is None:
        with graph.as_default():
            outs = tf1.py_func(func, inp, touts, stateful=stateful, name=name)
    else:
        grad_name = register_gradient(grad)
        with graph.as_default(), \
                graph.gradient_override_map({t: grad_name for t in PY_FUNC_OP_TYPES}):
            outs = tf1.py_func(func, inp, touts, stateful=stateful, name=name)
    # Eager py_func gives a bare tensor for a one-element Tout list; graph mode a list.
    outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    if shapes is not None:
        for out, shape in zip(outs, shapes):
            out.set_shape(shape)
    return outs[0] if single else outs
