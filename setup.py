"""tf1_repro: a runnable archive of classic TensorFlow back-propagation posts.

The pins below are the versions the goldens in golden/ were recorded under.
A golden figure is compared exactly only under the same environment
fingerprint; under other versions the regression tests fall back to the
stated bands (see tf1_repro/golden.py).
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
        "tensorflow==2.21.0",
        "tf-keras==2.21.0",
        "tensorboard==2.21.0",  # TensorBoard event files (tf.summary)
        "numpy==2.4.6",
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
    },
)
