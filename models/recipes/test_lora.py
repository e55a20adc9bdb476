"""LoRA adapters (models/recipes/lora.py): a fresh adapter is the base model, the trainable
parameter count is rank x (in + out) per target, training changes only the chosen blocks'
attention projections, the merged weights give the LoRA forward, and a shipped adapter's
manifest entry names initializers whose merge in the ONNX graph gives the torch LoRA
forward under ONNX Runtime.

    python3 -m pytest -q models/recipes/test_lora.py
"""
import json
import shutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from models.recipes import config as config_lib  # noqa: E402
from models.recipes import lora  # noqa: E402
from models.recipes.train import build  # noqa: E402
from models.recipes.world import World  # noqa: E402

FIXTURE_PACK = Path(__file__).resolve().parents[2] / "main/engine/runtime/fixtures/tiny-pack"


@pytest.fixture(scope="module")
def world():
    torch.set_num_threads(1)
    return World.load()


def tiny_dit(world, seed=3):
    _, _, dit = build(config_lib.get("tiny"), world)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in dit.parameters():  # non-zero adaLN / final layers: outputs depend on every block
            p.copy_(torch.randn(p.shape, generator=g) * 0.1)
    return dit.eval()


def inputs(dit, B=2, T=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    c = dit.cfg
    return (torch.randn(B, c.latent_channels, c.latent_size, c.latent_size, generator=g), torch.rand(B, generator=g),
            torch.randn(B, T, c.text_dim, generator=g), torch.ones(B, T))


def randomize_lora(wrapped, seed=1):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for w in wrapped.values():
            w.lora_B.copy_(torch.randn(w.lora_B.shape, generator=g) * 0.05)


def test_a_fresh_adapter_is_the_base_model(world):
    dit = tiny_dit(world)
    x = inputs(dit)
    with torch.no_grad():
        want = dit(*x)[0]
        lora.apply_lora(dit, [0, 1], rank=4, alpha=8)
        got = dit(*x)[0]
    assert torch.equal(got, want)


def test_trainable_parameters_are_rank_times_in_plus_out(world):
    dit = tiny_dit(world)
    d = dit.cfg.dim
    wrapped = lora.apply_lora(dit, [0], rank=3, alpha=3)
    assert sorted(wrapped) == ["blocks.0.img.proj", "blocks.0.img.qkv", "blocks.0.txt.proj", "blocks.0.txt.qkv"]
    trainable = [p for p in dit.parameters() if p.requires_grad]
    assert sum(p.numel() for p in trainable) == 2 * (3 * (d + 3 * d) + 3 * (d + d))
    # the last block's text proj is never read: not a target
    assert "blocks.1.txt.proj" not in lora.target_names(dit, [1])
    assert lora.parse_blocks("all", 2) == [0, 1]
    with pytest.raises(SystemExit, match="block indices in 0..1"):
        lora.parse_blocks("2", 2)


def test_training_changes_only_the_chosen_blocks(world):
    dit = tiny_dit(world)
    before = {k: v.clone() for k, v in dit.state_dict().items()}
    wrapped = lora.apply_lora(dit, [1], rank=2, alpha=2)
    opt = torch.optim.AdamW(lora.lora_parameters(wrapped), lr=1e-2)
    for s in range(3):
        x = inputs(dit, seed=s)
        loss = dit(*x)[0].pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    merged = lora.merged_state(dit, wrapped)
    assert set(merged) == set(before)
    changed = {k for k in before if not torch.equal(before[k], merged[k])}
    assert changed == {"blocks.1.txt.qkv.weight", "blocks.1.img.qkv.weight", "blocks.1.img.proj.weight"}
    # the frozen base itself never moved
    for name, w in wrapped.items():
        assert torch.equal(w.base.weight, before[f"{name}.weight"])


def test_merged_weights_give_the_lora_forward_and_strength_scales(world):
    dit = tiny_dit(world)
    wrapped = lora.apply_lora(dit, [0, 1], rank=4, alpha=2)
    randomize_lora(wrapped)
    x = inputs(dit)
    plain = tiny_dit(world)
    with torch.no_grad():
        base = plain(*x)[0]
        for s in (0.0, 0.5, 1.5):
            lora.set_strength(wrapped, s)
            plain.load_state_dict(lora.merged_state(dit, wrapped))
            got, want = plain(*x)[0], dit(*x)[0]
            assert (got - want).abs().max() < 1e-5
            if s == 0.0:
                assert torch.equal(want, base)
            else:
                assert (want - base).abs().max() > 1e-3


def test_word_batch_is_biased_toward_words(world):
    rgba, caps = lora.word_batch(world, 0, 8, 64, 1.0)
    assert rgba.shape == (8, 4, 64, 64)
    assert all("word" in c for c in caps), caps


@pytest.mark.skipif(not (FIXTURE_PACK / "manifest.json").exists(), reason="fixture pack not built")
def test_shipped_adapter_merged_in_the_graph_matches_torch(world, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    import numpy as np
    import onnx
    from onnx import numpy_helper

    from models.recipes.pack_torch import load_pack

    _, _, _, dit, _, _ = load_pack(FIXTURE_PACK, world)
    wrapped = lora.apply_lora(dit, [1], rank=2, alpha=4)
    randomize_lora(wrapped)
    adapter = tmp_path / "a.safetensors"
    lora.write_adapter(adapter, wrapped, [1], 2, 4.0, {"steps": 0})
    m = lora.ship(FIXTURE_PACK, adapter, tmp_path / "pack", "test-lora", 0.8)
    section = m["adapters"]["test-lora"]
    assert section["blocks"] == [1] and section["rank"] == 2 and section["default_strength"] == 0.8
    assert m["files"]["a.safetensors"]["bytes"] == adapter.stat().st_size
    # merge W^T + s (alpha / r) (B A)^T into the named initializers, as the engine does
    strength = 0.7
    tensors, _ = lora.read_adapter(tmp_path / "pack" / "a.safetensors")
    model = onnx.load(str(tmp_path / "pack" / "transformer.onnx"))
    inits = {i.name: i for i in model.graph.initializer}
    for t in section["targets"]:
        init = inits[t["initializer"]]
        w = numpy_helper.to_array(init)
        delta = strength * 2.0 * (tensors[f"{t['module']}.lora_B"] @ tensors[f"{t['module']}.lora_A"]).numpy()
        init.CopyFrom(numpy_helper.from_array((w + delta.T).astype(np.float32), init.name))
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    lat, t, emb, mask = inputs(dit, T=6)
    nb, H, hd = dit.cfg.blocks, dit.cfg.heads, dit.cfg.head_dim
    feeds = {"latent": lat, "timestep": t, "text_embeds": emb, "text_mask": mask,
             "attn_bias": torch.zeros(2, 1, 6 + dit.cfg.image_tokens, 6 + dit.cfg.image_tokens),
             "text_k_override": torch.zeros(nb, 2, H, 6, hd), "text_v_override": torch.zeros(nb, 2, H, 6, hd),
             "kv_mix": torch.zeros(2, nb)}
    got = sess.run(["velocity"], {k: v.numpy() for k, v in feeds.items()})[0]
    lora.set_strength(wrapped, strength)
    with torch.no_grad():
        want = dit(lat, t, emb, mask)[0].numpy()
        lora.set_strength(wrapped, 0.0)
        base = dit(lat, t, emb, mask)[0].numpy()
    assert np.abs(got - want).max() < 1e-4
    assert np.abs(want - base).max() > 1e-3  # the adapter does something
    json.dumps(section)  # plain JSON
    shutil.rmtree(tmp_path / "pack")
