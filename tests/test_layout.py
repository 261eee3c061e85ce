"""One shape for every post, and a library without import cycles."""
import ast
import importlib
import importlib.util
import os

import pytest

from scriptrun import REPO
from tf1_repro import registry

PACKAGE = os.path.join(REPO, "tf1_repro")


@pytest.mark.parametrize("post", registry.POSTS)
def test_every_post_has_its_graph_run_claims_and_thin_script(post):
    for role in ("posts", "runs"):
        # Found, not imported: post 004 needs Keras 2 chosen before TensorFlow loads.
        assert importlib.util.find_spec(f"tf1_repro.{role}.{post}") is not None, (role, post)
    assert importlib.import_module(f"tf1_repro.claims.{post}").CLAIMS
    script = os.path.join(REPO, "scripts", f"{post}.py")
    tree = ast.parse(open(script).read())
    # A thin script: flag definitions, a config from the flags, and main()
    # calling the post's run module; nothing else is defined there.
    functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert set(functions) <= {"main", "config_from_flags", "post_config", "impdrop_config"}, functions
    assert not [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assert f"tf1_repro.runs import {post} as runs" in open(script).read().replace("\n", " ")
    assert [g for g in registry.GOLDENS if g.post == post and not g.slow], \
        f"{post}: no golden in the default suite"


def test_the_archives_additions_to_a_post_build_on_it_and_stay_out_of_it():
    """posts/<post>_archive.py imports posts/<post>.py, never the other way.

    posts/<post>.py is the file to read beside the post; the archive's
    additions (an in-graph loop, a seed study, a run's figures, a TF1 twin)
    live in posts/<post>_archive.py and use the post's functions.  A post
    module that imported its additions would pull them back into the post's
    code; so would one that imported any other module built on it (post 004's
    worked exercises, posts/tf2_backprop_exercises.py).
    """
    with_additions = [p for p in registry.POSTS
                      if os.path.exists(os.path.join(PACKAGE, "posts", f"{p}_archive.py"))]
    assert {"nielsen_mlp", "nielsen_book", "tf2_backprop", "decoupled_rnn"} <= set(with_additions)
    for post in with_additions:
        module, additions = f"tf1_repro.posts.{post}", f"tf1_repro.posts.{post}_archive"
        assert module in _imports(_path_of(additions), additions), post
        assert additions not in _imports(_path_of(module), module), post
    for post in registry.POSTS:
        module = f"tf1_repro.posts.{post}"
        assert not [m for m in _imports(_path_of(module), module) if m.startswith(module + "_")], post


def _imports(path, module):
    """The tf1_repro modules a file imports (at any depth: lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("tf1_repro"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tf1_repro"):
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if os.path.exists(_path_of(sub) or "") else node.module)
    found.discard(module)
    return found


def _path_of(module):
    rel = module.split(".")[1:]
    base = os.path.join(PACKAGE, *rel)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.exists(candidate):
            return candidate
    return None


def test_the_library_has_no_import_cycles():
    graph = {}
    for root, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, REPO)[:-3].replace(os.sep, ".")
                module = rel[:-len(".__init__")] if rel.endswith(".__init__") else rel
                graph[module] = {m for m in _imports(path, module) if _path_of(m)}
    # A package's __init__ imported by its own modules is not a cycle of the code.
    for module in graph:
        graph[module] = {m for m in graph[module] if not module.startswith(m + ".")}
    state = {}

    def visit(m, stack):
        state[m] = "open"
        for n in sorted(graph.get(m, ())):
            if state.get(n) == "open":
                cycle = stack[stack.index(n):] + [n]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if n not in state:
                visit(n, stack + [n])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert "tf1_repro.posts.nielsen_mlp" in graph and len(graph) > 20
