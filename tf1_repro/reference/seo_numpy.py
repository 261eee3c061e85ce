"""Seo's NumPy decoupled RNN, the code the TensorFlow post (000/001) was ported from.

Post:     "Only Numpy: Decoupled Recurrent Neural Network, modified NN from
          Google Brain, Implementation with Interactive Code", Jae Duk Seo,
          3 February 2018.
URL:      https://medium.com/swlh/only-numpy-decoupled-recurrent-neural-network-modified-nn-from-google-brain-implementation-with-7f328e7899e6
Code:     JaeDukSeo/Personal_Daily_NeuralNetwork_Practice, 1_numpy/l_temp/a.py
          (commit b2429d28).

What it did, kept here: the same 0/1 pool of MNIST test images, shuffled;
**10 test and 50 training images, 50 epochs**; every weight ``randn * 0.2``
drawn after the shuffle in the order ``wx, w_rec, w_fc, w_sg_1, w_sg_2``;
the hidden state ``h`` [784, 3] starts at **zeros**; ``lr_wx = 1e-3`` (the
classifier), ``lr_wrec = 1e-5`` (W_rec and Wx), ``lr_sg = 1e-4``.  Each image
runs strictly in order (the post's "order of execution" boxes): time box 1,
its synthetic-gradient update of ``w_rec`` and ``wx``, time box 2 with the
new weights, its update, oracle 1, the classifier on this image's h2 and its
update, oracle 2.  The synthetic-gradient updates of ``w_rec`` and ``wx``
use ``h.T.dot(delta)`` on **1-D arrays**, which NumPy computes as an inner
product: a scalar, added to every entry of the 784x784 matrix (and zero for
``w_rec`` at time box 1, where h0 = 0).  ``outer=True`` reads them as the
outer products the TensorFlow post wrote; the oracle and classifier updates
are outer products either way.

With ``outer=True``, the TF post's learning rates and its random initial
state, :func:`train_step` is the NumPy twin of the TF graph under
``--ordering=sequential`` (tf1_repro/posts/decoupled_rnn.py);
tests/test_decoupled_rnn.py checks that the two agree step for step.

What changed and why
--------------------
* Data: ``input_data.read_data_sets`` is tf1_repro.mnist's; the pool comes
  from tf1_repro.posts.decoupled_rnn.load_pool (test split, digits 0 then 1,
  ``images[idx]`` for the post's ``images[[idx]]``, which NumPy >= 1.23
  rejects; one ``np.random.shuffle`` of the row indices for
  ``sklearn.utils.shuffle``, the same draw).
* Seed: the post called ``np.random.seed(678)`` and no ``tf.set_random_seed``.
  Its TF (>= 1.2) DataSet constructors then reseeded NumPy from the operating
  system (``np.random.seed(None)``), so its split and weights were never
  reproducible.  Here the seed stays in force: seed, load, shuffle, draw.
* Python 3 prints, and functions instead of a script.
"""
import numpy as np


def log(x):
    return 1 / (1 + np.exp(-1 * x))


def d_log(x):
    return log(x) * (1 - log(x))


def tanh(x):
    return np.tanh(x)


def d_tanh(x):
    return 1 - np.tanh(x) ** 2



def init_weights(rng=np.random):
    """The post's weights, ``randn * 0.2`` in its order of declaration."""
    return {
        "wx": rng.randn(784, 784) * 0.2,
        "w_rec": rng.randn(784, 784) * 0.2,
        "w_fc": rng.randn(784, 1) * 0.2,
        "w_sg_1": rng.randn(784, 784) * 0.2,
        "w_sg_2": rng.randn(784, 784) * 0.2,
    }


def _weight_grad(part, delta, outer):
    """``part.T.dot(delta)`` on 1-D arrays (the post: a scalar) or their outer product."""
    if outer:
        return np.outer(part, delta)
    return part.T.dot(delta)


