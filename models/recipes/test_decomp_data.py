"""Decomposition data, baselines and metrics (issue 16).

    python -m pytest -q models/recipes/test_decomp*.py
"""

import pytest

torch = pytest.importorskip("torch")

from models.recipes import decomp_data as dd  # noqa: E402
from models.recipes import decomp_eval as ev  # noqa: E402
from models.recipes.world import World  # noqa: E402


@pytest.fixture(scope="module")
def world():
    torch.set_num_threads(1)
    return World.load()


@pytest.fixture(scope="module")
def samples(world):
    return dd.make_samples(world, dd.test_seeds(world, 48))


def _translucent_front(s):
    fa = s["front_alpha"][:, 0]
    return (fa > 0) & (fa < 1) & (s["foreground"][:, 3] > 0)


def test_recomposition_is_exact_where_nothing_translucent_is_in_front(samples):
    res = dd.recomposition_residual(samples)
    assert res[~_translucent_front(samples)].max() < 1e-5
    assert res.mean() < 1e-3  # and small everywhere (a few anti-aliased / translucent occluder pixels)


def test_recomposition_holds_with_and_without_shadows(world):
    seeds = dd.test_seeds(world, 16)
    on, off = dd.make_samples(world, seeds, shadows="on"), dd.make_samples(world, seeds, shadows="off")
    for s in (on, off):
        assert dd.recomposition_residual(s)[~_translucent_front(s)].max() < 1e-5
    assert on["has_shadow"].all() and not off["has_shadow"].any()
    assert not off["shadow"].any() and on["shadow"].any()
    # the shadow is the only difference in the foreground's alpha outside the object
    assert torch.equal(on["mask"], off["mask"])
    assert (on["foreground"][:, 3] >= off["foreground"][:, 3] - 1e-6).all()
    # the shadow is semi-transparent black: no colour, alpha at most the world's opacity
    sh = on["shadow"]
    assert on["foreground"][:, :3].permute(1, 0, 2, 3)[:, sh].abs().max() < 1e-6
    assert on["foreground"][:, 3][sh].max() <= world.rules["shadow_opacity"] + 1e-6


def test_the_background_is_the_scene_without_the_object(world, samples):
    # where the foreground is empty, the background shows the image itself
    empty = samples["foreground"][:, 3] == 0
    diff = (samples["background"] - samples["image"]).abs().amax(1)
    assert diff[empty].max() < 1e-5
    # and under the mask it differs (the object is gone)
    assert (diff[samples["mask"]] > 0.01).float().mean() > 0.5


def test_data_covers_what_the_world_has(samples):
    assert samples["has_shadow"].any() and (~samples["has_shadow"]).any()
    assert samples["translucent"].any() and samples["occluded"].any()
    assert (samples["bg_kind"] >= 2).any()  # patterned backgrounds
    assert samples["mask"].flatten(1).any(1).all()


def test_samples_are_a_function_of_their_seed(world):
    a = dd.make_samples(world, dd.test_seeds(world, 4))
    b = dd.make_samples(world, dd.test_seeds(world, 2, 2))
    assert torch.equal(a["foreground"][2:], b["foreground"]) and torch.equal(a["mask"][2:], b["mask"])


def test_true_layer_stack_composes_to_the_image(samples):
    for b in range(4):
        layers = dd.layer_stack(samples, b)
        comp = layers[0][:3]
        for lay in layers[1:]:
            comp = lay[:3] * lay[3:] + (1 - lay[3:]) * comp
        assert (comp - samples["image"][b]).abs().max() < 1e-4
        assert len(dd.visible_masks(samples, b)) == len(layers) - 1


def test_metrics_score_the_truth_perfectly_and_the_identity_badly(samples):
    b = int(samples["has_shadow"].float().argmax())
    args = (samples["image"][b], samples["mask"][b], samples["background"][b], samples["foreground"][b],
            samples["shadow"][b])
    best = ev.sample_metrics(*args, samples["background"][b], samples["foreground"][b])
    assert best["bg_psnr"] == ev.PSNR_CAP and best["fg_alpha_iou"] == 1 and best["shadow_alpha_err"] == 0
    worst = ev.sample_metrics(*args, samples["image"][b], torch.zeros(4, *samples["image"].shape[-2:]))
    assert worst["fg_alpha_iou"] == 0 and worst["bg_psnr"] < best["bg_psnr"]
    gt = dd.layer_stack(samples, b)
    assert ev.layers_edit_distance(gt, gt, 1) == [0.0, 0.0]
    assert ev.layers_edit_distance(gt[:1], gt, 0)[0] > 0


def test_inpaint_baseline_keeps_the_shadow_in_the_background(samples):
    cv2 = pytest.importorskip("cv2")
    del cv2
    from models.recipes import decomp_baselines as bl

    b = int(samples["has_shadow"].float().argmax())
    img, mask = samples["image"][b], samples["mask"][b]
    bg, fg = bl.inpaint(img, mask)
    assert torch.equal(bg[:, ~mask], img[:, ~mask]) and torch.equal(fg[3] > 0, mask)
    sh = samples["shadow"][b]
    # the shadow is still in its background: darker than the truth there
    assert (bg[:, sh] - samples["background"][b][:, sh]).mean() < -0.02


def test_peel_samples_take_the_front_most_layer_or_nothing(world):
    s = dd.make_peel_samples(world, dd.train_seeds(world, 40))
    # recomposition is exact: nothing lies in front of the peeled layer
    assert (dd.recompose(s["foreground"], s["background"]) - s["image"]).abs().max() < 1e-5
    assert not s["mask"].any(), "the condition is the empty mask"
    e = s["empty"]
    assert 0 < e.float().mean() < 0.5
    assert s["foreground"][e].abs().max() == 0 and torch.equal(s["background"][e], s["image"][e])
    # otherwise the peeled layer is the top one: its footprint is where the image changes
    full = world.render(world.sample(s["seeds"]), layers="dense")
    kinds = full["layer_kind"]
    for b in range(len(e)):
        if e[b]:
            continue
        top = int(s["top_layer"][b])
        assert int(kinds[b, top]) > 0 and not (kinds[b, top + 1:] > 0).any()
        assert s["visible"][b].any()


def test_peel_predicted_stops_when_nothing_is_found():
    # a fake decomposer: each call takes the next of two squares off, then finds nothing
    img = torch.ones(3, 32, 32)
    squares = [(2, 2), (18, 18)]
    calls = []

    def fn(cur, mask):
        assert mask is None, "no mask: the model finds the object"
        calls.append(1)
        fg = torch.zeros(4, 32, 32)
        if len(calls) <= len(squares):
            y, x = squares[len(calls) - 1]
            fg[:, y:y + 8, x:x + 8] = 1
            fg[3, y + 8:y + 10, x:x + 8] = 0.4  # a shadow: not the object
        return cur * (1 - fg[3:4]) + fg[:3], fg

    layers, n = ev.peel_predicted(fn, img)
    assert n == 2 and len(calls) == 3 and len(layers) == 3
    assert dd.predicted_mask(layers[2]).sum() == 64, "the first found (front) is last; its shadow is not in the mask"
    calls.clear()
    layers, n = ev.peel_predicted(fn, img, cap=1)
    assert n == 1 and len(calls) == 1
