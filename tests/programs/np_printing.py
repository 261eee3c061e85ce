# Written for tests/test_run_original.py: NumPy values printed as a
# 2016-2017 program printed them (NumPy 1.13 and before: "[[ 12.]]", float64
# scalars with 12 significant digits).  Expected lines recorded under
# NumPy 1.13.3.
import numpy as np

product = np.dot(np.array([[3., 3.]]), np.array([[2.], [2.]]))
print(product)
print(np.array([0.5, 1e-5, 123.25], dtype=np.float32))
print(np.array([[0.99714959]], dtype=np.float32), np.round(np.array([[0.6]])))
print(np.float64(0.1) + np.float64(0.2), np.float32(0.1), np.float32(1) / np.float32(3))
print(repr(np.float32(923.0)), repr(np.float64(1) / 3))
print(np.arange(3), np.array([True, False]), np.array([1e10, 1.0]))
cost = 0
for c in np.array([0.25, 0.125, 0.1], dtype=np.float32):
    cost = cost + c
print("cost:", cost)
