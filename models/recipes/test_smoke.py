"""Smoke tests for the recipes: world determinism, tokenizer, a few steps of every
recipe at toy scale, ONNX export + ORT parity. Fast (< 2 min on 2 cores).

    python -m pytest models/recipes/test_smoke.py -q

Skipped cleanly when torch (or onnx / onnxruntime for the export test) is missing.
"""

import json
import re

import pytest

torch = pytest.importorskip("torch")

from models.recipes import config as config_lib  # noqa: E402
from models.recipes.text import Tokenizer  # noqa: E402
from models.recipes.world import MAX_LAYERS, World  # noqa: E402


@pytest.fixture(scope="module")
def world():
    torch.set_num_threads(2)
    return World.load()


def test_scene_is_a_function_of_its_seed(world):
    a = world.render(world.sample(torch.tensor([5, 6, 7]), 64))
    b = world.render(world.sample(torch.tensor([7, 100, 6]), 64))
    assert torch.equal(a["composite"][2], b["composite"][0])
    assert torch.equal(a["layers"][1], b["layers"][2])


def test_layers_composite_back_to_the_image(world):
    sc = world.sample(torch.arange(16), 64)
    out = world.render(sc)
    comp = out["layers"][:, 0, :3].clone()
    for li in range(1, MAX_LAYERS):
        lay = out["layers"][:, li]
        comp = comp * (1 - lay[:, 3:]) + lay[:, :3]
    assert (comp - out["composite"]).abs().max() < 1e-5
    assert out["layers"].shape == (16, MAX_LAYERS, 4, 64, 64)
    # crops mode gives the same composite
    assert torch.equal(world.render(sc, layers="crops")["composite"], out["composite"])


def test_captions_and_tokenizer(world):
    sc = world.sample(torch.arange(8), 64)
    caps = world.captions(sc)
    phrases = world.phrases(sc)
    assert all(len(p) == int(n) for p, n in zip(phrases, sc.obj_active.sum(1)))
    tok = Tokenizer(world.spec)
    ids, mask = tok(caps + [""])
    unk = world.spec["vocab"].index(world.spec["special_tokens"]["unk"])
    assert not (ids == unk).any(), "every caption word must be in the vocabulary"
    assert mask[-1].sum() == 2  # empty prompt = [bos, eos]


def test_plausibility_volume_contains_the_sampled_objects(world):
    sc = world.sample(torch.arange(32), 64)
    ok = world.is_plausible(sc)
    assert ok[sc.obj_active].float().mean() > 0.9
    vol = world.plausibility_volume(sc, 0.25, [0.6, 0.8, 1.0])
    assert vol.shape == (32, 3, 64, 64) and vol.any()


@pytest.mark.parametrize("patch", [2, 1])
def test_train_and_export_tiny(tmp_path, world, patch):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from models.recipes import checkpoint as ck
    from models.recipes import train
    from models.recipes.export_onnx import export

    recipe = config_lib.get("tiny")
    recipe.dit.patch_size = patch  # the gpu recipe uses patch 1
    train.build(recipe, world)
    log = ck.Logger(tmp_path / "train.log")
    vae_state = train.train_vae(recipe, world, tmp_path, log, "cpu")
    assert vae_state["done"] and vae_state["step"] == recipe.train.vae_steps
    steps = train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state)
    assert steps == recipe.train.dit_steps
    # resuming a finished run does no more steps
    assert train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state) == steps
    out = tmp_path / "pack"
    report = export(tmp_path, out)
    assert set(report) == {"text_encoder", "transformer", "vae_encoder", "vae_decoder"}
    assert max(report.values()) < 1e-3
    man = json.loads((out / "manifest.json").read_text())
    assert man["transformer"]["block_count"] == recipe.dit.blocks
    assert man["transformer"]["patch_size"] == patch and man["transformer"]["image_tokens"] == recipe.dit.image_tokens
    assert man["scheduler"]["shift"] == recipe.train.flow_shift
    if patch == 2:  # the x0-by-noise-level diagnostic runs on any checkpoint
        from models.recipes.diagnose import NOISE_LEVELS, x0_sheet

        caps, errors = x0_sheet(tmp_path, tmp_path / "x0.png")
        assert len(caps) == 10 and list(errors) == list(NOISE_LEVELS) and (tmp_path / "x0.png").stat().st_size > 0
    if patch == 1:  # a sampling shift chosen at export lands in the manifest
        export(tmp_path, out, check=False, sample_shift=2.5)
        assert json.loads((out / "manifest.json").read_text())["scheduler"]["shift"] == 2.5
    names = [i["name"] for i in man["graphs"]["transformer"]["inputs"]]
    assert names == ["latent", "timestep", "text_embeds", "text_mask", "attn_bias", "text_k_override",
                     "text_v_override", "kv_mix"]
    for f, meta in man["files"].items():
        assert (out / f).stat().st_size == meta["bytes"]


