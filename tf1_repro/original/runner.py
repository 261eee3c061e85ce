"""Running a TF 0.x/1.x (or TF2) program as it was written, in this process.

:func:`run_program` is the whole job of scripts/run_original.py after its flags
are parsed.  It must run in a process of its own: for a TF1 program it calls
``tf.compat.v1.disable_v2_behavior()`` (reference variables and graph mode,
process-wide, as TF1 was) before the program's first statement (unless the
program enables eager execution itself, TF 1.5-1.13 style), and it
replaces ``__main__``, ``sys.argv`` and the program's ``__import__``.

The program runs as ``__main__`` with ``sys.argv == [path]`` (its own argparse
or ``tf.app.flags`` see no runner flags) and its folder first on
``sys.path``, as ``python path`` would.  Its ``import tensorflow`` (and only
its own: modules it imports see the real TensorFlow) goes through a
built-in ``__import__`` that returns the TF1 API of tf1_repro.original.api,
and its ``import numpy`` NumPy with the era's names (tf1_repro.original.era).
Its ``import keras`` gets Keras 2 (tf-keras), the standalone Keras of
2016-2022 (today's ``keras`` is Keras 3), and a TF2 program's Keras
optimizer given ``lr=`` or ``decay=`` is Keras 2.0-2.10's, which took them.
Helper modules in the program's folder are read as the program is: converted
from Python 2, ruled by the same NumPy era, with the same built-ins.

Unattended (tf1_repro.original.unattended): waits for a person return at
once with a note, ``timeout`` ends a program that never ends, and a missing
package, a removed TF1 name or a failed download of the program's own data
each end the run with one line.

Seeding, ``seed`` not None:

* TF1 programs: ``random.seed(S)``, ``np.random.seed(S)`` and
  ``tf.set_random_seed(S)`` on the default graph before the first statement,
  and the same graph seed on every ``tf.Graph()`` and after every
  ``tf.reset_default_graph()``.  That is the archive's ``--seed``: the post's
  program with its seeds set at the top, so TF1's implicit op seeds.
* TF2 programs: ``tf.keras.utils.set_random_seed(S)`` (Python, NumPy and
  TensorFlow), and no v2-behaviour disabling.

Threads: ``threads >= 1`` gives every Session the archive's configuration
(tf1_repro.graph_session.session_config: 1 is the deterministic schedule), and
a TF2 program that many inter- and intra-op threads; ``threads == 0`` leaves
the program's own session configuration and TensorFlow's thread pools alone.
Either way sessions place softly, so ``tf.device('/gpu:1')`` runs on the CPU
(with one note).
"""
import builtins
import dataclasses
import importlib.abc
import importlib.machinery
import os
import random
import re
import sys
import traceback
import types

from tf1_repro.errors import ReproError
from tf1_repro.original import api, datasets, source
from tf1_repro.original import era as era_rules
from tf1_repro.original import unattended


@dataclasses.dataclass
class Options:
    """How to run one program (the runner's flags)."""
    program: str
    seed: int | None = None
    data_dir: str | None = None
    threads: int = 1
    batch_order: str = "tf1.0"
    api: str = "auto"  # "auto", "tf1" or "tf2"
    numpy: str = "auto"  # "auto" or a NumPy version whose rules the program gets (era.py)
    print_floats: str = "auto"  # "auto", "py2" or "py3": how print shows a float
    timeout: float | None = None  # seconds; None: no limit


@dataclasses.dataclass
class Prepared:
    """A program read, converted and compiled, before anything of TensorFlow is imported."""
    path: str
    code: types.CodeType
    python2: bool
    api: str
    py2_print: bool  # print floats as Python 2 did
    era: era_rules.Era
    gpu: bool = False  # the program names a GPU device
    eager: bool = False  # a TF 1.x eager program (tf.enable_eager_execution())


