"""Posts 000/001's claims (Seo, "Manual Back Prop with TensorFlow: Decoupled RNN").

No number of the post survives (its transcripts were screenshots).  It says,
in words: manual back-propagation trains (the left figure: the cost per epoch
falls), and the automatic-differentiation variant (SGD, learning rate 0.1)
"did not do so well on the test images" (the right figure: 20 test images),
i.e. it gets fewer of them right than manual back-propagation.

That claim is judged over seeds only (``autodiff_worse_over_seeds``): from one
start the two modes differ by a few of 20 test images, and which way one run
falls depends on the start and on the machine's kernel family, so a single
run's difference carries no verdict (its figure stays in the goldens).
"""
from tf1_repro.claims import Claim

# "Trains": the cost of the last epoch at most 90% of the first's.  A network
# whose learning rates are zero sees the same images every epoch, so its ratio
# stays at 1.
TRAINS = {"max": 0.9}
_TRAINS_EVIDENCE = ("'trains' read as: the last epoch's summed cost at most 90% of the first's. "
                    "With zero learning rates the same images give the same cost every epoch (ratio 1); "
                    "the seed study's ratios (golden decoupled_rnn_seeds, the seed table of docs/decoupled_rnn.md) "
                    "show how far below 0.9 a training run falls")
_NOT_TRAINING = "a network whose learning rates are zero: the same cost every epoch, ratio 1"

_WORSE_SAID = ("autodiff (GradientDescentOptimizer(0.1)) 'did not do so well on the test images': "
               "fewer of the 20 right than manual back-prop")
_WORSE_GAP = ("autodiff trains only W_fc and the stored h2 (the classifier reads the variable "
              "hidden_states), on a fixed random projection that is enough to tell 0 from 1, and gets "
              "as many test images right as manual back-prop or more for most seeds of the full run "
              "(golden decoupled_rnn_seeds). The post's weights were unseeded and its figure is lost, "
              "so the start it saw cannot be recovered")

CLAIMS = [
    Claim(
        name="manual_trains",
        golden="decoupled_rnn",
        figure="cost_last_over_first",
        said="manual back-prop trains: the cost per epoch falls (the post's left figure)",
        published=None, band=TRAINS, evidence=_TRAINS_EVIDENCE,
        counterexample=1.0, counterexample_source=_NOT_TRAINING,
    ),
    Claim(
        name="manual_trains_sequential",
        golden="decoupled_rnn_sequential",
        figure="cost_last_over_first",
        said="manual back-prop trains (the same claim, our ordered variant of the graph)",
        published=None, band=TRAINS, evidence=_TRAINS_EVIDENCE,
        counterexample=1.0, counterexample_source=_NOT_TRAINING,
    ),
    Claim(
        name="manual_trains_shortened",
        golden="decoupled_rnn_quick",
        figure="cost_last_over_first",
        said="manual back-prop trains (shortened: 20 epochs of 20 images)",
        published=None, band=TRAINS,
        evidence=_TRAINS_EVIDENCE + "; the shortened run keeps the band and is sized for time (about 40 s with the autodiff run beside it)",
        counterexample=1.0, counterexample_source=_NOT_TRAINING,
    ),
    Claim(
        name="manual_trains_over_seeds",
        golden="decoupled_rnn_seeds",
        figure="median(manual_cost_ratio)",
        said="manual back-prop trains (for most seeds, the post's weights being unseeded)",
        published=None, band=TRAINS,
        evidence=_TRAINS_EVIDENCE + "; the median over the seeds, so most seeds must train",
        counterexample=1.0, counterexample_source=_NOT_TRAINING,
    ),
    Claim(
        name="autodiff_worse_over_seeds",
        golden="decoupled_rnn_seeds",
        figure="share_autodiff_worse",
        said=_WORSE_SAID + " (for most seeds)",
        published=None, band={"min": 0.5},
        evidence="at least half of the seeds with autodiff worse by at least one image",
        counterexample=0.0, counterexample_source="autodiff never worse",
        known_gap=_WORSE_GAP,
    ),
]