def test_transformer_control_inputs_default_to_no_effect(world):
    from models.recipes import train

    recipe = config_lib.get("tiny")
    _, text, dit = train.build(recipe, world)
    for p in dit.parameters():  # adaLN-Zero starts as identity; perturb so the test means something
        torch.nn.init.normal_(p, std=0.05) if p.dim() > 1 else None
    dit.eval()
    c = recipe.dit
    B, T = 2, 7
    x, t = torch.randn(B, c.latent_channels, c.latent_size, c.latent_size), torch.rand(B)
    ids = torch.randint(4, 80, (B, T))
    mask = torch.ones(B, T)
    emb = text(ids, mask.long())
    with torch.no_grad():
        v0, k0, v_0 = dit(x, t, emb, mask)
        J = T + c.image_tokens
        junk = torch.randn_like(k0)
        v1, _, _ = dit(x, t, emb, mask, torch.zeros(B, 1, J, J), junk, junk, torch.zeros(B, c.blocks))
        v2, _, _ = dit(x, t, emb, mask, torch.zeros(B, 1, J, J), k0, v_0, torch.ones(B, c.blocks))
        v3, _, _ = dit(x, t, emb, mask, torch.zeros(B, 1, J, J), junk, junk, torch.ones(B, c.blocks))
    assert torch.allclose(v0, v1, atol=1e-6)
    assert torch.allclose(v0, v2, atol=1e-5)  # patching in a run's own K/V changes nothing
    assert not torch.allclose(v0, v3, atol=1e-3)  # patching in other K/V does


def test_fused_attention_equals_the_exported_graphs_attention(world, monkeypatch):
    """Training and PyTorch sampling use the fused SDPA kernel; the ONNX export writes the
    explicit softmax(QK^T / sqrt(d) + bias) V the runtime runs: same function."""
    from models.recipes import train

    recipe = config_lib.get("tiny")
    _, text, dit = train.build(recipe, world)
    for p in dit.parameters():
        torch.nn.init.normal_(p, std=0.05) if p.dim() > 1 else None
    dit.eval()
    c = recipe.dit
    B, T = 2, 7
    x, t = torch.randn(B, c.latent_channels, c.latent_size, c.latent_size), torch.rand(B)
    mask = torch.ones(B, T)
    mask[1, 4:] = 0  # padded text keys are masked by the bias in both paths
    emb = text(torch.randint(4, 80, (B, T)), mask.long())
    J = T + c.image_tokens
    bias = torch.randn(B, 1, J, J)
    with torch.no_grad():
        fused = dit(x, t, emb, mask, bias)[0]
        monkeypatch.setattr(torch.onnx, "is_in_onnx_export", lambda: True)
        explicit = dit(x, t, emb, mask, bias)[0]
    assert torch.allclose(fused, explicit, atol=1e-5)
    assert fused.abs().max() > 1e-3  # the perturbed network does something


def test_time_budget_stops_a_stage_and_anneals_the_lr(tmp_path, world):
    from dataclasses import replace

    from models.recipes import checkpoint as ck
    from models.recipes import train

    # the schedule: time progress pushes the cosine to its floor before the step count does
    assert ck.lr_at(10, 1.0, 2, 1000, 0.05, progress=1.0) == pytest.approx(0.05)
    assert ck.lr_at(10, 1.0, 2, 1000, 0.05, progress=None) > 0.9
    recipe = config_lib.get("tiny")
    recipe.train = replace(recipe.train, dit_steps=10_000, dit_seconds=2.0, ckpt_every=10_000, sample_every=10_000)
    train.build(recipe, world)
    log = ck.Logger(tmp_path / "train.log")
    vae_state = train.train_vae(recipe, world, tmp_path, log, "cpu")
    steps = train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state)
    assert 0 < steps < 10_000, steps
    state = ck.load(tmp_path / "dit.pt")
    assert state["done"] and state["step"] == steps and state["elapsed"] >= 2.0
    assert "time budget of 2 s reached" in (tmp_path / "train.log").read_text()
    # resuming a run whose budget is spent does no more steps
    assert train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state) == steps


def test_recipe_overrides_and_the_model_cards_history(tmp_path):
    from models.recipes.model_card import _history, _wall_time

    r = config_lib.get("cpu-long")
    config_lib.override(r, "train.flow_shift=3")
    config_lib.override(r, "dit.blocks=4")
    assert (r.train.flow_shift, r.dit.blocks) == (3.0, 4)
    with pytest.raises(ValueError):
        config_lib.override(r, "train.no_such_field=1")
    a, b = config_lib.get("cpu-long").to_dict(), r.to_dict()
    log = tmp_path / "train.log"
    log.write_text(f"2026-01-01T10:00:00 recipe cpu-long on cpu: {json.dumps(a)}\n2026-01-01T10:00:01 dit step 50/8500\n"
                   f"2026-01-01T11:00:00 recipe cpu-long on cpu: {json.dumps(b)}\n2026-01-01T11:00:01 dit: resumed at step 4000\n")
    assert _history(log) == "- 2026-01-01 11:00, from DiT step 4000: dit.blocks 6 -> 4, train.flow_shift 1.0 -> 3.0"
    # a later resume that the exported checkpoint (DiT step 4500) does not contain is left out
    c = dict(b, train={**b["train"], "token_probe": 0.1})
    with log.open("a") as f:
        f.write(f"2026-01-01T11:30:00 dit step 4500/8500 loss 0.1\n2026-01-01T12:00:00 recipe cpu-long on cpu: {json.dumps(c)}\n"
                "2026-01-01T12:00:01 dit: resumed at step 4500\n2026-01-01T12:10:00 dit step 4550/8500 loss 0.1\n")
    assert "token_probe" in _history(log) and "token_probe" not in _history(log, 4500)
    assert _wall_time(log, 4500).startswith("90 min") and _wall_time(log).startswith("130 min")


