"""The two float32 tanh kernels TensorFlow's CPU ``Tanh`` has used, in NumPy, bit for bit.

TensorFlow computes a float32 ``tf.tanh`` on the CPU with Eigen's
``ptanh_float``, a rational approximation.  Eigen replaced it ("Speed up and
improve accuracy of tanh"), and TensorFlow 2.20 shipped the new one:

* :func:`tanh_before_2_20` (TensorFlow 2.19 and before): a 13/6-degree
  rational interpolant, argument clamped to +-7.90531110763549805, and
  ``x`` itself returned where |x| < 0.0004;
* :func:`tanh_since_2_20` (TensorFlow 2.20 and after): a 9/8-degree
  approximation made with rminimax, clamped to +-7.90738964080810547.

The two differ by up to 4 ulp on the hidden units of posts 000/001's RNN,
which is why that post's figures differ in the 7th digit between TensorFlow
2.19 and 2.20 while every other op of its graph gives the same bits
(golden/releases.json records the figures; tests/test_releases.py checks
the installed TensorFlow against these functions).  Both are written as the
wheels compute them, one float32 rounding per operation (no fused
multiply-add: the wheels are built without FMA).  The coefficients are
Eigen's, copied from the headers each wheel ships.
"""
import numpy as np

f32 = np.float32


def tanh_before_2_20(a):
    """Eigen's float32 tanh as TensorFlow 2.15 to 2.19 ship it."""
    a = np.asarray(a, dtype=f32)
    clamp = f32(7.90531110763549805)
    x = np.clip(a, -clamp, clamp)
    alpha = [f32(v) for v in (4.89352455891786e-03, 6.37261928875436e-04, 1.48572235717979e-05,
                              5.12229709037114e-08, -8.60467152213735e-11, 2.00018790482477e-13,
                              -2.76076847742355e-16)]
    beta = [f32(v) for v in (4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04,
                             1.19825839466702e-06)]
    x2 = x * x
    p = x2 * alpha[6] + alpha[5]
    for k in (4, 3, 2, 1, 0):
        p = x2 * p + alpha[k]
    p = x * p
    q = x2 * beta[3] + beta[2]
    q = x2 * q + beta[1]
    q = x2 * q + beta[0]
    return np.where(np.abs(a) < f32(0.0004), x, p / q)


def tanh_since_2_20(a):
    """Eigen's float32 tanh as TensorFlow 2.20 and 2.21 ship it."""
    a = np.asarray(a, dtype=f32)
    clamp = f32(7.90738964080810547)
    x = np.clip(a, -clamp, clamp)
    alpha = [f32(v) for v in (1.394553628e-8, 2.102733560e-5, 3.520756727e-3, 1.340216100e-1)]
    beta = [f32(v) for v in (8.015776984e-7, 3.326951409e-4, 2.597254514e-2, 4.673548340e-1, 1.0)]
    x2 = x * x
    p = alpha[0]
    for k in (1, 2, 3):
        p = p * x2 + alpha[k]
    q = beta[0]
    for k in (1, 2, 3, 4):
        q = q * x2 + beta[k]
    return (x2 * x * p + x) / q


def for_release(version):
    """The kernel a TensorFlow release (``"2.17.1"``) computes float32 tanh with."""
    major, minor = (int(p) for p in version.split(".")[:2])
    return tanh_since_2_20 if (major, minor) >= (2, 20) else tanh_before_2_20
