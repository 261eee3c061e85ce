# A TF 1.x program, written for tests/test_run_original.py, with its own
# tf.app.flags (names the runner uses too) and tf.app.run(): it must see only
# its own path in sys.argv, its own flag defaults, and exit with main's value.
import sys

import tensorflow as tf

flags = tf.app.flags
flags.DEFINE_string("data_dir", "/tmp/the_programs_own", "The program's own data folder.")
flags.DEFINE_integer("seed", 7, "The program's own seed flag.")
FLAGS = flags.FLAGS


def main(argv):
    print("argv", len(sys.argv), sys.argv[0].endswith("tf1_app_flags.py"))
    print("data_dir", FLAGS.data_dir, "seed", FLAGS.seed)
    print("graph mode", not tf.executing_eagerly())
    return 3


if __name__ == "__main__":
    tf.app.run()
