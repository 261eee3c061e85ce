# A Python 2 program written for tests/test_run_original.py: what its print
# statements showed under Python 2.7 (str of a float: 12 significant digits).
correct = 92
accuracy = correct / 100.0 + 1e-16 * 70
print "Accuracy:", accuracy
print accuracy, 0.1 + 0.2, 1.0 / 3, 2.0, 1e16, -0.5, 1e-7, float("inf")
print "list keeps repr:", [0.1 + 0.2]
print "formatted: %.3f" % (1.0 / 3), "%s" % 2.0
print 7 / 2, 7.0 / 2, -7 / 2
print "epoch", 1, "loss=", "{:.9f}".format(1.0 / 7)
print b"Hello, TensorFlow!"
