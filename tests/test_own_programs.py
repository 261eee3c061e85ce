"""The posts' own programs, run unmodified by scripts/run_original.py, print what the archive prints.

Each post's program was published as screenshots or in pieces, and the
archive does not ship the authors' files.  The programs in tests/programs/
named here are the project's reconstructions, written from the post texts
(shared/seeds/) and the headers of tf1_repro/posts/*.py, in the posts' own
style (module docs say what each is):

* seo_decoupled_rnn_tf.py: posts 000/001, Seo's TensorFlow decoupled RNN;
* seo_decoupled_rnn_numpy.py: its NumPy predecessor (tf1_repro/reference/seo_numpy.py);
* aloni_backprop.py: post 002, Aloni's 784-30-10 network (Python 2);
* override_backprop.py: post 003's network with its py_func gradient;
* post004_*.py: post 004's listings (TF2, Keras 2).

Each test runs a program through the runner with the archive's seed and the
archive's script with the same settings, and compares standard output line
for line.  The default suite runs short versions: the test writes a copy of
the program with its epoch or step count lowered by one text substitution
(asserted to match exactly once) and gives the script the matching flag.
These differences are the archive's own and are allowed for, nothing else:

* the ``Extracting ...`` lines name the folder the program names
  (``MNIST_data/``), as its transcript did, where the scripts name
  ``--data_dir``; the file names are compared;
* scripts/decoupled_rnn.py and ``python -m tf1_repro.reference.seo_numpy``
  end with a ``correct: N of M`` line the programs never printed; N is
  checked against the program's own rounded outputs;
* post 004: ``model.predict``'s progress bar, which the archive turns off
  (its timings change from run to run), and the line comparing the
  clipped run with an unclipped one, which the archive adds.

Post 004's CNN is compared on the first 2000 training and 1000 test images
for one epoch (the program's own slices and ``EPOCHS``, and the script's
``--cnn_*`` flags): it reads MNIST through the runner's
``tf.keras.datasets.mnist`` and scales it as the post does, float64 ``x / 255.0``.
"""
import ast
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import forkserver
from scriptrun import REPO, data_dir, run_script

PROGRAMS = os.path.join(REPO, "tests", "programs")


