"""The pages (README.md, docs/*.md) and their figures (docs/figures/*.svg) are what golden/ gives.

``python scripts/reproduce.py --readme`` regenerates them; nothing here runs
a training, and neither does the generator (checked below).
"""
import copy
import os
import re
import subprocess
import sys

import pytest

from scriptrun import REPO
from tf1_repro import claims, figures, golden, pages, readme, registry
from tf1_repro.claims import Claim
from tf1_repro.errors import GoldenError

REGENERATE = "python scripts/reproduce.py --readme"


@pytest.fixture(scope="module")
def generated():
    """(goldens, release record, {path: bytes}, tf1_repro modules the generator imported), built once.

    Built with every way of starting a run disabled: a generator that tried
    to train would fail here.
    """
    goldens = golden.all_goldens()
    record = pages.load_release_record()

    def refuse(*args, **kwargs):
        raise AssertionError(f"the page generator started a process: {args[:1]}")

    before = set(sys.modules)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(subprocess, "run", refuse)
        mp.setattr(subprocess, "Popen", refuse)
        mp.setattr(golden, "run_command", refuse)
        out = pages.outputs(goldens, record)
    imported = {m for m in set(sys.modules) - before if m.startswith("tf1_repro")}
    return goldens, record, out, imported


def test_pages_and_figures_are_generated_from_goldens(generated):
    """Every page and figure on disk is byte for byte what golden/ gives, and no figure is left over."""
    import matplotlib
    goldens, record, _, _ = generated
    stale = pages.stale(goldens, record)
    other_matplotlib = []
    for path, why in list(stale):
        if path.endswith(".svg") and os.path.exists(path):
            with open(path, "rb") as f:
                made_with = figures.creator(f.read())
            if made_with and made_with != matplotlib.__version__:
                other_matplotlib.append(path)
                stale.remove((path, why))
    assert not stale, ("pages out of date with golden/ (" + REGENERATE + "):\n"
                       + "\n".join(f"  {os.path.relpath(p, REPO)}: {why}" for p, why in stale))
    if other_matplotlib:
        pytest.skip(f"{len(other_matplotlib)} figure(s) were drawn with another matplotlib than "
                    f"{matplotlib.__version__} (constraints.txt pins the one they were drawn with): "
                    "their bytes were not compared")


def test_the_generator_runs_nothing(generated):
    """No process started (the fixture refuses them) and no post's graph or run module loaded."""
    *_, imported = generated
    assert not [m for m in imported if m.startswith(("tf1_repro.posts", "tf1_repro.runs", "tf1_repro.study"))]


def test_a_changed_golden_changes_its_pages_and_figure(generated):
    goldens, record, out, _ = generated
    changed = copy.deepcopy(goldens)
    g = next(g for g in changed if g["name"] == "nielsen_mlp_seeds_1000")
    g["figures"]["median"]["reproduced"][7] += 1
    g["figures"]["counts_at_923"]["reproduced"][0] += 1
    new = pages.outputs(changed, record)
    differ = {os.path.relpath(p, REPO) for p in out if new[p] != out[p]}
    assert {"README.md", "docs/nielsen_mlp.md", "docs/figures/nielsen_mlp_seeds_1000.svg"} <= differ, differ
    assert "docs/gradient_override.md" not in differ


def test_figures_are_byte_stable(generated):
    """The same goldens draw the same bytes: no date, ids from a fixed salt, text kept as text."""
    goldens, record, out, _ = generated
    data = figures.Data(goldens, record)
    fig = next(f for f in figures.available(data) if f.name == "nielsen_mlp_seeds_1000")
    first, second = figures.svg(fig, data), figures.svg(fig, data)
    assert first == second == out[os.path.join(pages.FIGURES, "nielsen_mlp_seeds_1000.svg")]
    text = first.decode()
    assert "<dc:date>" not in text
    assert "Post 002: correct answers" in text  # the title as text, not as glyph outlines
    assert REGENERATE in text
    import matplotlib
    assert figures.creator(first) == matplotlib.__version__


