"""What a TensorFlow release changes, traced to the op: checked against the installed release.

golden/releases.json shows posts 000/001's figures differing between
TensorFlow 2.19 and 2.20 in the 7th digit.  Traced op by op (every float
tensor of a training step dumped under both releases from the same
weights), the one op whose bits differ for equal inputs is float32 ``Tanh``;
tf1_repro/reference/eigen_tanh.py emulates both of its kernels, and these
tests hold the installed TensorFlow to the one its release should have
(so under the release matrix's older releases they check the older kernel).
"""
import numpy as np
import tensorflow as tf

from tf1_repro import releases
from tf1_repro.graph_session import new_session
from tf1_repro.reference import eigen_tanh

tf1 = tf.compat.v1


def _session_tanh(x):
    graph = tf.Graph()
    with graph.as_default():
        y = tf.tanh(tf1.placeholder_with_default(x, x.shape))
    with new_session(graph) as sess:
        return sess.run(y)


def test_installed_tanh_is_its_releases_kernel_bit_for_bit():
    x = np.linspace(-9, 9, 784 * 100, dtype=np.float32).reshape(100, 784)
    got = _session_tanh(x)
    kernel = eigen_tanh.for_release(tf.__version__)
    assert np.array_equal(got.view(np.int32), kernel(x).view(np.int32))
    # The other kernel is not the same function: the test can tell them apart.
    other = (eigen_tanh.tanh_before_2_20 if kernel is eigen_tanh.tanh_since_2_20
             else eigen_tanh.tanh_since_2_20)
    assert not np.array_equal(got.view(np.int32), other(x).view(np.int32))


def test_the_two_kernels_differ_by_a_few_ulp_on_the_rnns_range():
    x = np.linspace(-2.5, 2.5, 100_001, dtype=np.float32)  # the hidden pre-activations' range
    old = eigen_tanh.tanh_before_2_20(x).view(np.int32).astype(np.int64)
    new = eigen_tanh.tanh_since_2_20(x).view(np.int32).astype(np.int64)
    ulps = np.abs(old - new)
    assert 0 < ulps.max() <= 8 and (ulps > 0).mean() > 0.1
    true = np.tanh(x.astype(np.float64))
    err_old = np.abs(eigen_tanh.tanh_before_2_20(x) - true).mean()
    err_new = np.abs(eigen_tanh.tanh_since_2_20(x) - true).mean()
    assert err_new < err_old  # on average the new kernel is the closer one


def test_every_change_the_matrix_found_has_a_cause_and_every_cause_a_change():
    """The declared causes (tf1_repro/releases.py) against the committed record."""
    from tf1_repro import golden, matrix
    rec = releases.load()
    assert rec["environments"], "golden/releases.json is missing: python -m nox -s matrix"
    seen = set()
    for name in rec["goldens"]:
        g = golden.load(name)
        for env_id, values in releases.measured(rec, g).items():
            env = rec["environments"][env_id]
            if env.get("informational"):
                continue
            fp = env["fingerprint"]
            for fig in g["figures"]:
                if matrix.figure_status(g, fig, values)[0] == matrix.EXACT:
                    continue
                causes = releases.explained(name, fig, fp)
                assert causes, f"{name}: {fig} differs under {env['label']} and no cause explains it"
                seen.update((c["op"], env["label"]) for c in causes)
    labels = {env["label"]: env["fingerprint"] for env in rec["environments"].values()
              if not env.get("informational")}
    for cause in releases.CAUSES:
        for label, fp in labels.items():
            if cause["active"](fp):
                assert (cause["op"], label) in seen, f"{cause['op']}: in effect under {label}, changed nothing"