def test_token_probe_labels_name_the_front_most_object(world):
    from models.recipes.data import owner_classes, token_labels
    from models.recipes.world import MAX_OBJECTS

    sc = world.sample(torch.arange(40, 56), 64)
    masks = world.render(sc)["masks"]
    shape, colour, word = owner_classes(world, sc, masks)
    # oracle: paint the stack back to front, each covering layer overwrites the pixel's class
    want_s, want_c, want_w = torch.zeros_like(shape), torch.zeros_like(colour), torch.zeros_like(word)
    for layer in range(1, masks.shape[1]):
        for b in range(sc.batch):
            cover = masks[b, layer] > 0.5
            slot = layer - 1
            if slot < MAX_OBJECTS:
                want_s[b][cover], want_c[b][cover], want_w[b][cover] = 2 + int(sc.obj_shape[b, slot]), 1 + int(sc.obj_colour[b, slot]), 0
            else:
                want_s[b][cover], want_c[b][cover], want_w[b][cover] = 1, 0, 1 + int(sc.word_id[b, slot - MAX_OBJECTS])
    assert ((masks[:, 1:] > 0.5).sum(1) >= 2).sum() > 50  # the scenes do overlap
    assert torch.equal(shape, want_s) and torch.equal(colour, want_c) and torch.equal(word, want_w)
    assert (word > 0).any() and torch.equal(word > 0, shape == 1)  # the scenes have words; a word pixel names its word
    # one layer kept: only that object's pixels carry a class
    layer = int(sc.obj_active[0].float().argmax()) + 1
    only = torch.full((sc.batch,), -1)
    only[0] = layer
    s1, _, _ = owner_classes(world, sc, masks, only)
    inside = masks[0, layer] > 0.5
    assert (s1[0][inside] == 2 + sc.obj_shape[0, layer - 1]).all() and (s1[0][~inside] == 0).all()
    soft = token_labels(shape, 2 + len(world.shapes), 4)  # 4 x 4 tokens of 16 px
    assert soft.shape == (sc.batch, 16, 2 + len(world.shapes))
    assert torch.allclose(soft.sum(-1), torch.ones(sc.batch, 16))


def test_token_probe_trains_and_resumes(tmp_path, world):
    from dataclasses import replace

    from models.recipes import checkpoint as ck
    from models.recipes import train

    recipe = config_lib.get("tiny")
    recipe.train = replace(recipe.train, token_probe=0.1, token_probe_block=1)
    train.build(recipe, world)
    log = ck.Logger(tmp_path / "train.log")
    vae_state = train.train_vae(recipe, world, tmp_path, log, "cpu")
    train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state)
    first = ck.load(tmp_path / "dit.pt")["probe"]["head.weight"].clone()
    recipe.train = replace(recipe.train, dit_steps=6)
    assert train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state) == 6
    state = ck.load(tmp_path / "dit.pt")
    assert not torch.equal(first, state["probe"]["head.weight"])  # the resumed probe kept learning
    assert len(state["opt"]["param_groups"]) == 2
    assert "token probe on block 1" in (tmp_path / "train.log").read_text()
    assert " probe " in (tmp_path / "train.log").read_text().splitlines()[-2]


def test_vae_decoder_finetune_keeps_the_latent_space(tmp_path, world):
    from models.recipes import checkpoint as ck
    from models.recipes import train
    from models.recipes.finetune_vae_decoder import finetune
    from models.recipes.model_card import _decoder_finetune

    recipe = config_lib.get("tiny")
    train.build(recipe, world)
    base = train.train_vae(recipe, world, tmp_path, ck.Logger(tmp_path / "train.log"), "cpu")
    state = finetune(tmp_path, 0, steps=2, log=lambda s: None)
    assert state["decoder_finetune"]["done"] and state["decoder_finetune"]["step"] == 2
    enc = [k for k in base["model"] if k.startswith("encoder.")]
    dec = [k for k in base["model"] if k.startswith("decoder.")]
    assert enc and all(torch.equal(base["model"][k], state["model"][k]) for k in enc)  # latent space unchanged
    assert any(not torch.equal(base["model"][k], state["model"][k]) for k in dec)
    assert (state["latent_shift"], state["latent_scale"]) == (base["latent_shift"], base["latent_scale"])
    on_disk = ck.load(tmp_path / "vae.pt")["model"]
    assert all(torch.equal(on_disk[k], base["model"][k]) for k in dec)  # vae.pt itself untouched
    assert "then the decoder alone" in _decoder_finetune(state) and _decoder_finetune(base) == ""
    assert finetune(tmp_path, 0, steps=5, log=lambda s: None)["decoder_finetune"]["step"] == 2  # done stays done