def _compile(text, path, display, era, print_floats="auto"):
    """(code, python2, py2_print) for one file of the program (its own or a helper beside it).

    Floats print as Python 2 printed them (``print_floats="auto"``) in a
    Python 2 file, and in one that imports ``print_function`` from
    ``__future__``: such a file was written to run on Python 2, and its
    authors' recorded outputs show Python 2's ``0.92``.
    """
    python2 = source.is_python2(text)
    py2_print = print_floats == "py2" or print_floats == "auto" and (
        python2 or source.future_print_function(text))
    if python2:
        text = source.convert_python2(text, display)
    return source.compile_program(text, path, python2, era), python2, py2_print


def prepare(options):
    """Read, convert and compile the program; decide TF1 or TF2 and the NumPy era.  Raises UsageError."""
    path = os.path.abspath(options.program)
    text = source.read_program(options.program)
    which = options.api if options.api != "auto" else source.detect_api(text)
    eager = which == "tf1" and "enable_eager_execution" in source.code_names(text)
    era = (era_rules.parse(options.numpy) if options.numpy != "auto"
           else era_rules.default(which, eager=eager))
    code, python2, py2_print = _compile(text, path, options.program, era, options.print_floats)
    gpu = bool(re.search(r"""["'](/device:)?/?gpu:""", text, re.IGNORECASE))
    return Prepared(path=path, code=code, python2=python2, api=which, py2_print=py2_print,
                    era=era, gpu=gpu,
                    eager=eager)


class _Imports:
    """The program's ``__import__`` and ``__builtins__`` (one per Python flavour of its files)."""

    def __init__(self, shim, era, notes=None, print_floats="auto"):
        self.shim = shim
        self.print_floats = print_floats
        self.era = era
        self.numpy = era_rules.numpy_module(era)
        self.notes = notes or unattended.Notes()
        self._builtins = {}

    def __import__(self, name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == "tensorflow" or name.startswith("tensorflow.")):
            found = api.resolve_import(self.shim, name, fromlist)
            if found is not None:
                return found
            module = builtins.__import__(name, globals, locals, fromlist, level)
            return module if fromlist else self.shim
        if level == 0 and (name == "keras" or name.startswith("keras.")):
            # Standalone Keras of 2016-2022 was Keras 2; today's `keras` is Keras 3.
            self.notes.once("keras", "import keras: Keras 2 (the tf-keras package), as the "
                            "program was written for; today's keras is Keras 3")
            return builtins.__import__("tf_keras" + name[len("keras"):], globals, locals,
                                       fromlist, level)
        module = builtins.__import__(name, globals, locals, fromlist, level)
        if name.startswith("matplotlib"):
            unattended.quiet_pyplot(self.notes)
        if level == 0 and name == "numpy" or (name.startswith("numpy.") and not fromlist):
            return self.numpy
        if level == 0 and name == "numpy.random" and fromlist:
            return getattr(self.numpy, "random", module)  # the era's np.random (float sizes)
        return module

    def _python2_import(self, name, globals=None, locals=None, fromlist=(), level=0):
        """A Python 2 file's ``__import__``: its ``math`` is Python 2's (:func:`source.py2_math`)."""
        if level == 0 and name == "math":
            return source.py2_math()
        return self.__import__(name, globals, locals, fromlist, level)

    def builtins(self, python2, py2_print):
        """The ``__builtins__`` of a file of the program."""
        key = python2, py2_print
        if key not in self._builtins:
            namespace = dict(vars(builtins))
            namespace["__import__"] = self._python2_import if python2 else self.__import__
            namespace.update(era_rules.helpers(self.era))
            if not _interactive():
                namespace["input"] = unattended.answered_input(self.notes)
            if python2:
                _python2_builtins(namespace, self.era)
            if py2_print:
                namespace["print"] = era_rules.py2_print
            self._builtins[key] = namespace
        return self._builtins[key]


def _interactive():
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _python2_builtins(namespace, era):
    """What a converted Python 2 file calls: ``reduce`` & co., Python 2's ``round``
    (and, through its ``__import__``, ``math``),
    ``exec`` / ``eval`` of Python 2 strings and the ``/`` of :func:`source.py2_div`."""
    import functools
    import importlib
    namespace.setdefault("reduce", functools.reduce)
    namespace.setdefault("intern", sys.intern)
    namespace.setdefault("reload", importlib.reload)
    namespace["round"] = source.py2_round
    namespace["exec"] = _python2_exec_or_eval(builtins.exec, "exec", era, namespace)
    namespace["eval"] = _python2_exec_or_eval(builtins.eval, "eval", era, namespace)
    if era.promotion:
        namespace[source.PY2_DIV_NAME] = functools.partial(
            source.py2_div, true_div=era_rules.true_div, floor_div=era_rules.floor_div)
    else:
        namespace[source.PY2_DIV_NAME] = source.py2_div


