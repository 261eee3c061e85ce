# A Python 2 program written for tests/test_run_original.py that ends, as
# many tutorials did, waiting for a person: a figure shown, a button press,
# a key typed.  Run unattended, each must return at once.
import matplotlib.pyplot as plt

plt.plot([0, 1, 2], [0, 1, 4])
plt.show()
print "shown"
fig = plt.figure()
print "pressed", plt.waitforbuttonpress(), fig.waitforbuttonpress()
answer = raw_input("Press Enter to go on: ")
print "answer", repr(answer)
print "done"
