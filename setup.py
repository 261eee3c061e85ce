"""tf1_repro: a runnable archive of classic TensorFlow back-propagation posts.

The ranges below are the releases the release matrix covers (noxfile.py:
TensorFlow 2.15 to 2.21, each with its tf-keras and NumPy).  The exact
versions the goldens were recorded under are in constraints.txt, which the
README's install command applies; golden/releases.json says what each
release gives (tf1_repro/releases.py).
"""
from setuptools import find_packages, setup

setup(
    name="tf1_repro",
    version="0.1.0",
    description="Classic TensorFlow 1.x back-propagation posts, runnable on TensorFlow 2.x",
    packages=find_packages(include=["tf1_repro", "tf1_repro.*"]),
    python_requires=">=3.10",
    install_requires=[
        # tf-keras (post 004, Keras 2 semantics) requires the `tensorflow`
        # distribution itself; on a machine without a GPU it runs on the CPU.
        "tensorflow>=2.15,<2.22",
        "tf-keras>=2.15,<2.22",
        "tensorboard>=2.15,<2.22",  # TensorBoard event files (tf.summary)
        "numpy>=1.26,<3",
        "absl-py>=2.1",
        "matplotlib>=3.8",
        "fissix>=24.4",  # Python 2 programs converted in memory (scripts/run_original.py)
    ],
    extras_require={
        "test": ["pytest>=8"],
        # Seed studies over a Dask cluster (--dask_scheduler=ADDRESS).
        "dask": ["dask[distributed]>=2024.1"],
        # The book's SVM baseline (scripts/nielsen_book.py --svm).
        "svm": ["scikit-learn>=1.3"],
        # tf.contrib.slim for old programs run by scripts/run_original.py.
        "originals": ["tf-slim>=1.1"],
    },
)