def test_every_figure_says_what_it_shows_and_how_to_redraw_it(generated):
    goldens, record, out, _ = generated
    for f in figures.available(figures.Data(goldens, record)):
        text = out[os.path.join(pages.FIGURES, f"{f.name}.svg")].decode()
        assert f"<dc:title>{f.title.replace(chr(39), '&apos;')}</dc:title>" in text or f.title in text, f.name
        assert REGENERATE in text, f.name
        shown = [p for p in out if p.endswith(".md") and f"figures/{f.name}.svg)" in out[p].decode()]
        assert shown, f"{f.name}.svg is on no page"


def test_a_post_added_to_the_registry_gets_its_page(generated, monkeypatch):
    """A new post needs its registry entry, its claims and its golden: the page follows, no code here."""
    goldens, record, _, _ = generated
    post, name = "new_post", "new_post_golden"
    module = type(sys)("tf1_repro.claims.new_post")
    module.CLAIMS = [Claim(name="new_claim", golden=name, figure="count", said="it printed 42",
                           published=42.0, band={"atol": 1}, evidence="a count, exact",
                           counterexample=0.0, counterexample_source="nothing counted")]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(registry, "POSTS", registry.POSTS + [post])
    monkeypatch.setattr(registry, "GOLDENS", registry.GOLDENS + [
        registry.GoldenSpec(name, post, ["--seeds=3"], False)])
    monkeypatch.setattr(figures, "svg", lambda figure, data: b"")  # the figures are not the point here
    fake = {"name": name, "script": post, "args": ["--seeds=3"], "fingerprint": {},
            "figures": {"count": {"reproduced": 42.0}, "per_seed": {"reproduced": [1.0, 2.0, 3.0]}}}
    out = pages.outputs(goldens + [fake], record)
    page = out[pages.post_page_path(post)].decode()
    assert page.startswith("# new_post\n")
    for block in pages.POST_BLOCKS:
        assert f"<!-- {block}:begin" in page, block
    assert "### new_claim" in page and "Verdict: reproduced" in page
    assert "| per_seed | 2 | 1 | 1 | 2 | 3 | 1 2 3 |" in page  # its seed study
    assert "`python scripts/new_post.py --seeds=3`" in page
    front = out[pages.README].decode()
    assert "| [new_post](docs/new_post.md) | — | — | 1 of 1 reproduced |" in front
    assert "[`new_claim`](docs/new_post.md#new_claim)" in front


def test_a_posts_page_sends_the_reader_to_the_posts_code_and_to_the_archives_additions(generated):
    """Split posts' pages name the post's code and, apart, what the archive adds; a post without additions names one."""
    _, _, out, _ = generated
    split = {  # post: how the page's line on the post's code goes on, and on the additions
        "nielsen_mlp": (", its graph and its loop op for op", "the in-graph loop, the seed study"),
        "nielsen_book": (", its graph and its loop op for op", "the seed studies of \"best of three\""),
        "tf2_backprop": ("", "the seed studies, the XOR network's TF1 twin"),
        "decoupled_rnn": (", its graph and its loop op for op", "the oracles against the true gradient"),
    }
    for post, (code, additions) in split.items():
        page = out[pages.post_page_path(post)].decode()
        assert f"`tf1_repro/posts/{post}.py`: the post's code{code}" in page, post
        assert (f"`tf1_repro/posts/{post}_archive.py`: what the archive adds to the post, built on that "
                f"code without changing it ({additions}" in page), post
    assert pages.archive_additions("gradient_override") is None
    other = out[pages.post_page_path("gradient_override")].decode()
    assert "`tf1_repro/posts/gradient_override.py`: the post's graph, op for op" in other
    assert "_archive.py" not in other


def test_every_block_has_a_page_and_every_post_a_page():
    texts = {}
    for page in pages.pages():
        assert os.path.exists(page.path), f"{page}: missing ({REGENERATE} writes it)"
        with open(page.path) as f:
            texts[page.stem] = f.read()
    placed = {name for text in texts.values() for name in re.findall(r"<!-- ([a-z0-9_]+):begin", text)}
    assert set(readme.BLOCKS) <= placed, set(readme.BLOCKS) - placed
    assert {"claims_summary", "pages", "figures", "transcript"} <= set(re.findall(
        r"<!-- ([a-z0-9_]+):begin", texts["README"]))
    for post in registry.POSTS:
        assert set(pages.POST_BLOCKS) <= set(re.findall(r"<!-- ([a-z0-9_]+):begin", texts[post])), post


