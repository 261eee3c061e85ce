"""Put this checkout's ``tf1_repro`` first on ``sys.path``.

Every script imports this module before the package.  Without it, a script run
from a second clone imports whichever clone ``pip install -e`` last pointed at,
and checks that clone's goldens instead of its own.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.path[:1] != [ROOT]:
    sys.path.insert(0, ROOT)

# Ctrl-C or SIGTERM from here on ends a script with one line, even while it is
# still importing NumPy or TensorFlow (tf1_repro/interrupts.py).
from tf1_repro import interrupts  # noqa: E402

interrupts.install(os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else None)
