"""Post 003's run as ``scripts/gradient_override.py`` makes it: transcripts, figures, events, results.

The post's graph: tf1_repro/posts/gradient_override.py; the Impdrop
demonstration: tf1_repro/posts/impdrop.py; the claims:
tf1_repro/claims/gradient_override.py.
"""
import dataclasses
import time

from absl import logging

from tf1_repro import claims, report
from tf1_repro.graph_session import fingerprint
from tf1_repro.posts import gradient_override as post
from tf1_repro.posts import impdrop


def main(part, pcfg, icfg, options):
    """The post's network, the Impdrop demonstration or both (``part``), into ``options.output_dir``."""
    t0 = time.time()
    pcfg.validate()
    icfg.validate()
    config = {"part": part}
    figs, tolerances, post_result, impdrop_result = {}, {}, None, None
    with report.OutputDir(options.output_dir) as out:
        if part in ("all", "post"):
            post_result = post.run(pcfg, log=logging.info)
            post.transcript(post_result, pcfg)
            figs.update(post_result["figures"])
            tolerances.update(post_result["tolerances"])
            config["post"] = dataclasses.asdict(pcfg)
            plot_post(out.path("post_training.png"), post_result["runs"])
        if part in ("all", "impdrop"):
            if post_result is not None:
                print()
            data = impdrop.load_data(options.data_dir, log=logging.info)
            impdrop_result = impdrop.demo(icfg, data, log=logging.info)
            impdrop_transcript(impdrop_result, icfg)
            figs.update(impdrop_result["figures"])
            tolerances.update(impdrop_result["tolerances"])
            config["impdrop"] = dataclasses.asdict(icfg)
            plot_impdrop(out.path("impdrop.png"), impdrop_result["runs"], icfg)
        write_events(out.path("tensorboard"), post_result and post_result["runs"],
                     impdrop_result and impdrop_result["runs"])
        wall = time.time() - t0
        report.write_json(out.path("results.json"), report.results_payload(
            post.NAME, post.POST, config, figs, claims.published_record(post.NAME, figs),
            fingerprint(pcfg.threads), wall,
            tolerances=tolerances))
    logging.info("wrote %s/results.json (%.1f s)", options.output_dir, wall)




def plot_post(path, runs):
    plt = report.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for variant, label in (("tf.add", "e = tf.add(c, k): true gradient"),
                           ("add_grad", "e = add_grad(c, k, d): the post's backprop_func")):
        steps, losses = zip(*runs[variant]["losses"])
        ax.plot(steps, losses, "o-", ms=3, label=label)
    ax.set_xlabel("Adam step")
    ax.set_ylabel("softmax cross-entropy")
    ax.set_title("Post 003's network")
    ax.grid(alpha=0.3)
    ax.legend()
    report.save_figure(fig, path)


LABELS = {"product": "Product (A * F)", "impdrop": "Impdrop, overridden gradient",
          "impdrop_tf": "Impdrop, tf.custom_gradient",
          "impdrop_blocked": "Impdrop, no override (attention gets no gradient)"}


def plot_impdrop(path, runs, config):
    plt = report.pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for kind, r in runs.items():
        ax1.plot(r["steps"], r["train_loss"], "o-", ms=3, label=LABELS[kind])
        ax2.plot(r["steps"], [100 * a for a in r["test_accuracy"]], "o-", ms=3, label=LABELS[kind])
    ax1.set_xlabel("step")
    ax1.set_ylabel("training loss (mean since last point)")
    ax1.set_yscale("log")
    ax2.set_xlabel("step")
    ax2.set_ylabel("test accuracy, % (10 000 images)")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    ax2.legend(loc="lower right")
    fig.suptitle(f"Attention-gated MNIST classifier, {config.train_size} training images")
    report.save_figure(fig, path)


def write_events(logdir, post_runs, impdrop_runs):
    scalars = {}
    for variant in ("tf.add", "add_grad"):
        scalars[f"post/loss/{variant}"] = (post_runs or {}).get(variant, {}).get("losses", [])
    for kind, r in (impdrop_runs or {}).items():
        scalars[f"impdrop/train_loss/{kind}"] = list(zip(r["steps"], r["train_loss"]))
        scalars[f"impdrop/test_accuracy/{kind}"] = list(zip(r["steps"], r["test_accuracy"]))
    report.write_events(logdir, scalars=scalars)


def impdrop_transcript(result, config):
    runs = result["runs"]
    kinds = list(runs)
    print(f"Impdrop (arXiv:1710.11446) on MNIST: {config.train_size} training images, "
          f"{config.steps} steps of {config.batch_size}, Adam({config.learning_rate})")
    for kind in kinds:
        print(f"  {LABELS[kind]}: |gradient of the loss for the attention weights| at the start = "
              f"{runs[kind]['initial_attention_grad_norm']:.6f}")
    print("test accuracy:")
    print(f"{'step':>6} " + " ".join(f"{k:>16}" for k in kinds))
    for i, step in enumerate(runs[kinds[0]]["steps"]):
        print(f"{step:>6} " + " ".join(f"{runs[k]['test_accuracy'][i]:>16.4f}" for k in kinds))
