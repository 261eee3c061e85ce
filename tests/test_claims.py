"""The claims' declarations: sound, discriminating, and the only source of verdicts.

Runs nothing but the declarations and the goldens on disk, so every claim of
every post, the slow goldens' included, gets a verdict in the default suite
from its pinned value; tests/test_goldens.py re-derives the values by fresh
runs (the shortened ones by default, the full ones under ``-m slow``).
"""
import pytest

from tf1_repro import claims, golden, registry
from tf1_repro.errors import GoldenError

ALL = claims.all_claims()
IDS = [c.name for c in ALL]


def test_every_claim_names_a_registered_golden_and_one_of_its_figures():
    names = {s.name for s in registry.GOLDENS}
    for claim in ALL:
        assert claim.golden in names, f"{claim.name}: no golden {claim.golden!r} in the registry"
        pinned = golden.load(claim.golden)
        figures = {k: v["reproduced"] for k, v in pinned["figures"].items()}
        claims.pick(figures, claim.figure)  # raises if the figure is not there


def test_every_post_has_claims_and_every_golden_of_a_post_with_claims_is_judged():
    posts_with_claims = {s.post for s in registry.GOLDENS for c in ALL if c.golden == s.name}
    assert posts_with_claims == set(claims.POSTS)


@pytest.mark.parametrize("claim", ALL, ids=IDS)
def test_band_rejects_a_run_that_plainly_lacks_the_property(claim):
    """A band that cannot tell a working run from a broken one is no band."""
    ok, _ = claims.in_band(claim.counterexample, claim)
    assert not ok, (f"{claim.name}: the band {claims.band_text(claim.band)} accepts "
                    f"{claim.counterexample!r} ({claim.counterexample_source})")


@pytest.mark.parametrize("claim", ALL, ids=IDS)
def test_pinned_value_keeps_its_declared_verdict(claim):
    """The golden's value judged by the declaration: reproduced, or the declared known gap."""
    pinned = golden.load(claim.golden)
    value = claims.pick({k: v["reproduced"] for k, v in pinned["figures"].items()}, claim.figure)
    status, why = claims.verdict(claim, value)
    assert not claims.is_failure(status), f"{claim.name}: {status}: {why}"


@pytest.mark.parametrize("claim", ALL, ids=IDS)
def test_golden_record_equals_the_declaration(claim):
    """The band, gap and figure a golden records are the declaration's (re-bless after an edit)."""
    record = golden.load(claim.golden)["claims"].get(claim.name)
    assert record is not None, f"{claim.golden}.json has no record of {claim.name}: re-bless it"
    kept = {k: v for k, v in record.items() if k not in ("ours", "verdict")}
    assert kept == golden.to_jsonable(claims.record(claim)), \
        f"{claim.name}'s declaration changed since {claim.golden} was blessed"


def test_a_newly_failing_claim_and_a_closed_gap_are_failures_not_verdicts():
    holds = claims.Claim(name="x", golden="g", figure="f", said="s", published=923.0,
                         band={"atol": 25}, evidence="e", counterexample=0, counterexample_source="c")
    assert claims.verdict(holds, 920.0)[0] == claims.REPRODUCED
    assert claims.verdict(holds, 111.0)[0] == claims.NEWLY_FAILS
    gap = claims.Claim(name="y", golden="g", figure="f", said="s", published=None, band={"max": -1},
                       evidence="e", counterexample=0, counterexample_source="c", known_gap="why")
    assert claims.verdict(gap, 3)[0] == claims.KNOWN_GAP
    assert claims.verdict(gap, -2)[0] == claims.NEWLY_HOLDS
    assert claims.is_failure(claims.NEWLY_FAILS) and claims.is_failure(claims.NEWLY_HOLDS)


def test_non_finite_values_never_pass():
    c = claims.Claim(name="x", golden="g", figure="f", said="s", published=None, band={"max": 0.9},
                     evidence="e", counterexample=1.0, counterexample_source="c")
    assert not claims.in_band(float("nan"), c)[0]
    assert not claims.in_band(None, c)[0]


def test_a_band_around_nothing_is_refused():
    with pytest.raises(GoldenError, match="atol/rtol need a published value"):
        claims.Claim(name="x", golden="g", figure="f", said="s", published=None, band={"atol": 1},
                     evidence="e", counterexample=0, counterexample_source="c")


def test_figure_paths():
    figs = {"counts": [111.0, 836.0, 923.0], "r": [0.5, 0.7, 0.6]}
    assert claims.pick(figs, "counts[1]") == 836.0
    assert claims.pick(figs, "counts[-1]") == 923.0
    assert claims.pick(figs, "median(r)") == 0.6
    assert claims.pick(figs, "max(r)") == 0.7
    with pytest.raises(KeyError):
        claims.pick(figs, "missing")


def test_bless_cannot_turn_a_changed_verdict_into_a_known_gap(tmp_path):
    """A claim whose verdict changes stops reproduce.py, --bless included, and nothing is written.

    In a copy of the checkout the declaration of ``book_darkness`` is
    given a known gap it does not have: the fresh run passes the band, so
    the gap "newly holds", and blessing must refuse rather than record it.
    """
    import os
    import subprocess
    import sys
    from scriptrun import copy_checkout
    repo = tmp_path / "repo"
    copy_checkout(str(repo))
    decl = repo / "tf1_repro" / "claims" / "nielsen_book.py"
    text = decl.read_text()
    marker = 'name="book_darkness",'
    assert marker in text
    decl.write_text(text.replace(marker, marker + ' known_gap="declared for the test",'))
    before = (repo / "golden" / "nielsen_book_quick.json").read_bytes()
    proc = subprocess.run([sys.executable, str(repo / "scripts" / "reproduce.py"),
                           "--golden=nielsen_book_quick", "--bless"],
                          capture_output=True, text=True, timeout=600, cwd=str(repo), env=dict(os.environ))
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "CLAIM book_darkness (nielsen_book_quick): " + claims.NEWLY_HOLDS in proc.stdout
    assert "nothing was written" in proc.stderr
    assert (repo / "golden" / "nielsen_book_quick.json").read_bytes() == before