def test_render_refuses_unknown_unclosed_and_misplaced_blocks(generated):
    goldens, record, _, _ = generated
    ctx = pages.Context(goldens, record)
    page = pages.Page(os.path.join(pages.DOCS, "determinism.md"))
    with pytest.raises(GoldenError, match="unknown generated block 'nope'"):
        pages.render("<!-- nope:begin -->\n<!-- nope:end -->\n", ctx, page)
    with pytest.raises(GoldenError, match="without its end marker"):
        pages.render("<!-- families:begin -->\n", ctx, page)
    with pytest.raises(GoldenError, match="belongs on a post's page"):
        pages.render("<!-- claims:begin -->\n<!-- claims:end -->\n", ctx, page)
    post_page = pages.Page(pages.post_page_path("nielsen_mlp"))
    with pytest.raises(GoldenError, match="must keep the blocks"):
        pages.render("# a post\n", ctx, post_page)
    # Hand-written text around the blocks is left as it is.
    text = "before\n<!-- families:begin (x) -->\nstale text\n<!-- families:end -->\nafter\n"
    new = pages.render(text, ctx, page)
    assert new.startswith("before\n<!-- families:begin (x) -->\n") and new.endswith("<!-- families:end -->\nafter\n")
    assert "stale text" not in new


def test_every_claim_is_on_the_front_page_and_its_posts_page():
    text = open(pages.README).read()
    for claim in claims.all_claims():
        post = next(p for p in registry.POSTS if claim in __import__(
            f"tf1_repro.claims.{p}", fromlist=["CLAIMS"]).CLAIMS)
        assert f"(docs/{post}.md#{claim.name.lower()})" in text, claim.name
        assert f"\n### {claim.name}\n" in open(pages.post_page_path(post)).read(), claim.name


def test_the_front_page_fits_and_starts_with_set_up():
    """Under 200 lines; the install and test commands CI runs (.ci/run) are in its first screen."""
    lines = open(pages.README).read().splitlines()
    assert len(lines) < 200, len(lines)
    first_screen = "\n".join(lines[:50])
    ci = open(os.path.join(REPO, ".ci", "run")).read()
    for command in ('pip install -e ".[test]" -c constraints.txt', "python -m pytest"):
        assert command in ci and f"\n{command}\n" in first_screen, command


def _slug(heading):
    """GitHub's anchor of a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_links_between_pages_resolve():
    """Every relative link of every page names a file that exists, and an anchor a heading of it has."""
    anchors = {}

    def anchors_of(path):
        if path not in anchors:
            text = open(path).read()
            text = re.sub(r"```.*?```", "", text, flags=re.S)
            anchors[path] = {_slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
        return anchors[path]

    bad = []
    for page in pages.pages():
        text = re.sub(r"```.*?```", "", open(page.path).read(), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+://", target):
                continue
            path, _, anchor = target.partition("#")
            full = os.path.normpath(os.path.join(os.path.dirname(page.path), path)) if path else page.path
            if not os.path.exists(full):
                bad.append(f"{page}: {target}: no such file")
            elif anchor and full.endswith(".md") and anchor not in anchors_of(full):
                bad.append(f"{page}: {target}: no such heading")
    assert not bad, "\n".join(bad)


def test_every_command_shown_names_a_script_that_exists():
    missing = []
    for page in pages.pages():
        text = open(page.path).read()
        for script in re.findall(r"python ((?:scripts|benchmarks)/[\w/]+\.py)", text):
            if not os.path.exists(os.path.join(REPO, script)):
                missing.append(f"{page}: {script}")
        for module in re.findall(r"python -m (tf1_repro[\w.]+)", text):
            if not os.path.exists(os.path.join(REPO, *module.split(".")) + ".py"):
                missing.append(f"{page}: {module}")
    assert not missing, missing


def test_share_interval_and_sign_test():
    """The decoupled seed block's statistics, against values worked by hand."""
    from tf1_repro.readme import sign_test, wilson_interval
    lo, hi = wilson_interval(18, 50)
    assert abs(lo - 0.2414) < 5e-4 and abs(hi - 0.4986) < 5e-4  # p = 0.36, z = 1.96
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert sign_test(0, 5) == 2 / 32
    assert sign_test(3, 3) == 1.0 and sign_test(0, 0) == 1.0
    assert abs(sign_test(18, 26) - 0.2912) < 5e-4