def _tiny_pixel_recipe():
    """The tiny recipe in pixel space (no VAE) with x-prediction and 8 px patches."""
    from models.recipes.config import VAEConfig, with_image_size

    r = config_lib.get("tiny")
    r.vae = VAEConfig(kind="none")
    r.dit.patch_size, r.dit.prediction, r.dit.patch_bottleneck = 8, "x0", 16
    return with_image_size(r, 64)


def test_x_prediction_returns_the_velocity_it_implies(world):
    from dataclasses import replace

    from models.recipes import train
    from models.recipes.mmdit import MMDiT

    r = _tiny_pixel_recipe()
    codec, text, dit = train.build(r, world)
    assert r.vae.scale_factor == 1 and r.dit.latent_channels == 4 and r.dit.image_tokens == 64
    for p in dit.parameters():
        torch.nn.init.normal_(p, std=0.05) if p.dim() > 1 else None
    raw = MMDiT(replace(dit.cfg, prediction="velocity"))
    raw.load_state_dict(dit.state_dict())
    x, t = torch.randn(3, 4, 64, 64), torch.tensor([0.9, 0.3, 0.01])
    emb, mask = text(torch.randint(4, 80, (3, 5)), torch.ones(3, 5).long()), torch.ones(3, 5)
    with torch.no_grad():
        v = dit(x, t, emb, mask)[0]
        x0 = raw(x, t, emb, mask)[0]  # the same network's raw output is its clean-sample guess
    want = (x - x0) / t.clamp(min=r.dit.x0_t_min).view(3, 1, 1, 1)
    assert torch.allclose(v, want, atol=1e-5)
    # an Euler step to sigma 0 from any sigma >= x0_t_min lands exactly on the guess
    assert torch.allclose(x[0] + (0 - 0.9) * v[0], x0[0], atol=1e-5)
    # the pixel codec is the image in [-1, 1], colour kept <= alpha
    img = torch.rand(2, 4, 8, 8)
    img[:, :3] = torch.minimum(img[:, :3], img[:, 3:])
    assert torch.allclose(codec.decode(codec.encode(img)), img, atol=1e-6)


def test_curriculum_scenes_have_one_object_on_a_plain_background(world):
    sc = world.simplify(world.sample(torch.arange(64), 64))
    assert (sc.obj_active.sum(1) <= 1).all() and sc.obj_active.any(1).float().mean() > 0.9
    assert not sc.word_active.any() and not sc.has_lines.any() and (sc.bg_kind == 0).all()
    for cap in world.captions(sc):
        assert " and " not in cap and "word" not in cap, cap


def test_cpu_budget_counts_compute_not_waiting():
    import time

    from models.recipes import checkpoint as ck

    b = ck.Budget(10**9, seconds=0.3, clock="cpu")
    time.sleep(0.5)  # another process using the cores does not spend this run's budget
    assert not b.done(0) and b.elapsed < 0.3
    end = time.time() + 5
    while not b.done(0) and time.time() < end:
        sum(i * i for i in range(10_000))
    assert b.done(0)
    with pytest.raises(ValueError, match="budget clock"):
        ck.Budget(1, clock="gpu")


def test_pixel_recipe_trains_snapshots_and_is_judged(tmp_path, world):
    import shutil
    from dataclasses import replace

    from models.recipes import calibrate, train
    from models.recipes import checkpoint as ck

    r = _tiny_pixel_recipe()
    r.train = replace(r.train, dit_steps=10**6, dit_seconds=1.5, budget_clock="cpu", snapshot_seconds=0.5,
                      curriculum_seconds=0.5, ckpt_every=10**6, sample_every=10**6)
    train.build(r, world)
    log = ck.Logger(tmp_path / "train.log")
    state = train.train_vae(r, world, tmp_path, log, "cpu")
    assert state["latent_scale"] == 1.0 and not (tmp_path / "vae.pt").exists()  # nothing to train
    steps = train.train_dit(r, world, tmp_path, log, "cpu", state)
    snaps = sorted((tmp_path / "snapshots").glob("t*.pt"))
    assert steps > 0 and len(snaps) >= 2, (steps, snaps)
    assert "curriculum" in (tmp_path / "train.log").read_text()
    if shutil.which("node") is None:
        pytest.skip("node is needed for the TypeScript judge")
    res = calibrate.judge_run(tmp_path, singles=2, pairs=1, final_singles=3, final_pairs=1)
    assert sorted(res) == [s.stem for s in snaps]
    first, last = res[snaps[0].stem], res[snaps[-1].stem]
    assert first["captions"] == 3 and first["budget_seconds"] < 1.5  # a trend point
    assert last["captions"] == 4 and last["step"] == steps  # the run's end: the final caption set
    assert last["by_object_count"]["1_object"]["captions"] == 3
    assert len(list((tmp_path / "judge" / snaps[-1].stem).glob("caption-*.png"))) == 4


