# A NumPy program in the style of 2016-2018 code, written for
# tests/test_run_original.py: each line leans on a rule NumPy 1.x had and
# NumPy 2 has not.  Every line prints types and exact values (repr of Python
# floats), never NumPy's printing, so the expected lines are NumPy 1.x's,
# recorded under NumPy 1.22 and the same under every 1.x release.
import numpy as np

pool = np.arange(12, dtype=np.float32).reshape(6, 2)
labels = np.array([0, 1, 1, 0, 1, 0])

# A list holding one array is a tuple index (NumPy < 1.23).
ones = np.where(labels == 1)[0]
picked = pool[[ones]]
print("list of one array:", picked.shape, picked[:, 1].tolist())
print("list of two:", pool[[ones, [1]]].tolist())
print("list of ints:", pool[[0, 5]].shape)
print("list with a slice:", pool[[slice(1, 3), 0]].tolist())
rows = [ones]
print("held in a name:", pool[rows].shape)
stacked = np.vstack((pool[[ones]], pool[[np.where(labels == 0)[0]]]))
print("stacked:", stacked.shape)
marks = np.zeros(6)
marks[[ones]] = 1.0
print("assigned:", marks.tolist())

# The removed aliases were Python's own types.
print("aliases:", np.zeros(2, dtype=np.int).dtype, np.float("2.5"), np.bool is bool,
      np.object is object, np.str("x"), np.long(7), np.unicode is str, np.complex(1, 2))
print("asscalar:", np.asscalar(np.array([4.0])), "float_:", np.float_ is np.float64,
      "NaN:", np.isnan(np.NaN), "product:", np.product([2, 3]))

# A Python number meeting a NumPy scalar promoted as a type: float64.
total_cost = 0
for cost in np.array([[0.1], [0.2], [0.3]], dtype=np.float32):
    total_cost = total_cost + cost.sum()
print("accumulated:", type(total_cost).__name__, repr(float(total_cost)))
running = 0
running += np.float32(0.1)
print("augmented:", type(running).__name__, repr(float(running)))
print("scalar times float:", type(np.float32(1.5) * 2.0).__name__,
      "divided:", repr(float(np.float32(1) / 3)))
print("uint8 scalar:", repr(int(np.uint8(200) + 100)), type(np.uint8(200) + 100).__name__)
half = np.array(1.0, dtype=np.float32) + 1e-14
print("0-d array:", type(half).__name__, half == 1.0)

# An array meeting a scalar of no higher kind: the scalar counted by its value.
weights = np.ones(3, dtype=np.float32)
print("array times float64:", (weights * np.float64(0.1)).dtype)
print("uint8 array + 300:", (np.array([1], dtype=np.uint8) + 300).dtype,
      "int8 array + 200:", (np.array([1], dtype=np.int8) + 200).dtype,
      "uint8 array - 1:", (np.array([1], dtype=np.uint8) - 1).dtype,
      "uint8 array + -1:", (np.array([1], dtype=np.uint8) + -1).dtype)
weights += np.float64(0.1)
print("in place:", weights.dtype, repr(float(weights[0])))
print("int array + 2.5:", (np.array([1], dtype=np.int32) + 2.5).dtype)
print("lists still add:", [1] + [2], "strings:", "a" * 2, "sets:", sorted({1} | {2}))
summed = sum(np.array([0.1, 0.2, 0.3], dtype=np.float32))
print("builtin sum:", type(summed).__name__, repr(float(summed)))
