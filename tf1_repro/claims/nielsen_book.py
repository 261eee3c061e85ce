"""The claims of Nielsen's chapter 1, the book behind post 002.

Michael Nielsen, "Neural Networks and Deep Learning", chapter 1 (2015),
http://neuralnetworksanddeeplearning.com/chap1.html.  The book prints
per-epoch transcripts (``Epoch 0: 9129 / 10000``) and states figures in its
prose: [784,30,10] at eta 3.0 peaks at 95.42% ("the best of three runs"),
[784,100,10] reaches 96.59%, eta = 0.001 learns very slowly, eta = 100 stays
near chance, and the baselines random guessing (10%) and average darkness
(22.25%), and a default SVM (94.35%, run with scikit-learn, an optional extra).

Figures are percentages of the 10 000 test images.  Each claim names the
runs it is listed for in results.json (``runs``: the configuration values a
run must have); its verdict comes from the golden it names.
"""
from tf1_repro.claims import Claim

# network.py's SGD call of the chapter's first run.
BOOK = dict(hidden=30, eta=3.0, epochs=30, batch_size=10, train_size=50000)
BOOK_PEAK = 95.42
# The book's printed transcripts (epoch -> correct of 10 000), as far as the
# chapter shows them: what its runs printed, beside which ours are drawn.
BOOK_TRANSCRIPT = {0: 9129, 1: 9295, 2: 9348, 27: 9528, 28: 9542, 29: 9534}
# Class counts of the 10 000 test images: a network that answers one class
# for every image scores that class's count (the book's 1009 is the nines,
# 982 the fours).
BOOK_ETA_LARGE = {0: 1009, 29: 982}
BOOK_ETA_SMALL = {0: 1139, 29: 2142}
_UNTRAINED = "an untrained network (near chance: its first count before any step)"