def test_a_new_machine_continues_from_the_resume_file(tmp_path, world):
    from dataclasses import replace

    from models.recipes import checkpoint as ck
    from models.recipes import train

    recipe = config_lib.get("tiny")
    train.build(recipe, world)
    first = tmp_path / "first"
    log = ck.Logger(tmp_path / "train.log")
    vae_state = train.train_vae(recipe, world, first, log, "cpu")
    steps = train.train_dit(recipe, world, first, log, "cpu", vae_state)
    dit_state = ck.load(first / "dit.pt")
    resume = tmp_path / "resume.pt"
    ck.save_resume(resume, dit_state, vae_state)
    seed = ck.load_resume(resume)
    assert seed["step"] == steps and seed["vae"]["done"]
    for k, v in dit_state["ema_dit"].items():  # fp16 round trip of the EMA weights
        assert torch.allclose(seed["ema_dit"][k], v, atol=2e-3, rtol=1e-3), k
    # a new machine: empty checkpoint folder, the resume file, a segment of 1 CPU second
    second = tmp_path / "second"
    ck.unpack_resume_vae(resume, second / "vae.pt")
    r2 = config_lib.get("tiny")
    r2.train = replace(r2.train, budget_clock="cpu", warmup=2)
    train.build(r2, world)
    vae2 = train.train_vae(r2, world, second, log, "cpu")
    assert vae2["done"] and vae2["step"] == vae_state["step"]  # the VAE is not trained again
    end = train.train_dit(r2, world, second, log, "cpu", vae2, seed_from=resume, segment_seconds=1.0)
    assert end > steps
    state = ck.load(second / "dit.pt")
    assert state["segment"] == {"start_elapsed": seed["elapsed"], "start_step": steps, "seconds": 1.0}
    text = (tmp_path / "train.log").read_text()
    assert "seeded from" in text and "segment of 1 budget s" in text
    # the same command again (the next working day): the segment is complete, so another one
    # starts where it ended; the resume file is ignored now that the run has a checkpoint
    assert train.train_dit(r2, world, second, log, "cpu", vae2, seed_from=resume, segment_seconds=1.0) > end
    assert f"segment of 1 budget s from step {end}" in (tmp_path / "train.log").read_text()
    with pytest.raises(SystemExit, match="not a Lamina resume file"):
        ck.load_resume(first / "dit.pt")


def test_low_resolution_tokens_sit_where_the_same_spot_sits_natively():
    from models.recipes.mmdit import sincos_2d

    native, half = sincos_2d(32, 8), sincos_2d(32, 4, native=8)
    assert torch.equal(sincos_2d(32, 8, native=8), native)  # the native grid is unchanged
    for i in range(4):
        for j in range(4):  # low-res token (i, j) covers native tokens (2i.., 2j..): it takes (2i, 2j)
            assert torch.allclose(half[i * 4 + j], native[(2 * i) * 8 + 2 * j], atol=1e-6)