def _python2_exec_or_eval(run, mode, era, namespace):
    """``exec`` / ``eval`` of a Python 2 file: a string of code is Python 2 too.

    Without ``globals`` they act in the caller's namespace, as the built-ins
    do; a ``globals`` of the program's own gets the file's built-ins (its
    Python 2 ``/``, print and names).
    """
    def python2(code, globals=None, locals=None, /):
        if globals is None:
            frame = sys._getframe(1)
            globals, locals = frame.f_globals, frame.f_locals if locals is None else locals
            del frame
        else:
            globals.setdefault("__builtins__", namespace)
        if isinstance(code, bytes):
            code = code.decode("utf-8")
        if isinstance(code, str):
            code = source.compile_python2_string(code, mode, era)
        return run(code, globals, globals if locals is None else locals)
    python2.__name__ = mode
    return python2


class _LocalModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports of the helper modules beside the program, read as the program is.

    A module found in the program's folder (``import utils``, a package
    ``from model import net``) is converted from Python 2 when it is Python 2
    and gets the same TF1 API, NumPy era and built-ins as the program.  A
    copy of TF1's ``input_data.py`` (which downloads MNIST from a server long
    gone) is served by the archive's loader, as the TF1 module of that name.
    """

    def __init__(self, folder, imports):
        self.folder = os.path.realpath(folder)
        self.imports = imports

    def _inside(self, path):
        return os.path.realpath(path).startswith(self.folder + os.sep)

    def find_spec(self, fullname, path=None, target=None):
        search = [self.folder] if path is None else [p for p in path if self._inside(p)]
        if not search or (path is not None and len(search) != len(list(path))):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, search)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return None
        if not self._inside(spec.origin):
            return None
        spec.loader = self
        return spec

    def _tf1_input_data(self, module):
        """TF1's ``input_data.py`` copied beside the program (it downloads MNIST itself)."""
        if module.__name__ != "input_data":
            return False
        try:
            with open(module.__spec__.origin, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            return False
        return "def read_data_sets" in text and "mnist" in text.lower()

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        try:
            served = self.imports.shim.examples.tutorials.mnist.input_data
        except AttributeError:  # a TF2 program: today's TensorFlow, no TF1 loader
            served = None
        if served is not None and self._tf1_input_data(module):
            module.__dict__.update({k: v for k, v in vars(served).items() if not k.startswith("__")})
            self.imports.notes.once("input_data", "input_data.py beside the program: MNIST is "
                                    "read by the archive's TF1 loader (--data_dir)")
            return
        path = module.__spec__.origin
        code, python2, py2_print = _compile(source.read_program(path), path, path,
                                           self.imports.era, self.imports.print_floats)
        module.__builtins__ = self.imports.builtins(python2, py2_print)
        exec(code, module.__dict__)


def _session_configurator(threads):
    """The configuration every Session of the program runs with.

    Soft placement always: a program written for a machine with GPUs
    (``tf.device('/gpu:1')``) runs its ops on the CPU, as TF 1.x did with
    ``allow_soft_placement``, instead of stopping.
    """
    import tensorflow as tf

    from tf1_repro.graph_session import session_config

    def configure(config):
        ours = session_config(threads) if threads else tf.compat.v1.ConfigProto()
        merged = type(ours)()
        if config is not None:
            merged.CopyFrom(config)
        merged.MergeFrom(ours)
        merged.allow_soft_placement = True
        return merged
    return configure


def _setup_tf1(options, log, eager=False):
    """The TF1 API; graph mode, or for a TF 1.x eager program (``eager``) eager execution."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.compat.v1.layers and rnn_cell need Keras 2
    import numpy as np
    import tensorflow as tf

    from tf1_repro import graph_session  # noqa: F401  (quiets TF's deprecation warnings first)
    if eager:
        if options.threads:
            tf.config.threading.set_inter_op_parallelism_threads(options.threads)
            tf.config.threading.set_intra_op_parallelism_threads(options.threads)
    else:
        tf.compat.v1.disable_v2_behavior()
    # The TF1 names the program uses are the point, not a mistake to warn about.
    import warnings
    warnings.filterwarnings("ignore", message=r".*is deprecated and will be removed in a future",
                            category=UserWarning)
    input_data = api.make_input_data(options.data_dir, options.batch_order)
    shim = api.build(tf, session_config=_session_configurator(options.threads),
                     seed=options.seed, input_data=input_data, eager=eager)
    if options.seed is not None:
        random.seed(options.seed)
        np.random.seed(options.seed)
        tf.compat.v1.set_random_seed(options.seed)
    log("TF1 program: %s, seed %s, threads %s, batch order %s",
        "eager execution (it enables it)" if eager else "v2 behaviour disabled",
        options.seed, options.threads, options.batch_order)
    return shim


def _setup_tf2(options, log):
    # The archive's TF2 post (004) is Keras 2 code; tf-keras keeps it running.
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    import tensorflow as tf

    if options.threads:
        tf.config.threading.set_inter_op_parallelism_threads(options.threads)
        tf.config.threading.set_intra_op_parallelism_threads(options.threads)
    if options.seed is not None:
        tf.keras.utils.set_random_seed(options.seed)
    _old_optimizer_arguments(tf, log)
    log("TF2 program: eager, seed %s, threads %s", options.seed, options.threads)
    return tf


KERAS_OPTIMIZERS = ("SGD", "Adam", "Adamax", "Adagrad", "Adadelta", "RMSprop", "Nadam", "Ftrl")


def _old_optimizer_arguments(tf, log):
    """``tf.keras.optimizers.X(lr=..., decay=...)`` builds Keras 2.0-2.10's optimizer X.

    Until TF 2.10 Keras' optimizers took ``lr`` for ``learning_rate`` and a
    ``decay`` of the rate; the optimizers of Keras >= 2.11 (tf-keras 2.21's)
    log a warning and train at their default rate instead of ``lr`` (0.01 for
    SGD where the program said 0.5), and refuse ``decay``.  A program that
    passes either was written for the old optimizers, which tf-keras keeps as
    ``tf.keras.optimizers.legacy.X``: such a call builds that one, with a
    note on standard error.  Calls without them are untouched, so post 004's
    ``Adam()`` stays today's optimizer.
    """
    import importlib
    modules = [tf.keras.optimizers]
    for name in ("tensorflow.keras.optimizers", "tf_keras.optimizers"):
        try:
            modules.append(importlib.import_module(name))
        except ImportError:
            pass
    legacy = getattr(tf.keras.optimizers, "legacy", None)
    if legacy is None:
        return
    for name in KERAS_OPTIMIZERS:
        new, old = getattr(tf.keras.optimizers, name, None), getattr(legacy, name, None)
        if new is None or old is None:
            continue

        def __new__(cls, *args, _new=new, _old=old, _name=name, **kwargs):
            given = [k for k in ("lr", "decay") if k in kwargs]
            if given:
                log("tf.keras.optimizers.%s(%s=...): Keras 2.0-2.10's optimizer, as the "
                    "program was written for (tf.keras.optimizers.legacy.%s)",
                    _name, "=..., ".join(given), _name)
                return _old(*args, **kwargs)
            return _new.__new__(cls)

        taking = type(name, (new,), {"__new__": __new__, "__module__": new.__module__,
                                     "__qualname__": new.__qualname__, "__doc__": new.__doc__})
        for module in modules:
            if getattr(module, name, None) is new:
                setattr(module, name, taking)


class ProgramFailed(Exception):
    """The program raised; ``exit_code`` is what the runner exits with."""

    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code


def _program_line(tb, path):
    """The innermost line of the program's own file in a traceback."""
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == path:
            line = lineno
    return line


def _program_traceback(exc, path):
    """The traceback from the program's first frame on (the runner's frames left out)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != path:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))


def _raised(program, path, exc, width=300):
    """The last line for an exception of the program's own: ``NAME:57: ValueError: message``.

    Its line is the innermost of the program's file; the message is the
    exception's first line (a missing file: ``FileNotFoundError: [Errno 2] No
    such file or directory: 'data.csv'``), cut at ``width`` characters.
    """
    line = _program_line(exc.__traceback__, path)
    where = f"{program}:{line}" if line else program
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(message) > width:
        message = message[:width - 3] + "..."
    return f"{where}: {type(exc).__name__}" + (f": {message}" if message else "")


def run_program(options, log=lambda *args: None):
    """Run the program; return its exit status, or raise UsageError / ProgramFailed."""
    prepared = prepare(options)
    unattended.headless_matplotlib()
    log("%s: %s, %s", options.program, "Python 2 (converted)" if prepared.python2 else "Python 3",
        prepared.api.upper())
    if prepared.api == "tf1":
        tf_module = _setup_tf1(options, log, eager=prepared.eager)
    else:
        tf_module = _setup_tf2(options, log)
    datasets.serve_keras_mnist(options.data_dir)
    era_rules.set_printing(prepared.era)
    log("%s%s", prepared.era.describe(),
        "; Python 2 print of floats" if prepared.py2_print else "")
    notes = unattended.Notes()
    if prepared.gpu:
        notes.once("gpu", "the program's GPU devices (/gpu:N) run on the CPU (no GPU here)")
    imports = _Imports(tf_module, prepared.era, notes, options.print_floats)

    main = types.ModuleType("__main__")
    main.__file__ = prepared.path
    main.__builtins__ = imports.builtins(prepared.python2, prepared.py2_print)
    saved = sys.modules.get("__main__"), list(sys.argv), list(sys.path)
    sys.modules["__main__"] = main
    sys.argv[:] = [options.program]
    sys.path.insert(0, os.path.dirname(prepared.path))
    local = _LocalModules(os.path.dirname(prepared.path), imports)
    sys.meta_path.insert(0, local)
    folder = os.path.realpath(os.path.dirname(prepared.path))

    def own_file(filename):
        return filename == prepared.path or os.path.dirname(os.path.realpath(filename)) == folder

    try:
        with unattended.Deadline(options.timeout, options.program):
            exec(prepared.code, main.__dict__)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except (api.MissingAPI, ReproError) as e:
        # A TF1 name not provided, or the archive's loader refusing bad data:
        # one line naming the program's line that asked for it.
        line = _program_line(e.__traceback__, prepared.path)
        where = f"{options.program}:{line}" if line else options.program
        raise ProgramFailed(f"{where}: {e}", 2) from None
    except ModuleNotFoundError as e:
        line = _program_line(e.__traceback__, prepared.path)
        where = f"{options.program}:{line}" if line else options.program
        missing = unattended.missing_package(e, own_file)
        if missing and missing[0].split(".")[0] == "tensorflow":
            raise ProgramFailed(f"{where}: {api.MissingAPI('tf' + missing[0][10:])}", 2) from None
        if missing:
            raise ProgramFailed(f"{where}: the program imports {missing[0]}, which is not "
                                f"installed: pip install {missing[1]}", 2) from None
        sys.stderr.write(_program_traceback(e, prepared.path))
        raise ProgramFailed(_raised(options.program, prepared.path, e), 1) from None
    except BaseException as e:  # the program's own error: its traceback, not ours
        download = unattended.failed_download(e)
        if download is not None:
            line = _program_line(e.__traceback__, prepared.path)
            where = f"{options.program}:{line}" if line else options.program
            url, reason = download
            raise ProgramFailed(f"{where}: the program downloads {url or 'its data'} itself, "
                                f"and that failed ({reason})", 1) from None
        sys.stderr.write(_program_traceback(e, prepared.path))
        raise ProgramFailed(_raised(options.program, prepared.path, e), 1) from None
    finally:
        sys.modules["__main__"], sys.argv[:], sys.path[:] = saved[0], saved[1], saved[2]
        sys.meta_path.remove(local)
    return 0
