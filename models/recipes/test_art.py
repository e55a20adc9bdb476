"""ART at toy scale (issue 17): the token layout and the world's layer stacks, step 0 of
the fine-tune equals the base model, resumable training, export into a pack (manifest,
sha256, ORT parity); and pack_torch's recovery of the shipped pack's graphs as torch.

    python -m pytest -q models/recipes/test_art.py
"""

import argparse
import hashlib
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from models.recipes import art, art_data as ad  # noqa: E402
from models.recipes.world import World  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _args(**kw):
    base = dict(base=None, recipe="tiny", resume_from=None, cpu_seconds=None, steps=2, batch=2, reuse=1, lr=1e-4, caption_dropout=0.1,
                threads=1, log_every=1, save_seconds=1e9, base_pack=str(REPO / "main/engine/runtime/fixtures/tiny-pack"),
                id="lamina-art-test", version="0.0.0")
    base.update(kw)
    return argparse.Namespace(**base)


def test_token_boxes_snap_outward_and_the_layout_is_composite_background_then_boxes():
    assert ad.token_box((16, 16, 48, 32), 16, 8) == (1, 1, 3, 2)
    assert ad.token_box((17, 15, 47, 17), 16, 8) == (1, 0, 3, 2)
    assert ad.token_box((120, 120, 128, 128), 16, 8) == (7, 7, 8, 8)
    pos, lay = ad.layout_indices([(1, 0, 3, 2), (2, 2, 3, 3)], 4)
    assert len(pos) == 16 + 16 + 4 + 1
    assert pos[32:].tolist() == [1, 2, 5, 6, 10]  # the same as main/engine/pipelines/art/art-layout.test.ts
    assert lay[30:].tolist() == [1, 1, 2, 2, 2, 2, 3]
    full, _ = ad.layout_indices([(1, 0, 3, 2), (2, 2, 3, 3)], 4, full_layers=True)
    assert len(full) == 4 * 16


def test_world_scenes_give_amodal_layers_whose_alpha_lies_in_their_boxes():
    world = World.load()
    scenes = ad.scenes(world, ad.split_seeds(world, "test", 8), 128)
    assert sum(len(s["layers"]) for s in scenes) >= 8
    for s in scenes:
        assert len(s["layers"]) == len(s["boxes"]) == len(s["kinds"])
        assert torch.all(s["background"][3] == 1) and torch.all(s["composite"][3] == 1)
        for layer, (x0, y0, x1, y1) in zip(s["layers"], s["boxes"]):
            a = layer[3].clone()
            assert a[y0:y1, x0:x1].max() > ad.ALPHA_MIN
            a[y0:y1, x0:x1] = 0
            assert a.max() <= ad.ALPHA_MIN, "no alpha outside the box"
    z = torch.randn(3, 8, 16, 16)
    assert torch.equal(ad.unpatchify(ad.patchify(z, 2), 8, 2, 8), z)


def test_step_zero_on_the_composite_alone_is_the_base_model():
    from models.recipes import config as config_lib
    from models.recipes.train import build

    torch.manual_seed(0)
    recipe = config_lib.get("tiny")
    _, _, dit = build(recipe, World.load())
    for prm in [*dit.final.parameters(), *dit.final_ada.parameters()]:  # a non-zero head, like a trained one
        torch.nn.init.normal_(prm, std=0.1)
    for blk in dit.blocks:
        for s in (blk.txt, blk.img):
            torch.nn.init.normal_(s.ada.weight, std=0.05)
    C, h, p = recipe.vae.latent_channels, recipe.dit.latent_size, recipe.dit.patch_size
    z = torch.randn(1, C, h, h)
    t, emb, m = torch.tensor([0.6]), torch.randn(1, 5, recipe.text.dim), torch.ones(1, 5)
    model = art.ArtDiT(dit).eval()
    G = model.grid
    with torch.no_grad():
        want, _, _ = dit(z, t, emb, m)
        pos = torch.arange(G * G)[None]
        got = model(ad.patchify(z, p), pos, torch.zeros_like(pos), torch.ones(1, G * G), t, emb, m)
        assert torch.allclose(got, ad.patchify(want, p), atol=1e-5)
        # padding tokens change nothing for the real ones
        pad = model(torch.cat([ad.patchify(z, p), torch.randn(1, 3, C * p * p)], 1), torch.cat([pos, pos[:, :3]], 1),
                    torch.zeros(1, G * G + 3, dtype=torch.long), torch.cat([torch.ones(1, G * G), torch.zeros(1, 3)], 1),
                    t, emb, m)
        assert torch.allclose(pad[:, :G * G], got, atol=1e-5)


def test_train_resume_and_export_an_art_pack(tmp_path):
    ck = tmp_path / "ck"
    logs = []
    assert art.train(_args(ckpt=str(ck), steps=2), log=logs.append) == 2
    assert art.train(_args(ckpt=str(ck), steps=3), log=logs.append) == 3, "resumes from step 2"
    rf = art.write_resume_file(ck / "art.pt", tmp_path / "resume.pt", "art")
    assert rf["step"] == 3 and all(v.dtype == torch.float16 for v in rf["model"].values() if v.is_floating_point())
    ck2 = tmp_path / "ck2"
    assert art.train(_args(ckpt=str(ck2), steps=4, resume_from=str(tmp_path / "resume.pt")), log=logs.append) == 4, \
        "a new machine continues from the resume file"
    out = tmp_path / "pack"
    man = art.export(_args(ckpt=str(ck), out=str(out)), log=logs.append)
    assert man["pipelines"] == ["art"]
    assert man["art"]["max_boxes"] == art.MAX_BOXES and man["art"]["training"]["steps"] == 3
    assert man["graphs"]["transformer"]["file"] == "art_transformer.onnx"
    assert man["graphs"]["transformer"]["onnx_vs_torch_max_abs_diff"] < 1e-4
    disk = json.loads((out / "manifest.json").read_text())
    assert set(disk["files"]) == {"art_transformer.onnx", "text_encoder.onnx", "vae_encoder.onnx", "vae_decoder.onnx", "world.json"}
    for name, entry in disk["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"]


def test_pack_torch_recovers_the_shipped_pack_exactly():
    from models.recipes import pack_torch

    pack = REPO / "models" / "lamina-tiny"
    _, vae, text, dit, shift, scale = pack_torch.load_pack(pack)
    diffs = pack_torch.check(pack, vae, text, dit)
    assert set(diffs) == {"text_encoder", "transformer", "vae_encoder", "vae_decoder"}
    assert max(diffs.values()) < 1e-4, diffs
    manifest = json.loads((pack / "manifest.json").read_text())
    assert (shift, scale) == (manifest["latent"]["shift_factor"], manifest["latent"]["scaling_factor"])
