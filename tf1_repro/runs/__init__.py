"""Each post's run as its script makes it: the outputs around the post's code.

One module per post (``tf1_repro/runs/<post>.py``) with ``main(config,
options)``: it runs the post's program (or its seed study) from
``tf1_repro/posts/<post>.py`` and writes the run folder the archive's
conventions describe, all through :mod:`tf1_repro.report`:

* ``results.json``: :func:`tf1_repro.report.results_payload`, with the post's
  declared claims (:func:`tf1_repro.claims.published_record`);
* figures: ``*.png`` through :func:`tf1_repro.report.pyplot` and
  :func:`tf1_repro.report.save_figure`;
* TensorBoard events in ``tensorboard/``: :func:`tf1_repro.report.write_events`;
* all of it inside :class:`tf1_repro.report.OutputDir`, swapped in whole.

Seed studies go through :mod:`tf1_repro.study`.  The scripts in ``scripts/``
only define their flags and call ``main``.
"""
import dataclasses


@dataclasses.dataclass(frozen=True)
class Options:
    """Where a run reads and writes, and how a seed study runs (the common flags)."""
    output_dir: str
    data_dir: str = None
    seeds: int = 1
    workers: int = 1
    dask_scheduler: str = None

    def runner(self, progress):
        """The keywords of :func:`tf1_repro.study.run_seeds`."""
        return dict(workers=self.workers, dask_scheduler=self.dask_scheduler, progress=progress)
