"""The decomposition model recipe at toy scale: a few resumable training steps, ONNX
export into a pack (manifest + sha256) and ORT parity (issue 16).

    python -m pytest -q models/recipes/test_decomp*.py
"""

import argparse
import hashlib
import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from models.recipes import decomp  # noqa: E402


def _args(**kw):
    base = dict(base=None, recipe="tiny", cpu_seconds=None, steps=2, batch=2, lr=1e-4, recomp=1.0, peel=0.5, threads=1, resume_from=None,
                log_every=1, save_seconds=1e9, base_pack="main/engine/runtime/fixtures/tiny-pack", id="lamina-decomp-test",
                version="0.0.0")
    base.update(kw)
    return argparse.Namespace(**base)


def test_step_zero_is_the_base_model_on_each_half():
    from models.recipes.world import World
    from models.recipes.train import build
    from models.recipes import config as config_lib

    torch.manual_seed(0)
    recipe = config_lib.get("tiny")
    _, _, dit = build(recipe, World.load())
    for prm in dit.final.parameters():  # a non-zero head, like a trained one
        torch.nn.init.normal_(prm, std=0.1)
    C, h = recipe.vae.latent_channels, recipe.dit.latent_size
    z = torch.randn(1, C, h, h)
    t, emb, m = torch.tensor([0.7]), torch.randn(1, 4, recipe.text.dim), torch.ones(1, 4, dtype=torch.long)
    with torch.no_grad():
        want, _, _ = dit(z, t, emb, m)
        model = decomp.DecompDiT(dit)
        got = model(torch.cat([z, z], 1), torch.randn(1, C + 1, h, h), t, emb, m)
    assert got.shape == (1, 2 * C, h, h)
    assert torch.allclose(got[:, :C], want, atol=1e-5) and torch.allclose(got[:, C:], want, atol=1e-5)


def test_train_resume_and_export_a_pack(tmp_path):
    ck = tmp_path / "ck"
    logs = []
    assert decomp.train(_args(ckpt=str(ck), steps=2), log=logs.append) == 2
    assert decomp.train(_args(ckpt=str(ck), steps=3), log=logs.append) == 3, "resumes from step 2"
    assert any("recomp" in line for line in logs)
    rf = decomp.write_resume_file(ck / "decomp.pt", tmp_path / "resume.pt", "decomp")
    assert rf["step"] == 3 and all(v.dtype == torch.float16 for v in rf["model"].values() if v.is_floating_point())
    assert decomp.train(_args(ckpt=str(tmp_path / "ck2"), steps=4, resume_from=str(tmp_path / "resume.pt")), log=logs.append) == 4, \
        "a new machine continues from the resume file"
    out = tmp_path / "pack"
    man = decomp.export(_args(ckpt=str(ck), out=str(out)), log=logs.append)
    assert man["pipelines"] == ["decompose"]
    assert man["graphs"]["transformer"]["file"] == "decompose_transformer.onnx"
    assert man["graphs"]["transformer"]["onnx_vs_torch_max_abs_diff"] < 1e-4
    assert man["decompose"]["training"]["steps"] == 3
    assert set(man["files"]) == {"decompose_transformer.onnx", "text_encoder.onnx", "vae_encoder.onnx", "vae_decoder.onnx", "world.json"}
    disk = json.loads((out / "manifest.json").read_text())
    for name, entry in disk["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"]
    assert "decompose_transformer.onnx" in disk["files"]


def test_finish_keeps_the_image_away_from_the_object_and_solves_the_layers_from_it():
    S = 32
    pink = torch.tensor([240, 120, 180]).float().view(3, 1, 1) / 255
    image = pink.expand(3, S, S).clone()
    mask = torch.zeros(S, S, dtype=torch.bool)
    mask[4:10, 4:10] = True
    image[:, 4:10, 4:10] = torch.tensor([0.8, 0.1, 0.1]).view(3, 1, 1)
    image[:, 10:12, 5:11] = (0.6 * pink * 255).round() / 255  # its shadow
    bg = pink.expand(3, S, S).clone()
    bg[:, 0:2, 14:16] = torch.tensor([250, 110, 170]).float().view(3, 1, 1) / 255  # a blur: not a shadow
    fg = torch.zeros(4, S, S)
    out_bg, out_fg = decomp.finish(image, mask, bg, fg, 8, 8)
    radius, feather = decomp.keep_geometry(S, S, 8, 8)
    far = decomp.distance_to_mask(mask) >= radius + feather
    assert torch.equal(out_bg[:, far], image[:, far]) and (out_fg[:, far] == 0).all(), "the image's own pixels far away"
    assert (out_fg[3][mask] == 1).all() and torch.allclose(out_fg[:3][:, mask], image[:, mask]), "opaque, the image's colour"
    assert torch.allclose(out_fg[3, 10:12, 5:11], torch.tensor(0.4), atol=0.01), "the shadow: black at 40 %"
    assert torch.equal(out_bg[:, 0:2, 14:16], image[:, 0:2, 14:16]) and (out_fg[3, 0:2, 14:16] == 0).all()
    rec = out_fg[:3] + (1 - out_fg[3:4]) * out_bg
    assert (rec - image).abs().max() < 0.01, "the layers recompose the picture"
    assert float(decomp.distance_to_mask(mask)[0, 0]) == pytest.approx(4 * 2 ** 0.5), "chamfer distance as the engine's"
