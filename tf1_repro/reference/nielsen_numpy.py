"""Nielsen's ``network.py`` in NumPy, with Aloni's step rule: the twin of post 002's graph.

Michael Nielsen, "Neural Networks and Deep Learning", chapter 1,
src/network.py (http://neuralnetworksanddeeplearning.com/chap1.html).  The
names, the column-vector layout (``weights[l]`` is [n_out, n_in], ``biases[l]``
[n_out, 1]) and the structure (``feedforward``, ``update_mini_batch``,
``backprop``, ``evaluate``) are his.  Three things differ, each to match
Aloni's TensorFlow graph (tf1_repro/posts/nielsen_mlp.py) so that the two can
be compared step for step:

* The step rule is Aloni's: weights move by ``eta`` times the gradient
  *summed* over the mini-batch (no 1/n), biases by ``eta`` times its *mean*.
  Nielsen's rule, ``(eta / n) * sum`` for both, is ``step_rule="nielsen"``.
* ``backprop`` takes the whole mini-batch as matrix columns instead of looping
  over examples: the same sums, in one product.
* The arithmetic runs in ``dtype`` (float32 by default, as the graph does).
  Mini-batches come from the caller (the same DataSet, hence the same batch
  order, as the graph), not from Python's ``random.shuffle``.
"""
import numpy as np


def sigmoid(z):
    """The sigmoid function."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """Derivative of the sigmoid function."""
    return sigmoid(z) * (1 - sigmoid(z))


class Network:
    """A feed-forward sigmoid network trained by back-propagation on the quadratic cost."""

    def __init__(self, weights, biases, dtype=np.float32, step_rule="aloni"):
        """Start from given ``weights`` [n_out, n_in] and ``biases`` [n_out, 1].

        Nielsen drew them from N(0, 1); here they come from the caller, so that
        the graph and this network start from the same point.
        """
        self.dtype = dtype
        self.weights = [np.array(w, dtype=dtype) for w in weights]
        self.biases = [np.array(b, dtype=dtype) for b in biases]
        self.num_layers = len(self.weights) + 1
        self.step_rule = step_rule

    @classmethod
    def from_graph_weights(cls, w_1, b_1, w_2, b_2, **kwargs):
        """From the graph's row-vector layout (``a_0 @ w_1 + b_1``) to Nielsen's columns."""
        return cls([w_1.T, w_2.T], [b_1.T, b_2.T], **kwargs)

    def graph_weights(self):
        """The weights in the graph's layout: dict w_1, b_1, w_2, b_2."""
        return {"w_1": self.weights[0].T, "b_1": self.biases[0].T,
                "w_2": self.weights[1].T, "b_2": self.biases[1].T}

    def feedforward(self, a):
        """The network's output for input columns ``a`` [784, n]."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def update_mini_batch(self, x, y, eta):
        """One gradient step on the mini-batch ``x`` [784, n], ``y`` [10, n]."""
        nabla_b, nabla_w = self.backprop(x, y)
        n = x.shape[1]
        eta = self.dtype(eta)
        if self.step_rule == "aloni":
            # Weights: eta * sum over the batch; biases: eta * mean.
            self.weights = [w - eta * nw for w, nw in zip(self.weights, nabla_w)]
            self.biases = [b - eta * (nb.sum(axis=1, keepdims=True) / self.dtype(n))
                           for b, nb in zip(self.biases, nabla_b)]
        else:
            self.weights = [w - (eta / n) * nw for w, nw in zip(self.weights, nabla_w)]
            self.biases = [b - (eta / n) * nb.sum(axis=1, keepdims=True)
                           for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        """(nabla_b, nabla_w): per-example bias gradients [n_out, n] and summed weight gradients."""
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].T)
        for layer in range(2, self.num_layers):
            z = zs[-layer]
            delta = np.dot(self.weights[-layer + 1].T, delta) * sigmoid_prime(z)
            nabla_b[-layer] = delta
            nabla_w[-layer] = np.dot(delta, activations[-layer - 1].T)
        return nabla_b, nabla_w

    def evaluate(self, images, labels_one_hot):
        """How many of ``images`` [n, 784] the network classifies as ``labels_one_hot`` say."""
        out = self.feedforward(np.asarray(images, dtype=self.dtype).T)
        return int(np.sum(np.argmax(out, axis=0) == np.argmax(labels_one_hot, axis=1)))

    def cost_derivative(self, output_activations, y):
        """Partial derivatives of the quadratic cost with respect to the output activations."""
        return output_activations - y


def train_like_graph(network, data, steps, batch_size, eta, eval_every=1000, eval_size=1000):
    """Aloni's loop on ``network``: a step per mini-batch, a count every ``eval_every`` steps."""
    test_x = data.test.images[:eval_size]
    test_y = data.test.labels[:eval_size]
    counts = []
    for i in range(steps):
        batch_xs, batch_ys = data.train.next_batch(batch_size)
        network.update_mini_batch(batch_xs.T.astype(network.dtype), batch_ys.T.astype(network.dtype), eta)
        if i % eval_every == 0:
            counts.append(float(network.evaluate(test_x, test_y)))
    return counts


def nielsen_network(sizes, dtype=np.float64):
    """``Network(sizes)`` as network.py builds it: N(0, 1) biases first, then weights.

    Draws from NumPy's global RNG, so after ``np.random.seed(S)`` it is the
    network network.py starts from; the book's step rule (``eta / n``).
    """
    biases = [np.random.randn(y, 1) for y in sizes[1:]]
    weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]
    return Network(weights, biases, dtype=dtype, step_rule="nielsen")


def train_like_book(network, train_x, train_y, plans, eta, test_x, test_y):
    """network.py's ``SGD`` on given mini-batch plans; the test count after every epoch.

    ``plans`` holds, per epoch, the index arrays of its mini-batches (network.py
    shuffles ``training_data`` with ``random.shuffle`` and slices it; the caller
    replays that).  Images are rows [N, 784] (float32, promoted to the
    network's dtype in the products, as network.py's float32 pixels were),
    labels one-hot rows [N, 10].
    """
    counts = []
    for batches in plans:
        for idx in batches:
            network.update_mini_batch(train_x[idx].T, train_y[idx].T, eta)
        counts.append(network.evaluate(test_x, test_y))
    return counts