def run_original(program, *args):
    env = dict(os.environ)
    env.setdefault("TF1_REPRO_DATA_DIR", data_dir())
    cmd = [sys.executable, os.path.join(REPO, "scripts", "run_original.py"),
           f"--program={program}", *args]
    proc = forkserver.run("run_original", cmd, env, REPO, 1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def copy_of(tmp_path, name, replacements=()):
    """tests/programs/<name> written to ``tmp_path`` with each (old, new) replaced; its path.

    Every ``old`` must occur exactly once, so a program that changes cannot
    silently run at full length or in the other mode.
    """
    with open(os.path.join(PROGRAMS, name), encoding="utf-8") as f:
        text = f.read()
    for old, new in replacements:
        assert text.count(old) == 1, (name, old)
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def lines_of(stdout):
    """Standard output as lines, ``Extracting <folder>/<file>`` as ``Extracting <file>``."""
    return [f"Extracting {os.path.basename(line[len('Extracting '):])}"
            if line.startswith("Extracting ") else line for line in stdout.splitlines()]


def without_count(archive, rounded, labels):
    """The archive's lines without its closing ``correct: N of M``, N checked against the program's rows."""
    right = sum(int(r == lab) for r, lab in zip(rounded, labels))
    assert archive[-1] == f"correct: {right} of {len(labels)}"
    return archive[:-1]


# ---------------------------------------------------------------------------
# Posts 000/001: Seo's TensorFlow decoupled RNN
# ---------------------------------------------------------------------------

SEO_EPOCHS = 3
SEO_ROW = re.compile(r"^(\d+)  :  \[\[(\S+)\]\]  :  \[\[(\S+)\]\]  :  \[(\d)\]$")
SEO_MANUAL = """\
            output = sess.run([cost, update, h_update],
                              feed_dict={x: current_image, y: current_label})
            # automatic differentiation instead:
            # output = sess.run([cost, cost_auto, h_update],
            #                   feed_dict={x: current_image, y: current_label})
"""
SEO_AUTODIFF = """\
            # output = sess.run([cost, update, h_update],
            #                   feed_dict={x: current_image, y: current_label})
            # automatic differentiation instead:
            output = sess.run([cost, cost_auto, h_update],
                              feed_dict={x: current_image, y: current_label})
"""


def seo_rows(lines):
    """(rounded outputs, labels) of the test-image rows."""
    rows = [SEO_ROW.match(line) for line in lines]
    rows = [m for m in rows if m]
    return [int(float(m.group(3))) for m in rows], [int(m.group(4)) for m in rows]


@pytest.fixture(scope="module")
def seo_archive(tmp_path_factory):
    """scripts/decoupled_rnn.py, the post's defaults, SEO_EPOCHS epochs."""
    out = tmp_path_factory.mktemp("decoupled_rnn")
    proc, _ = run_script("decoupled_rnn", f"--epochs={SEO_EPOCHS}", "--nooracle_quality",
                         output_dir=str(out))
    return lines_of(proc.stdout)


def test_seo_tf_program_prints_the_archives_transcript(tmp_path, seo_archive):
    """Seo's program (seed 678 as it seeds itself, NumPy 1.14's rules: February 2018) prints
    the archive's lines byte for byte: the float64 sums of each epoch's costs (the
    program's ``total_cost = 0`` plus float32 scalars) and the 20 test rows."""
    program = copy_of(tmp_path, "seo_decoupled_rnn_tf.py",
                      [("num_epoch = 100\n", f"num_epoch = {SEO_EPOCHS}\n")])
    proc = run_original(program, "--seed=678", "--numpy=1.14")
    ours = lines_of(proc.stdout)
    assert len(ours) == 4 + SEO_EPOCHS + 20
    assert ours[4].startswith("Current Iter:  0  current cost:  15.")
    assert ours == without_count(seo_archive, *seo_rows(ours))
    assert "plt.show() returned at once" in proc.stderr


def test_seo_tf_program_on_the_runners_default_numpy_prints_the_same_numbers(tmp_path, seo_archive):
    """Under the runner's default NumPy rules for TF1 programs (1.13) the numbers are the
    archive's, printed as NumPy 1.13 printed them: float64 scalars to 12 significant
    digits, float32 arrays through their float64 values, ``[[ 0.]]``."""
    program = copy_of(tmp_path, "seo_decoupled_rnn_tf.py",
                      [("num_epoch = 100\n", f"num_epoch = {SEO_EPOCHS}\n")])
    ours = lines_of(run_original(program, "--seed=678").stdout)
    expected = []
    with np.printoptions(legacy="1.13"):
        for line in seo_archive[:-1]:
            cost = re.match(r"^(Current Iter:  \d+  current cost:  )(\S+)$", line)
            row = SEO_ROW.match(line)
            if cost:
                line = cost.group(1) + str(np.float64(cost.group(2)))
            elif row:
                value = np.array([[np.float32(row.group(2))]])
                line = (f"{row.group(1)}  :  {value.astype(np.float64)}  :  {np.round(value)}  :  "
                        f"[{row.group(4)}]")
            expected.append(line)
    assert ours == expected
    assert ours[4] == "Current Iter:  0  current cost:  15.3215142437"


@pytest.mark.slow
def test_seo_tf_program_autodiff_line_and_another_seed(tmp_path):
    """The post's switch: comment the manual ``sess.run``, uncomment the auto-diff one.
    With the program's two seeds set to 5 and ``--seed=5`` it prints what
    ``--mode=autodiff --seed=5`` prints."""
    epochs = 2
    program = copy_of(tmp_path, "seo_decoupled_rnn_tf.py", [
        ("num_epoch = 100\n", f"num_epoch = {epochs}\n"), (SEO_MANUAL, SEO_AUTODIFF),
        ("np.random.seed(678)\ntf.set_random_seed(678)\n", "np.random.seed(5)\ntf.set_random_seed(5)\n")])
    ours = lines_of(run_original(program, "--seed=5", "--numpy=1.14").stdout)
    proc, _ = run_script("decoupled_rnn", f"--epochs={epochs}", "--mode=autodiff", "--seed=5",
                         "--nooracle_quality", output_dir=str(tmp_path / "run"))
    assert len(ours) == 4 + epochs + 20
    assert ours == without_count(lines_of(proc.stdout), *seo_rows(ours))


@pytest.mark.slow
def test_seo_tf_program_full_length(tmp_path):
    """The post's 100 epochs: all 100 cost lines and the 20 rows."""
    ours = lines_of(run_original(os.path.join(PROGRAMS, "seo_decoupled_rnn_tf.py"), "--seed=678",
                                 "--numpy=1.14").stdout)
    proc, _ = run_script("decoupled_rnn", "--nooracle_quality", output_dir=str(tmp_path / "run"))
    assert len(ours) == 4 + 100 + 20
    assert ours == without_count(lines_of(proc.stdout), *seo_rows(ours))


# ---------------------------------------------------------------------------
# Seo's NumPy predecessor
# ---------------------------------------------------------------------------

NUMPY_ROW = re.compile(r"^Results :  \S+ Results Rounded:  (\S+)  GT:  \[(\d)\]$")


def numpy_rows(lines):
    rows = [m for m in (NUMPY_ROW.match(line) for line in lines) if m]
    return [int(float(m.group(1))) for m in rows], [int(m.group(2)) for m in rows]


def seo_numpy_archive(*args):
    env = dict(os.environ)
    env.setdefault("TF1_REPRO_DATA_DIR", data_dir())
    proc = subprocess.run([sys.executable, "-m", "tf1_repro.reference.seo_numpy", *args],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return lines_of(proc.stdout)


def test_seo_numpy_program_prints_what_the_archive_prints(tmp_path):
    """Seo's NumPy program with ``--seed=678`` (its own np.random.seed(678), kept in force)
    prints ``python -m tf1_repro.reference.seo_numpy``'s lines byte for byte."""
    program = copy_of(tmp_path, "seo_decoupled_rnn_numpy.py", [("num_epoch = 50\n", "num_epoch = 1\n")])
    ours = lines_of(run_original(program, "--seed=678", "--numpy=1.14").stdout)
    archive = seo_numpy_archive("--num_epoch=1")
    assert len(ours) == 4 + 1 + 15
    assert ours == without_count(archive, *numpy_rows(ours))


@pytest.mark.slow
def test_seo_numpy_program_full_length(tmp_path):
    ours = lines_of(run_original(os.path.join(PROGRAMS, "seo_decoupled_rnn_numpy.py"), "--seed=678",
                                 "--numpy=1.14").stdout)
    assert len(ours) == 4 + 50 + 15
    assert ours == without_count(seo_numpy_archive(), *numpy_rows(ours))


# ---------------------------------------------------------------------------
# Post 002: Aloni's 784-30-10 network
# ---------------------------------------------------------------------------

ALONI_STEPS = 2001
ALONI_AUTODIFF = ("# cost = tf.multiply(diff, diff)\n# step = tf.train",
                  "cost = tf.multiply(diff, diff)\nstep = tf.train")


# The default suite runs the manual list; -m slow adds the auto-diff lines.
@pytest.mark.parametrize("mode, batch_order, seed", [
    ("manual", "tf1.0", 0), pytest.param("autodiff", "tf1.1", 3, marks=pytest.mark.slow)])
def test_aloni_program_prints_what_the_archive_prints(tmp_path, mode, batch_order, seed):
    """The Python 2 program's ``print res`` lines (``836.0``) are scripts/nielsen_mlp.py's,
    in the TF 1.0 batch order (file order) and in TF 1.1's (shuffled with the
    seeded NumPy), for the manual update list and the post's auto-diff lines."""
    replacements = [("xrange(10000)", f"xrange({ALONI_STEPS})")]
    if mode == "autodiff":
        replacements.append(ALONI_AUTODIFF)
    program = copy_of(tmp_path, "aloni_backprop.py", replacements)
    ours = lines_of(run_original(program, f"--seed={seed}", f"--batch_order={batch_order}").stdout)
    proc, _ = run_script("nielsen_mlp", f"--steps={ALONI_STEPS}", f"--seed={seed}", f"--mode={mode}",
                         f"--batch_order={batch_order}", output_dir=str(tmp_path / "run"))
    assert len(ours) == 4 + 3
    assert ours[:4] == ["Extracting train-images-idx3-ubyte.gz", "Extracting train-labels-idx1-ubyte.gz",
                        "Extracting t10k-images-idx3-ubyte.gz", "Extracting t10k-labels-idx1-ubyte.gz"]
    assert all(re.fullmatch(r"\d+\.0", line) for line in ours[4:])
    assert ours == lines_of(proc.stdout)


@pytest.mark.slow
def test_aloni_program_full_length(tmp_path):
    """The post's 10 000 steps: past the end of the first epoch (step 5500), where TF 1.0's
    DataSet reshuffled with NumPy's global RNG."""
    ours = lines_of(run_original(os.path.join(PROGRAMS, "aloni_backprop.py"), "--seed=0").stdout)
    proc, _ = run_script("nielsen_mlp", "--seed=0", output_dir=str(tmp_path / "run"))
    assert len(ours) == 4 + 10
    assert ours == lines_of(proc.stdout)


# ---------------------------------------------------------------------------
# Post 003: the py_func gradient override
# ---------------------------------------------------------------------------

OVERRIDE_STEPS = 300


def parse_override(lines):
    """The program's two blocks: {"tf.add(c, k)" / "add_grad(c, k, d)": values}."""
    blocks, current = {}, None
    for line in lines:
        if line.startswith("e = "):
            current = blocks.setdefault(line[4:], {"losses": []})
            continue
        word, _, rest = line.partition(" ")
        if word == "c":
            c, k = rest.split(" k ")
            current["c"], current["k"] = ast.literal_eval(c), ast.literal_eval(k)
        elif word == "loss":
            current["loss"] = float(rest)
        elif word == "dc":
            dc, dk = rest.split(" dk ")
            current["dc"], current["dk"] = ast.literal_eval(dc), ast.literal_eval(dk)
        else:
            current["losses"].append((int(word), float(rest)))
    return blocks


def test_override_program_prints_the_archives_numbers(tmp_path):
    """Post 003's network with ``e = tf.add(c, k)`` and with ``e = add_grad(c, k, d)``: the
    same start, forward loss, gradients and Adam losses as scripts/gradient_override.py,
    to the last bit of each float32 (results.json), and each in the archive's lines."""
    program = copy_of(tmp_path, "override_backprop.py",
                      [("num_steps = 1000\n", f"num_steps = {OVERRIDE_STEPS}\n")])
    ours = parse_override(run_original(program, "--seed=0").stdout.splitlines())
    proc, results = run_script("gradient_override", "--part=post", f"--steps={OVERRIDE_STEPS}",
                               "--seed=0", output_dir=str(tmp_path / "run"))
    figs, archive = results["figures"], proc.stdout.splitlines()
    true, post = ours["tf.add(c, k)"], ours["add_grad(c, k, d)"]
    for block in (true, post):
        assert (block["c"], block["k"]) == (figs["c"], figs["k"])
    assert (true["loss"], post["loss"]) == (figs["loss_tf_add"], figs["loss_add_grad"])
    assert true["dc"] + true["dk"] == figs["grad_true"]
    assert post["dc"] + post["dk"] == figs["grad_post"]
    assert [true["loss"]] + [v for _, v in true["losses"]] == figs["train_losses_tf_add"]
    assert [post["loss"]] + [v for _, v in post["losses"]] == figs["train_losses_add_grad"]

    assert "forward: loss with e = tf.add(c, k)       = %.8f" % true["loss"] in archive
    assert "forward: loss with e = add_grad(c, k, d)  = %.8f" % post["loss"] in archive
    fmt = lambda v: np.array2string(np.asarray(v, dtype=np.float64), precision=6,  # noqa: E731
                                    floatmode="fixed", separator=", ")
    assert any(line.startswith(f"c = {fmt(true['c'])}   k = {fmt(true['k'])}   ") for line in archive)
    assert any(line.endswith(f"dc = {fmt(post['dc'])}  dk = {fmt(post['dk'])}") for line in archive)
    table = archive[archive.index(f"{'step':>6} {'tf.add':>12} {'add_grad':>12}") + 1:]
    steps = [(0, true["loss"], post["loss"])] + [
        (s, lt, lp) for (s, lt), (_, lp) in zip(true["losses"], post["losses"])]
    assert table == [f"{s:>6} {lt:>12.8f} {lp:>12.8f}" for s, lt, lp in steps]


# ---------------------------------------------------------------------------
# Post 004: the TF2 listings
# ---------------------------------------------------------------------------

XOR_EPOCHS = 200
CNN_TRAIN, CNN_TEST = 2000, 1000
CNN_FLAGS = ("--cnn_epochs=1", f"--cnn_train_size={CNN_TRAIN}", f"--cnn_test_size={CNN_TEST}")
CNN_SHORT = [("EPOCHS = 5\n", "EPOCHS = 1\n"),
             ("(x_train, y_train), (x_test, y_test) = mnist.load_data()\n",
              "(x_train, y_train), (x_test, y_test) = mnist.load_data()\n"
              f"(x_train, y_train) = (x_train[:{CNN_TRAIN}], y_train[:{CNN_TRAIN}])\n"
              f"(x_test, y_test) = (x_test[:{CNN_TEST}], y_test[:{CNN_TEST}])\n")]
# model.predict's progress bar, as Keras 2 writes it when standard output is
# not a terminal: "\n1/1 [====] - ETA: 0s\b\b...\n1/1 [====] - 0s 40ms/step\n".
PROGRESS_BAR = re.compile(r"\n(?:\d+/\d+ \[[=>.]*\] - [^\n]*\n)+")


@pytest.fixture(scope="module")
def post004_archive(tmp_path_factory):
    """scripts/tf2_backprop.py's sections, seed 0, by name."""
    out = tmp_path_factory.mktemp("tf2_backprop")
    proc, _ = run_script("tf2_backprop", "--example=tape,xor_fit,xor_loop,clipping", "--seed=0",
                         f"--xor_epochs={XOR_EPOCHS}", output_dir=str(out))
    sections, name = {}, None
    for line in proc.stdout.splitlines():
        m = re.fullmatch(r"== (\w+) ==", line)
        if m:
            name = m.group(1)
            sections[name] = []
        else:
            sections[name].append(line)
    return {k: v[:-1] if v and v[-1] == "" else v for k, v in sections.items()}


@pytest.mark.parametrize("section, program, replacements", [
    ("tape", "post004_tape.py", []),
    ("xor_fit", "post004_xor_fit.py", [("epochs=1000", f"epochs={XOR_EPOCHS}")]),
    pytest.param("xor_loop", "post004_xor_loop.py", [], marks=pytest.mark.slow),
    pytest.param("clipping", "post004_clipping.py", [], marks=pytest.mark.slow),
])
def test_post004_listing_prints_what_the_archive_prints(tmp_path, post004_archive, section,
                                                        program, replacements):
    """Each listing run with ``--seed=0`` prints its section of ``--example=...`` byte for byte.
    Left out: model.predict's progress bar (the archive passes ``verbose=0``: its
    timings change from run to run) and the clipping section's closing comparison
    with an unclipped run, which the archive adds."""
    ours, bars = PROGRESS_BAR.subn("", run_original(copy_of(tmp_path, program, replacements),
                                                    "--seed=0").stdout)
    assert bars == (1 if section == "xor_fit" else 0)
    ours = ours.splitlines()
    archive = post004_archive[section]
    if section == "clipping":
        assert archive[-1].startswith("clip_norm=1.0: loss sum ")
        archive = archive[:-1]
    assert ours == archive
    if section == "tape":
        assert ours == ["y = 7.0", "Gradient of y with respect to W: 2.0",
                        "Gradient of y with respect to b: 1.0"]


def test_post004_cnn_listing(tmp_path):
    """The MNIST listing, shortened, prints the archive's epoch line; a line the test adds
    prints the epoch's four metrics in full, which equal the archive's figures to the
    last bit.  (Four decimals do not tell the two pixel scalings apart on this run;
    the full floats do.)"""
    program = copy_of(tmp_path, "post004_cnn.py", CNN_SHORT + [(
        "    history['test_accuracy'].append(test_accuracy.result().numpy())\n",
        "    history['test_accuracy'].append(test_accuracy.result().numpy())\n"
        "    print('full', *[repr(float(v[-1])) for v in history.values()])\n")])
    ours = run_original(program, "--seed=0").stdout.splitlines()
    proc, results = run_script("tf2_backprop", "--example=cnn", "--seed=0", *CNN_FLAGS,
                               output_dir=str(tmp_path / "run"))
    archive = proc.stdout.splitlines()
    assert archive[0] == "== cnn =="
    assert len(ours) == 2 and ours[1] == archive[1] and archive[1].startswith("Epoch 1, Loss: ")
    figures = results["figures"]
    assert ours[0].split() == ["full"] + [repr(figures[f"cnn.{k}"][0]) for k in (
        "train_loss", "train_accuracy", "test_loss", "test_accuracy")]


@pytest.mark.slow
def test_post004_visualise_listing(tmp_path):
    """The gradient pictures: the listing prints its final predictions; a line the test adds
    to ``display_gradients`` prints what the archive prints in place of each picture."""
    program = copy_of(tmp_path, "post004_visualise.py", [(
        "def display_gradients(gradients, epoch):\n",
        "def display_gradients(gradients, epoch):\n"
        "    print(f\"Epoch {epoch}: gradient sum of squares, hidden weights "
        "{np.sum(gradients[0].numpy() ** 2):.6g}, output weights "
        "{np.sum(gradients[2].numpy() ** 2):.6g}\")\n")])
    ours, bars = PROGRESS_BAR.subn("", run_original(program, "--seed=0").stdout)
    assert bars == 1
    ours = ours.splitlines()
    proc, _ = run_script("tf2_backprop", "--example=visualise", "--seed=0",
                         output_dir=str(tmp_path / "run"))
    archive = proc.stdout.splitlines()
    assert archive[0] == "== visualise =="
    assert len(ours) == 4 + 2 + 4
    assert ours == archive[1:1 + len(ours)]