def train_step(w, h, current_image, current_label, lr_wx=0.001, lr_wrec=0.00001,
               lr_sg=0.0001, outer=False):
    """One training image in the post's order; updates ``w`` and ``h`` in place.

    ``current_image`` is 1-D [784], ``current_label`` shape [1].  Returns the
    cost and the intermediate values (synthetic gradients g1, g2 and their
    bootstrapped targets) by the post's names.
    """
    l1 = h[:, 0].dot(w["w_rec"]) + current_image.dot(w["wx"])
    l1A = tanh(l1)
    h[:, 1] = l1A

    # ----- Time Stamp 1 Syn Grad Update ------
    grad_1sg_part_1 = l1A.dot(w["w_sg_1"])
    grad_1sg_part_2 = d_tanh(l1)
    grad_1sg_part_rec = h[:, 0]
    grad_1sg_part_x = current_image
    grad_1sg_rec = _weight_grad(grad_1sg_part_rec, grad_1sg_part_1 * grad_1sg_part_2, outer)
    grad_1sg_x = _weight_grad(grad_1sg_part_x, grad_1sg_part_1 * grad_1sg_part_2, outer)
    w["w_rec"] = w["w_rec"] + lr_wrec * grad_1sg_rec
    w["wx"] = w["wx"] + lr_wrec * grad_1sg_x
    grad_true_0 = (grad_1sg_part_1 * grad_1sg_part_2).dot(w["w_rec"].T)  # unused, as in the post

    l2 = h[:, 1].dot(w["w_rec"]) + current_image.dot(w["wx"])
    l2A = tanh(l2)
    h[:, 2] = l2A

    # ----- Time Stamp 2 Syn Grad Update ------
    grad_2sg_part_1 = l2A.dot(w["w_sg_2"])
    grad_2sg_part_2 = d_tanh(l2)
    grad_2sg_part_rec = h[:, 1]
    grad_2sg_part_x = current_image
    grad_2sg_rec = _weight_grad(grad_2sg_part_rec, grad_2sg_part_1 * grad_2sg_part_2, outer)
    grad_2sg_x = _weight_grad(grad_2sg_part_x, grad_2sg_part_1 * grad_2sg_part_2, outer)
    w["w_rec"] = w["w_rec"] + lr_wrec * grad_2sg_rec
    w["wx"] = w["wx"] + lr_wrec * grad_2sg_x
    grad_true_1_from_2 = (grad_2sg_part_1 * grad_2sg_part_2).dot(w["w_rec"].T)

    # ----- Time Stamp 1 True Gradient Update ------
    grad_true_1_part_1 = grad_1sg_part_1 - grad_true_1_from_2
    grad_true_1_part_2 = h[:, 1]
    grad_true_1 = np.expand_dims(grad_true_1_part_2, axis=0).T.dot(
        np.expand_dims(grad_true_1_part_1, axis=0))
    w["w_sg_1"] = w["w_sg_1"] - lr_sg * grad_true_1

    # ----- Fully Connected for Classification ------
    l3 = h[:, 2].dot(w["w_fc"])
    l3A = log(l3)
    cost = np.square(l3A - current_label).sum() * 0.5

    # ------- FC weight update ---------------------
    grad_fc_part_1 = l3A - current_label
    grad_fc_part_2 = d_log(l3)
    grad_fc_part_3 = h[:, 2]
    grad_fc = np.expand_dims(grad_fc_part_3, axis=0).T.dot(
        np.expand_dims((grad_fc_part_1 * grad_fc_part_2), axis=0))
    w["w_fc"] = w["w_fc"] - lr_wx * grad_fc
    grad_true_2_from_3 = (grad_fc_part_1 * grad_fc_part_2).dot(w["w_fc"].T)

    # ----- Time Stamp 2 True Gradient Update ------
    grad_true_2_part_1 = grad_2sg_part_1 - grad_true_2_from_3
    grad_true_2_part_2 = h[:, 2]
    grad_true_2 = np.expand_dims(grad_true_2_part_2, axis=0).T.dot(
        np.expand_dims(grad_true_2_part_1, axis=0))
    w["w_sg_2"] = w["w_sg_2"] - lr_sg * grad_true_2

    return {"cost": cost, "l3A": l3A, "grad_true_0": grad_true_0,
            "grad_1sg_part_1": grad_1sg_part_1, "grad_2sg_part_1": grad_2sg_part_1,
            "grad_true_1_from_2": grad_true_1_from_2, "grad_true_2_from_3": grad_true_2_from_3}


