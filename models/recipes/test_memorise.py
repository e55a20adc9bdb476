"""The memorisation probe (memorise.py): its shape reader tells each fixed scene's shape
from the same scene drawn with any other shape, and a short run from a resume file writes
its log and grid."""
import json
from dataclasses import replace

import pytest

torch = pytest.importorskip("torch")

from models.recipes import memorise  # noqa: E402
from models.recipes.world import World  # noqa: E402


@pytest.fixture(scope="module")
def world():
    torch.set_num_threads(2)
    return World.load()


def test_fixed_scenes_hold_one_object_of_each_shape_in_order(world):
    sc = memorise.fixed_scenes(world, 2, 64)
    assert sc.obj_active.sum(1).tolist() == [1] * (2 * len(world.shapes))
    assert memorise.shape_of(sc).tolist() == [s for s in range(len(world.shapes)) for _ in range(2)]
    # a larger pool starts with the same scenes (the "seen" probe is trained on); the unseen ones differ
    more = memorise.fixed_scenes(world, 3, 64)
    assert torch.equal(more.obj_box.view(len(world.shapes), 3, *more.obj_box.shape[1:])[:, :2].flatten(0, 1), sc.obj_box)
    unseen = memorise.fixed_scenes(world, 2, 64, memorise.UNSEEN_SEED)
    assert not torch.equal(unseen.obj_box, sc.obj_box)


def test_the_reader_reads_true_renders_and_swapped_shapes(world):
    sc = memorise.fixed_scenes(world, 1, 128)
    templates = memorise.shape_templates(world, sc)
    truth = memorise.shape_of(sc)
    read, scores = memorise.read_shapes(world.render(sc, layers=False)["composite"], templates)
    assert torch.equal(read, truth)
    assert scores.gather(1, truth[:, None]).min() > 0.8
    # every scene drawn with the next shape instead reads as that shape, not its own
    swapped = (truth + 1) % len(world.shapes)
    sc2 = replace(sc, obj_shape=torch.where(sc.obj_active, swapped[:, None], sc.obj_shape))
    read2, _ = memorise.read_shapes(world.render(sc2, layers=False)["composite"], templates)
    assert torch.equal(read2, swapped)
    # the same scenes with the object moved 24 px: read right once the templates follow it,
    # and not by the in-place reading
    step = torch.tensor([24, 16, 24, 16]) / 128  # boxes are in image fractions
    away = torch.where(sc.obj_box[..., :1] < 0.5, 1.0, -1.0)  # toward the middle, so nothing leaves the frame
    moved = replace(sc, obj_box=sc.obj_box + step * away)
    rgb = world.render(moved, layers=False)["composite"]
    assert torch.equal(memorise.read_shapes(rgb, templates)[0], truth)
    assert memorise.read_shapes(rgb, templates, in_place=True)[1].gather(1, truth[:, None]).max() < 0.5
    # a plain background (no object) matches no template well
    empty = world.render(replace(sc, obj_active=torch.zeros_like(sc.obj_active)), layers=False)["composite"]
    _, s0 = memorise.read_shapes(empty, templates)
    assert s0.max() < 0.05


def test_a_short_run_from_a_resume_file_writes_its_log_and_grid(tmp_path, world):
    from models.recipes import checkpoint as ck
    from models.recipes import config as config_lib
    from models.recipes import train

    recipe = config_lib.get("tiny")
    train.build(recipe, world)
    log = ck.Logger(tmp_path / "train.log")
    vae_state = train.train_vae(recipe, world, tmp_path / "run", log, "cpu")
    train.train_dit(recipe, world, tmp_path / "run", log, "cpu", vae_state)
    resume = tmp_path / "resume.pt"
    ck.save_resume(resume, ck.load(tmp_path / "run" / "dit.pt"), vae_state)
    lines = []
    history = memorise.run(tmp_path / "memo", 600.0, resume, per_shape=3, eval_every=2, steps=2, max_steps=3,
                           batch=4, log=lines.append)
    assert [h["step"] for h in history] == [0, 2, 3]
    rows = [json.loads(x) for x in (tmp_path / "memo" / "memorise.jsonl").read_text().splitlines()]
    assert rows == history
    for probe in ("seen", "unseen"):
        last = rows[-1][probe]
        assert 0.0 <= last["shape_right_in_place"] <= 100.0
        assert sum(last["right_by_shape"].values()) == round(last["shape_right"] * 2 * len(world.shapes) / 100)
        assert 0.0 <= last["iou_true"] <= 1.0 and last["latent_mse"] > 0
    assert {p.name for p in (tmp_path / "memo").glob("memo_*.png")} == {"memo_00000.png", "memo_00002.png", "memo_00003.png"}
    for row in rows:
        assert row["seen"]["shape_drawn"] <= row["seen"]["shape_right"]
    # the saved grids read back as the run read its samples (8-bit PNGs: IoU to 0.02)
    again = memorise.reread(tmp_path / "memo", 3, log=lines.append)
    assert [r["step"] for r in again] == [0, 2, 3]
    for a, b in zip(again, rows):
        for probe in ("seen", "unseen"):
            assert abs(a[probe]["iou_true"] - b[probe]["iou_true"]) < 0.02, (probe, a[probe], b[probe])
    assert (tmp_path / "memo" / "reread.jsonl").exists()
    assert f"memorise: {3 * len(world.shapes)} scenes" in lines[0] and "batches of 4" in lines[0]