def test_progressive_resolution_trains_low_then_native(tmp_path, world, monkeypatch):
    from dataclasses import replace

    from models.recipes import checkpoint as ck
    from models.recipes import data as data_lib
    from models.recipes import train

    sizes = []
    real = data_lib.dit_batch

    def spy(world, step, batch, size, *a, **k):
        sizes.append(size)
        return real(world, step, batch, size, *a, **k)

    monkeypatch.setattr(train, "dit_batch", spy)
    r = config_lib.get("tiny")
    r.train = replace(r.train, dit_steps=10**6, dit_seconds=3.0, budget_clock="cpu", lowres_seconds=1.5,
                      lowres_size=32, ckpt_every=10**6, sample_every=10**6, data_reuse=1)
    train.build(r, world)
    log = ck.Logger(tmp_path / "train.log")
    vae_state = train.train_vae(r, world, tmp_path, log, "cpu")
    sizes.clear()  # the VAE stage's latent statistics are at the native size
    steps = train.train_dit(r, world, tmp_path, log, "cpu", vae_state)
    assert steps > 2 and sizes[0] == 32 and sizes[-1] == 64, sizes
    assert sizes == sorted(sizes)  # low resolution first, never back
    text = (tmp_path / "train.log").read_text()
    assert "progressive resolution" in text and "64 px from here" in text
    _, _, dit = train.build(r, world)
    dit.load_state_dict(ck.load(tmp_path / "dit.pt")["ema_dit"])
    with torch.no_grad():  # the trained network runs at both sizes
        for n in (r.dit.latent_size // 2, r.dit.latent_size):
            v, _, _ = dit(torch.randn(1, r.dit.latent_channels, n, n), torch.rand(1), torch.randn(1, 3, r.text.dim),
                          torch.ones(1, 3))
            assert v.shape[-1] == n and torch.isfinite(v).all()


def test_topnet_data_volume_holds_the_true_placement_and_negatives(world):
    from models.recipes import topnet_data as td

    s = td.make_samples(world, torch.arange(2_000_000_000, 2_000_000_032))
    v, tr = s["volume"], s["true"]
    assert v.shape == (32, td.N_SCALES, td.GRID, td.GRID)
    assert td.SCALES[0] <= 0.5 + 1e-6 and td.SCALES[-1] >= 2 - 1e-6
    hit = v[torch.arange(32), tr[:, 0], tr[:, 1], tr[:, 2]].float().mean()
    assert hit >= 0.9, hit  # the object's own placement (cell-quantized) is plausible
    frac = v.float().mean((1, 2, 3))
    assert (frac < 0.5).all() and (frac > 0).all()  # every map has positives and many negatives
    # the rules are mirror-symmetric: flipping a sample flips its volume exactly
    sc = s["scenes"]
    assert not torch.equal(v, v.flip(-1)) and sc.batch == 32


def test_topnet_loss_cannot_be_won_by_an_all_plausible_map():
    from models.recipes.topnet import topnet_loss

    vol = torch.zeros(2, 11, 64, 64, dtype=torch.bool)
    vol[:, 5, 40, :] = True
    flat = torch.full((2, 11, 64, 64), 5.0)  # "everything plausible"
    sharp = torch.full((2, 11, 64, 64), -5.0)
    sharp[vol] = 5.0
    assert topnet_loss(sharp, vol)[0] < topnet_loss(flat, vol)[0] - 1.0


def test_topnet_trains_resumes_and_exports_a_checksummed_pack(tmp_path, world):
    import hashlib

    from models.recipes import topnet, topnet_disc

    ck = tmp_path / "ck"
    args = ["train", "--ckpt", str(ck), "--train-scenes", "16", "--val-scenes", "8", "--batch", "4", "--threads", "2"]
    topnet.main(args + ["--cpu-seconds", "2"])
    s1 = torch.load(ck / "topnet.pt", weights_only=False)
    topnet.main(args + ["--cpu-seconds", "4"])  # resumes: more steps, same run
    s2 = torch.load(ck / "topnet.pt", weights_only=False)
    assert s2["step"] > s1["step"] > 0 and s2["cpu_seconds"] >= 4
    topnet_disc.main(["train", "--ckpt", str(ck), "--cpu-seconds", "2", "--scenes", "2", "--threads", "2"])
    pack = tmp_path / "pack"
    topnet.main(["export", "--ckpt", str(ck), "--out", str(pack)])  # asserts ORT parity
    topnet_disc.main(["export", "--ckpt", str(ck), "--out", str(pack)])
    man = json.loads((pack / "manifest.json").read_text())
    assert man["formatVersion"] == 2 and man["pipelines"] == ["placement"]
    p = man["components"]["placement"]
    assert p["graph"] in man["graphs"] and p["discriminator"] in man["graphs"]
    assert len(p["scales"]) == 11 and p["heatmap"] == {"width": 64, "height": 64}
    assert set(man["files"]) == {"topnet.onnx", "discriminator.onnx"}
    for name, entry in man["files"].items():
        data = (pack / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]


def test_object_loss_weight_weights_the_covered_latent_pixels(tmp_path, world):
    from dataclasses import replace

    from models.recipes import checkpoint as ck
    from models.recipes import train
    from models.recipes.data import owner_classes

    sc = world.sample(torch.arange(40, 56), 64)
    shape, _, _ = owner_classes(world, sc, world.render(sc)["masks"])
    w = train.pixel_weights(shape, 16, 4.0)
    assert w.shape == (sc.batch, 1, 16, 16) and abs(float(w.mean()) - 1.0) < 1e-5
    covered = torch.nn.functional.adaptive_avg_pool2d((shape >= 1).float()[:, None], 16)
    full, empty = covered == 1, covered == 0
    assert full.any() and empty.any()
    # a fully covered latent pixel weighs 4x an uncovered one, partly covered ones in between
    assert torch.allclose(w[full] / w[empty].mean(), torch.full_like(w[full], 4.0), atol=1e-5)
    assert torch.allclose(train.pixel_weights(shape, 16, 1.0), torch.ones_like(w))
    # and it trains (the weights ride through the replay buffer with their latents)
    recipe = config_lib.get("tiny")
    recipe.train = replace(recipe.train, object_loss_weight=4.0)
    train.build(recipe, world)
    log = ck.Logger(tmp_path / "train.log")
    vae_state = train.train_vae(recipe, world, tmp_path, log, "cpu")
    assert train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state) == recipe.train.dit_steps
    assert ck.load(tmp_path / "dit.pt")["recipe"]["train"]["object_loss_weight"] == 4.0


def test_mix_ffn_trains_and_exports_with_ort_parity(tmp_path, world):
    """dit.mix_ffn (SANA's Mix-FFN in the image stream): a depthwise 3 x 3 convolution over
    the token grid; the exported graph matches torch, and the convolution sees neighbours."""
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from models.recipes import mmdit, train

    recipe = config_lib.get("tiny")
    recipe.dit.mix_ffn = True
    train.build(recipe, world)
    net = mmdit.MMDiT(recipe.dit)
    assert isinstance(net.blocks[0].img.mlp, mmdit.MixFFN) and not isinstance(net.blocks[0].txt.mlp, mmdit.MixFFN)
    ffn = net.blocks[0].img.mlp
    grid = recipe.dit.latent_size // recipe.dit.patch_size
    x = torch.randn(1, grid * grid, recipe.dit.dim)
    y = ffn(x, grid)
    x2 = x.clone()
    x2[0, 0] += 1.0  # token (0, 0): its right neighbour's output moves, a far token's does not
    y2 = ffn(x2, grid)
    assert not torch.allclose(y[0, 1], y2[0, 1]) and torch.allclose(y[0, -1], y2[0, -1])
    assert _train_and_export(tmp_path, world, recipe)["transformer"] < 1e-3