CLAIMS = [
    Claim(
        name="book_peak",
        golden="nielsen_book_seeds",
        figure="median(peaks_percent)",
        said="[784,30,10], eta 3.0, 30 epochs: peak 95.42% (Epoch 28: 9542 / 10000), "
             "'the best of three runs'",
        published=BOOK_PEAK, band={"atol": 0.5},
        evidence="the peak of one seed's 30 per-epoch accuracies.  Nielsen's own network.py, "
                 "run on the IDX files with three seeds, peaked at 95.29, 95.29 and 95.40: "
                 "0.02-0.13 below the book, whose figure is the best of three.  ±0.5 (50 "
                 "images) holds such runs; a run that stalls (a saturated output unit, which "
                 "N(0,1) weights give now and then) or does not train lands points lower.  One "
                 "run of ours is one draw, and which draw --seed=0 is depends on the machine's "
                 "kernel family (95.24 on one, 94.98 on another), so the claim is judged on the "
                 "median peak of the seed study (golden nielsen_book_seeds)",
        counterexample=10.31, counterexample_source=_UNTRAINED,
        runs=BOOK,
    ),
    Claim(
        name="book_best_of_three",
        golden="nielsen_book_seeds",
        figure="best_of_three_peak",
        said="'best of three runs' of [784,30,10] at eta 3.0 peaked at 95.42%",
        published=BOOK_PEAK, band={"atol": 0.4},
        evidence="the best peak of the study's first three seeds, the book's own procedure.  "
                 "network.py's best of three here was 95.40; three times the spread of its "
                 "three peaks (0.11) plus that 0.02 is about 0.4",
        counterexample=90.0, counterexample_source="three runs that stall well short of the book",
        runs=BOOK,
    ),
    Claim(
        name="book_hidden100_peak",
        golden="nielsen_book_hidden100_seeds",
        figure="max_peak_percent",
        said="[784,100,10], eta 3.0, 30 epochs: 96.59% ('at least in this case', the book "
             "warns of variation)",
        published=96.59, band={"min": 96.59 - 0.6},
        evidence="judged over seeds, since one start is not the network: most starts of the "
                 "100-unit network plateau near 87% (a saturated hidden layer) and some escape "
                 "above 96%, and which one a seed is depends on the machine's kernels (seed 0 "
                 "peaked at 96.19 on one kernel family and 87.54 on another).  Nielsen's own "
                 "network.py, on the same images, peaked at 87.45, 75.82, 87.02 and 96.82 for "
                 "seeds 0-3.  The claim holds if the best of 10 seeds reaches the book's "
                 "level, within the 0.6 points the single-seed band allowed before the spread "
                 "was measured: then the book's figure is what an escaping start gives",
        counterexample=87.54,
        counterexample_source="starts that all plateau (seed 0's peak on the Intel AVX-512 family)",
        runs=dict(BOOK, hidden=100),
    ),
    Claim(
        name="book_eta_small_slow",
        golden="nielsen_book_eta_small",
        figure="final_percent",
        said="eta = 0.001: 'learns very slowly' (Epoch 0: 1139, ..., Epoch 29: 2142 of 10000)",
        published=21.42, band={"max": 50.0},
        evidence="'very slowly' read as: after 30 epochs still below half right, where eta "
                 "3.0 is above 95% after one.  The book's own run was at 21.42%; where a "
                 "seed starts (near 10% or not) decides the rest, so no closer band is "
                 "evidence-based",
        counterexample=95.0, counterexample_source="a network that learns fast",
        runs=dict(BOOK, eta=0.001),
    ),
    Claim(
        name="book_eta_small_learns",
        golden="nielsen_book_eta_small",
        figure="gain_points",
        said="eta = 0.001 'learns': from 11.39% to 21.42% in 30 epochs",
        published=10.03, band={"min": 1.0},
        evidence="it does learn: the last epoch at least one point (100 images) above the "
                 "first.  A network that does not train gains 0",
        counterexample=0.0, counterexample_source="a network that does not train",
        known_gap="from --seed=0 the network answers 1032 of 10 000 in every one of the 30 "
                  "epochs (gain 0).  Seed 0 is one of the starts that stick at this rate: of "
                  "seeds 0-9, 0 and 4 gain nothing and the other eight gain 7.7 to 22.0 points "
                  "(the book's run: 10.0), so the claim holds over seeds "
                  "(book_eta_small_learns_over_seeds) and not for this one start",
        runs=dict(BOOK, eta=0.001),
    ),
    Claim(
        name="book_eta_small_learns_over_seeds",
        golden="nielsen_book_eta_small_seeds",
        figure="median(gains_points)",
        said="eta = 0.001 'learns' (the book's one unseeded run: from 11.39% to 21.42%)",
        published=None, band={"min": 1.0},
        evidence="the book's run was unseeded: its start is one draw, so the claim is read "
                 "over seeds: the median seed's last epoch at least one point (100 images) "
                 "above its first, so most starts learn",
        counterexample=0.0, counterexample_source="no start learns (every gain 0)",
        runs=dict(BOOK, eta=0.001),
    ),
    Claim(
        name="book_eta_large_chance",
        golden="nielsen_book_eta_large",
        figure="max_percent",
        said="eta = 100: near chance throughout (Epoch 0: 1009, ..., Epoch 29: 982 of 10000)",
        published=10.09, band={"max": 20.0},
        evidence="no epoch above 20%: chance is 10% and the largest single class is 11.35% "
                 "of the test images, so a network answering (nearly) one class stays under "
                 "20; one that learns passes it within an epoch",
        counterexample=91.0, counterexample_source="a network that learns despite eta = 100",
        runs=dict(BOOK, eta=100.0),
    ),
    Claim(
        name="book_trains_shortened",
        golden="nielsen_book_quick_seeds",
        figure="median(final_percents)",
        said="the book's network trains (shortened, not in the book: 2 epochs on the first "
             "10 000 training images, 2000 mini-batches)",
        published=None, band={"min": 75.0},
        evidence="post 002's network (the same graph, eta 5.0 on weights) was at 77.4-89.1% "
                 "after 2000 mini-batches over 30 seeds (its seed study, when this band was "
                 "set); the book's rule steps weights 0.6 times as far, so 75% is a floor a "
                 "working run clears and an untrained one (near 10%) does not.  Judged on the "
                 "median of 50 seeds (golden nielsen_book_quick_seeds), not one run, whose "
                 "draw depends on the machine's kernel family",
        counterexample=10.31, counterexample_source=_UNTRAINED,
        runs=dict(BOOK, epochs=2, train_size=10000),
    ),
    Claim(
        name="book_random_guessing",
        golden="nielsen_book_quick",
        figure="random_percent",
        said="'randomly guess ... we'll be right about ten percent of the time'",
        published=10.0, band={"atol": 1.0},
        evidence="uniform random guesses for the 10 000 test images (a generator of its own, "
                 "seeded with --seed): binomial sd 0.3 points, so ±1 is over three sd",
        counterexample=22.25,
        counterexample_source="not random guessing (the darkness heuristic's score)",
    ),
    Claim(
        name="book_svm",
        golden="nielsen_book_svm",
        figure="svm_percent",
        said="mnist_svm.py, scikit-learn's SVC with its default settings: 9,435 of 10,000 "
             "test images, 94.35%",
        published=94.35, band={"atol": 0.1},
        evidence="declared after a first measurement here gave 9435: libsvm draws nothing at "
                 "random, so the count is fixed by the data and the solver; the band allows for "
                 "what a different libsvm (scikit-learn 2015 against today's: shrinking and "
                 "stopping at tolerance 1e-3) can move, a few support vectors and so a few test "
                 "images, up to 10",
        counterexample=93.9,
        counterexample_source="an SVM 45 test images short of the book's",
    ),
    Claim(
        name="book_darkness",
        golden="nielsen_book_quick",
        figure="darkness_percent",
        said="the average-darkness heuristic: 2225 of the 10,000 test images, 22.25%",
        published=22.25, band={"atol": 0.0},
        evidence="deterministic (mnist_average_darkness.py: each digit's mean pixel sum over "
                 "the book's 50 000 training images, guess the nearest): exact whatever the "
                 "pixel scale or --train_size; any other training set moves it",
        counterexample=22.47,
        counterexample_source="the heuristic fitted on the first 10 000 training images only",
    ),
]