def test_forward(w, h, current_image):
    """The post's test loop for one image: both time boxes, the classifier; no update."""
    l1 = h[:, 0].dot(w["w_rec"]) + current_image.dot(w["wx"])
    h[:, 1] = tanh(l1)
    l2 = h[:, 1].dot(w["w_rec"]) + current_image.dot(w["wx"])
    h[:, 2] = tanh(l2)
    return log(h[:, 2].dot(w["w_fc"]))


def run_predecessor(images, labels, test_image_num=10, train_image_num=50, num_epoch=50,
                    outer=False, lr_wx=0.001, lr_wrec=0.00001, lr_sg=0.0001, rng=np.random,
                    emit=print):
    """The NumPy post end to end on a shuffled pool; its transcript goes to ``emit``.

    ``images``/``labels`` are the shuffled pool (as ``load_pool`` returns it);
    the weights are drawn from ``rng`` (the global NumPy RNG, right after the
    shuffle, as in the post).  Returns the per-epoch costs, the test outputs
    and the final weights.
    """
    testing_images, testing_lables = images[:test_image_num, :], labels[:test_image_num, :]
    training_images = images[test_image_num:test_image_num + train_image_num, :]
    training_lables = labels[test_image_num:test_image_num + train_image_num, :]

    h = np.zeros((images.shape[1], 3))
    w = init_weights(rng)
    costs = []
    for it in range(num_epoch):
        total_cost = 0
        for current_image_index in range(len(training_images)):
            out = train_step(w, h, training_images[current_image_index],
                             training_lables[current_image_index], lr_wx=lr_wx,
                             lr_wrec=lr_wrec, lr_sg=lr_sg, outer=outer)
            total_cost = total_cost + out["cost"]
        emit(f"current iter :  {it}  Total current cost:  {total_cost}")
        costs.append(float(total_cost))

    emit("\n-------------------")
    emit("Training Done Final Results")
    predict = np.array([])
    for current_image_index in range(len(testing_images)):
        predict = np.append(predict, test_forward(w, h, testing_images[current_image_index]))
    for i in range(len(predict)):
        emit(f"Results :  {predict[i]} Results Rounded:  {np.round(predict[i])}  GT:  {testing_lables[i]}")
    emit("-------------------\n")
    correct = int(np.sum(np.round(predict) == testing_lables[:, 0]))
    return {"costs": costs, "predict": predict.tolist(), "correct": correct, "weights": w}


def main(argv=None):
    """``python -m tf1_repro.reference.seo_numpy [--outer] [--data_dir=DIR] [--seed=678] [--num_epoch=50]``."""
    import argparse

    from tf1_repro.mnist import default_data_dir
    from tf1_repro.posts.decoupled_rnn import load_pool

    parser = argparse.ArgumentParser(
        prog="python -m tf1_repro.reference.seo_numpy",
        description="Seo's NumPy decoupled RNN as it was (10 test, 50 training images, 50 epochs).")
    parser.add_argument("--data_dir", default=default_data_dir())
    parser.add_argument("--seed", type=int, default=678)
    parser.add_argument("--outer", action="store_true",
                        help="read the SG updates of w_rec and wx as outer products (the TF post)")
    parser.add_argument("--num_epoch", type=int, default=50,
                        help="passes over the 50 training images (the post: 50)")
    args = parser.parse_args(argv)
    if args.num_epoch < 1:
        parser.error(f"--num_epoch={args.num_epoch}: must be at least 1")
    images, labels = load_pool(args.data_dir, args.seed)
    out = run_predecessor(images, labels, num_epoch=args.num_epoch, outer=args.outer)
    print(f"correct: {out['correct']} of 10")


if __name__ == "__main__":
    main()