def _train_and_export(tmp_path, world, recipe):
    """Train the recipe's VAE and DiT in tmp_path and export its pack: the export report
    (each graph's largest difference from torch under onnxruntime)."""
    from models.recipes import checkpoint as ck
    from models.recipes import train
    from models.recipes.export_onnx import export

    log = ck.Logger(tmp_path / "train.log")
    vae_state = train.train_vae(recipe, world, tmp_path, log, "cpu")
    train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state)
    return export(tmp_path, tmp_path / "pack")


def test_relative_position_bias_grows_a_trained_transformer_trains_and_exports(tmp_path, world):
    """dit.rel_pos_bias: zero tables leave a plain transformer's weights and outputs as they
    were (load_grown); a table entry biases exactly the image pairs at its offset; it trains,
    and the exported graph matches torch."""
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from models.recipes import checkpoint as ck
    from models.recipes import mmdit, train

    recipe = config_lib.get("tiny")
    train.build(recipe, world)
    plain = mmdit.MMDiT(recipe.dit)
    for p in plain.parameters():  # as if trained: the zero-initialised gates and head open
        torch.nn.init.normal_(p, std=0.1)
    recipe.dit.rel_pos_bias = True
    grown = mmdit.MMDiT(recipe.dit)
    assert grown.load_grown(plain.state_dict()) == [f"blocks.{i}.rel.table" for i in range(recipe.dit.blocks)]
    with pytest.raises(ValueError, match="do not match"):
        grown.load_grown({k: v for k, v in plain.state_dict().items() if k != "final.weight"})
    C, S = recipe.dit.latent_channels, recipe.dit.latent_size
    args = (torch.randn(2, C, S, S), torch.tensor([0.3, 0.8]), torch.randn(2, 5, recipe.dit.text_dim), torch.ones(2, 5))
    assert torch.allclose(plain(*args)[0], grown(*args)[0], atol=1e-5)
    rel = grown.blocks[0].rel
    grid = S // recipe.dit.patch_size
    native = rel.native
    one_right = (native - 1) * (2 * native - 1) + native  # offset (dy, dx) = (0, +1)
    with torch.no_grad():
        rel.table[1, one_right] = 3.0
    bias = rel(grid, 5)[0, 1]
    assert bias.shape == (5 + grid * grid, 5 + grid * grid) and bias[:5].abs().sum() == 0 and bias[:, :5].abs().sum() == 0
    assert bias[5 + 1, 5 + 0] == 3.0 and bias[5 + 0, 5 + 1] == 0.0  # query (0, 1) over key (0, 0): dx = +1
    assert int((bias == 3.0).sum()) == grid * (grid - 1)
    assert not torch.allclose(plain(*args)[0], grown(*args)[0], atol=1e-5)
    report = _train_and_export(tmp_path, world, recipe)
    assert report["transformer"] < 1e-3
    trained = ck.load(tmp_path / "dit.pt")["dit"]
    assert trained["blocks.0.rel.table"].abs().sum() > 0


def _tiny_run(tmp_path, world, **train_fields):
    """The tiny recipe with these train fields, its logger and a trained VAE in tmp_path."""
    from dataclasses import replace

    from models.recipes import checkpoint as ck
    from models.recipes import train

    recipe = config_lib.get("tiny")
    recipe.train = replace(recipe.train, **train_fields)
    train.build(recipe, world)
    log = ck.Logger(tmp_path / "train.log")
    return recipe, log, train.train_vae(recipe, world, tmp_path, log, "cpu")


def test_shape_critic_trains_saves_and_resumes_beside_the_dit(tmp_path, world):
    from dataclasses import replace

    from models.recipes import checkpoint as ck
    from models.recipes import train

    recipe, log, vae_state = _tiny_run(tmp_path, world, shape_loss=0.5, shape_critic_warmup=2, shape_critic_words=True, token_probe=0.1, token_probe_block=1)
    train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state)
    first = ck.load(tmp_path / "dit.pt")["critic"]
    assert first["steps"] == 3
    w0 = first["model"]["net.0.weight"].clone()
    recipe.train = replace(recipe.train, dit_steps=6)
    assert train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state) == 6
    state = ck.load(tmp_path / "dit.pt")
    assert state["critic"]["steps"] == 6 and not torch.equal(w0, state["critic"]["model"]["net.0.weight"])
    last = max((k for k in state["critic"]["model"] if k.endswith(".weight")), key=lambda k: int(k.split(".")[1]))
    assert state["critic"]["model"][last].shape[0] == 2 + len(world.shapes) + len(world.spec["words"])
    text = (tmp_path / "train.log").read_text()
    assert "shape critic, weight 0.5 after 2 critic steps (at 3 now)" in text and " x0 acc " in text


def test_a_pretrained_shape_critic_starts_warm(tmp_path, world):
    from dataclasses import replace

    from models.recipes import checkpoint as ck
    from models.recipes import train
    from models.recipes.shape_critic import pretrain

    recipe, log, vae_state = _tiny_run(tmp_path, world, shape_loss=0.5, shape_critic_warmup=50)
    acc = pretrain(tmp_path / "vae.pt", tmp_path / "critic.pt", seconds=0.5, batch=4, reuse=2, log=log)
    pre = ck.load(tmp_path / "critic.pt")
    assert pre["steps"] >= 2 and pre["accuracy"] == acc and pre["classes"] == 2 + len(world.shapes)
    recipe.train = replace(recipe.train, shape_critic_from=str(tmp_path / "critic.pt"))
    train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state)
    # warm: the DiT's shape loss is on from its first step (no 50-step warmup), the critic went on from the pretrained one
    assert "(at 50 now)" in (tmp_path / "train.log").read_text()
    assert ck.load(tmp_path / "dit.pt")["critic"]["steps"] == 50 + recipe.train.dit_steps


def test_a_snapshot_is_diagnosed_on_the_same_held_out_batches(tmp_path, world):
    """grounding.diagnose and shape_critic.x0_accuracy_by_t read a snapshot on held-out
    batches (held_out.DiagnosedSnapshot): the same scenes and noise every time."""
    import shutil

    from models.recipes import grounding, train
    from models.recipes.held_out import DiagnosedSnapshot
    from models.recipes.shape_critic import pretrain, x0_accuracy_by_t

    recipe, log, vae_state = _tiny_run(tmp_path, world)
    train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state)
    snap = tmp_path / "snapshots" / "t00001.pt"
    snap.parent.mkdir()
    shutil.copy(tmp_path / "dit.pt", snap)  # a checkpoint holds the EMA weights a snapshot does
    pretrain(tmp_path / "vae.pt", tmp_path / "critic.pt", seconds=0.5, batch=4, reuse=2, log=log)
    one = DiagnosedSnapshot(snap)
    a, b = one.batch(3, 4), one.batch(3, 4)
    assert torch.equal(a.z0, b.z0) and torch.equal(a.noise, b.noise) and a.scenes.captions == b.scenes.captions
    assert not torch.equal(a.noise, one.batch(4, 4).noise) and torch.equal(one.batch(3, 4, noise_seed=4).noise, one.batch(4, 4).noise)
    xt, tt = a.noised(0.25)
    assert torch.allclose(xt, 0.75 * a.z0 + 0.25 * a.noise) and tt.tolist() == [0.25] * 4
    read = x0_accuracy_by_t(snap, tmp_path / "critic.pt", ts=(0.5, 0.9), batches=1, batch=4)
    assert set(read) == {"0.5", "0.9", "true"} and all(0.0 <= v <= 1.0 for v in read.values())
    assert read == x0_accuracy_by_t(snap, tmp_path / "critic.pt", ts=(0.5, 0.9), batches=1, batch=4)
    rows = grounding.diagnose(snap, batch=4)
    assert rows[0]["block"].startswith("chance") and [r["block"] for r in rows[1:]] == list(range(recipe.dit.blocks))
    assert rows == grounding.diagnose(snap, batch=4)


def test_critic_alignment_trains_its_head_and_the_dit_and_resumes(tmp_path, world):
    from dataclasses import replace

    import pytest

    from models.recipes import checkpoint as ck
    from models.recipes import train
    from models.recipes.shape_critic import pretrain

    recipe, log, vae_state = _tiny_run(tmp_path, world, critic_align=0.5, critic_align_block=1)
    with pytest.raises(ValueError, match="needs train.shape_critic_from"):
        train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state)
    pretrain(tmp_path / "vae.pt", tmp_path / "critic.pt", seconds=0.5, batch=4, reuse=2, log=log)
    critic_before = ck.load(tmp_path / "critic.pt")["model"]
    recipe.train = replace(recipe.train, shape_critic_from=str(tmp_path / "critic.pt"))
    train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state)
    first = ck.load(tmp_path / "dit.pt")
    assert "critic" not in first and "align" in first  # the critic is a frozen target here: not trained, not saved
    w0 = first["align"]["model"]["0.weight"].clone()
    recipe.train = replace(recipe.train, dit_steps=6)
    assert train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state) == 6
    assert not torch.equal(w0, ck.load(tmp_path / "dit.pt")["align"]["model"]["0.weight"])
    text = (tmp_path / "train.log").read_text()
    assert "critic alignment on block 1, weight 0.5" in text
    assert re.search(r"dit step \d+/\d+ loss [\d.]+ lr \S+ align [01]\.\d{4} ", text)
    assert all(torch.equal(v, ck.load(tmp_path / "critic.pt")["model"][k]) for k, v in critic_before.items())


def test_a_vae_stage_cut_short_resumes(tmp_path, world):
    from models.recipes import checkpoint as ck
    from models.recipes import train

    recipe, log, _ = _tiny_run(tmp_path, world)
    state = ck.load(tmp_path / "vae.pt")
    ck.save(tmp_path / "vae.pt", {**state, "done": False})  # as if killed before its end
    again = train.train_vae(recipe, world, tmp_path, log, "cpu")
    assert again["done"] and f"vae: resumed at step {state['step']}" in (tmp_path / "train.log").read_text()
