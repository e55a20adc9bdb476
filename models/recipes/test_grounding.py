"""Token grounding (grounding.py): which words name which regions, the attention it
reads, its losses, and training with it."""

import re

import pytest
import torch
import torch.nn.functional as F

from models.recipes import config as config_lib
from models.recipes.data import dit_batch
from models.recipes.grounding import KINDS, TextAttention, WordRegions, losses
from models.recipes.mmdit import MMDiT, timestep_embedding
from models.recipes.text import Tokenizer
from models.recipes.world import World


@pytest.fixture(scope="module")
def world():
    return World.load()


@pytest.fixture(scope="module")
def regions(world):
    return WordRegions(world, Tokenizer(world.spec))


def test_phrases_name_objects_words_and_the_background(world, regions):
    tok = regions.tok
    shapes, colours = world.shapes, world.spec["colour_order"]
    cap = "a large red star and a small blue ring on a green striped background with the words CAT and SUN"
    got = regions.phrases(tok.ids(cap))
    ids = tok.ids(cap)
    words = [w.lower() for w in world.spec["words"]]
    assert got == [
        ([2, 3, 4], ("object", shapes.index("star"), colours.index("red"))),
        ([7, 8, 9], ("object", shapes.index("ring"), colours.index("blue"))),
        ([12, 13], ("background",)),
        ([18], ("word", words.index("cat"))),
        ([20], ("word", words.index("sun"))),
    ]
    assert [ids[p] for p in (12, 13)] == [tok.vocab["green"], tok.vocab["striped"]]
    # a layer's phrase has no article; a caption with nothing nameable names nothing
    assert regions.phrases(tok.ids("small white heart")) == [([1, 2, 3], ("object", shapes.index("heart"),
                                                                                  colours.index("white")))]
    assert regions.phrases(tok.ids("")) == []


def test_targets_are_the_named_layers_cover_on_the_token_grid(world, regions):
    b = dit_batch(world, 123, 8, 128, 0.35, owners=True)
    reg, group, kind = regions.targets(b.captions, b.owner_shape, b.owner_colour, b.owner_word, 16)
    assert reg.shape == (8, world.spec["tokenizer"]["max_length"], 256)
    for i, cap in enumerate(b.captions):
        for pos, region in regions.phrases(regions.tok.ids(cap)):
            if region[0] == "object":
                m = (b.owner_shape[i] == 2 + region[1]) & (b.owner_colour[i] == 1 + region[2])
            elif region[0] == "word":
                m = b.owner_word[i] == 1 + region[1]
            else:
                m = b.owner_shape[i] == 0
            want = F.avg_pool2d(m.float()[None, None], 8).flatten()
            if want.sum() < 0.25:  # hidden: no target
                assert all(group[i, p] == -1 for p in pos)
                continue
            for j, p in enumerate(pos):
                assert torch.allclose(reg[i, p], want) and group[i, p] >= 0
                assert KINDS[kind[i, p]] == (["object size", "object colour", "object shape"][j]
                                             if region[0] == "object" else
                                             "drawn word" if region[0] == "word" else "background")
        named = {p for pos, _ in regions.phrases(regions.tok.ids(cap)) for p in pos}
        assert all(group[i, p] == -1 and reg[i, p].sum() == 0 for p in range(reg.shape[1]) if p not in named)
    assert (kind == KINDS.index("object shape")).any() and (kind == KINDS.index("background")).any()


def test_losses_are_low_only_when_attention_lies_inside_the_named_region():
    B, N, T = 2, 16, 4
    target = torch.zeros(B, T, N)
    target[:, 1, :4] = 1.0  # token 1 names the first four image tokens
    group = torch.tensor([[-1, 0, -1, -1]] * B)
    inside = torch.full((B, N, T), 0.01)
    inside[:, :4, 1] = 0.9
    outside = torch.full((B, N, T), 0.01)
    outside[:, 4:8, 1] = 0.9
    tok_in, pix_in = losses([inside], target, group)
    tok_out, pix_out = losses([outside], target, group)
    assert tok_in < 0.01 < 0.9 < tok_out
    assert pix_in < pix_out
    # tokens that name nothing do not count
    assert losses([outside], target, torch.full((B, T), -1))[0] == 0


def test_text_attention_is_the_blocks_attention_and_changes_nothing(world):
    torch.manual_seed(0)
    cfg = config_lib.get("tiny").dit
    cfg.latent_channels, cfg.text_dim = 8, cfg.dim
    dit = MMDiT(cfg).eval()
    for p in dit.parameters():  # adaLN-Zero starts as the identity: make the blocks do something
        p.data.add_(torch.randn_like(p) * 0.05)
    B, T = 2, 5
    z = torch.randn(B, 8, cfg.latent_size, cfg.latent_size)
    emb = torch.randn(B, T, cfg.dim)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    t = torch.tensor([0.3, 0.8])
    with torch.no_grad():
        before = dit(z, t, emb, mask)[0]
        hooks = TextAttention(dit)
        after = dit(z, t, emb, mask)[0]
        maps = hooks.take()
    hooks.remove()
    assert torch.equal(before, after) and len(maps) == cfg.blocks and hooks.take() == []
    with torch.no_grad():
        dit(z, t, emb, mask)
    assert hooks.take() == []  # removed: nothing kept
    N = (cfg.latent_size // cfg.patch_size) ** 2
    for a in maps:
        assert a.shape == (B, N, T)
        assert a[0, :, 3:].abs().max() < 1e-6  # padding gets nothing
        assert torch.allclose(a.sum(-1), torch.ones(B, N), atol=1e-5)  # a distribution over the text keys
    # the first block's map, computed by hand from its inputs
    blk = dit.blocks[0]
    with torch.no_grad():
        x = z.reshape(B, 8, -1, cfg.patch_size, z.shape[-1] // cfg.patch_size, cfg.patch_size)
        x = x.permute(0, 2, 4, 1, 3, 5).reshape(B, N, -1)
        img = dit.patch(x) + dit.pos
        txt = dit.context(emb)
        m = mask.float()
        pooled = (emb * m[..., None]).sum(1) / m.sum(1, keepdim=True)
        c = F.silu(dit.t_mlp(timestep_embedding(t, 256)) + dit.pool_mlp(pooled))
        _, kt, _, _ = blk.txt.pre(txt, c, blk.heads)
        qi, _, _, _ = blk.img.pre(img, c, blk.heads)
        logits = qi @ kt.transpose(-1, -2) * qi.shape[-1] ** -0.5 + ((1 - m) * -1e4)[:, None, None]
        want = logits.softmax(-1).mean(1)
    assert torch.allclose(maps[0], want, atol=1e-5)


def test_grounding_moves_attention_into_the_named_regions(world, regions):
    """A few steps of the grounding loss alone raise the share of the words' attention
    that falls inside their regions (the loss reaches the weights it should)."""
    from models.recipes.text_encoder import TextEncoder

    torch.manual_seed(0)
    recipe = config_lib.get("tiny")
    recipe.text.vocab_size, recipe.text.max_length = len(world.spec["vocab"]), world.spec["tokenizer"]["max_length"]
    recipe.dit.text_dim, recipe.dit.latent_channels = recipe.text.dim, 8
    text, dit = TextEncoder(recipe.text), MMDiT(recipe.dit)
    for p in dit.parameters():
        p.data.add_(torch.randn_like(p) * 0.05)
    size = recipe.dit.latent_size * 4
    b = dit_batch(world, 7, 8, size, 0.35, owners=True)
    grid = recipe.dit.latent_size // recipe.dit.patch_size
    reg, group, _ = regions.targets(b.captions, b.owner_shape, b.owner_colour, b.owner_word, grid)
    ids, mask = regions.tok(b.captions)
    T = ids.shape[1]
    reg, group = reg[:, :T], group[:, :T]
    z = torch.randn(8, 8, recipe.dit.latent_size, recipe.dit.latent_size)
    t = torch.full((8,), 0.8)
    hooks = TextAttention(dit)
    opt = torch.optim.Adam(list(dit.parameters()) + list(text.parameters()), lr=3e-3)
    first = None
    for _ in range(25):
        dit(z, t, text(ids, mask), mask)
        tok_loss, pix_loss = losses(hooks.take(), reg, group)
        first = first if first is not None else tok_loss.item()
        opt.zero_grad()
        (tok_loss + 0.1 * pix_loss).backward()
        opt.step()
    assert tok_loss.item() < 0.7 * first


def test_grounding_trains_beside_the_dit_and_resumes(tmp_path, world):
    from dataclasses import replace

    from models.recipes import checkpoint as ck
    from models.recipes import train
    from models.recipes.test_smoke import _tiny_run

    recipe, log, vae_state = _tiny_run(tmp_path, world, grounding=0.5, grounding_pixel=0.1, shape_loss=0.2,
                                       shape_critic_warmup=1, log_every=1)
    train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state)
    recipe.train = replace(recipe.train, dit_steps=5)
    assert train.train_dit(recipe, world, tmp_path, log, "cpu", vae_state) == 5
    text = (tmp_path / "train.log").read_text()
    assert "token grounding on every block, token loss 0.5, pixel loss 0.1" in text
    assert re.search(r"ground 0\.\d{3} pixel \d+\.\d{3} ", text)
    assert ck.load(tmp_path / "dit.pt")["step"] == 5


def test_split_pixel_loss_wants_every_word_of_the_phrase():
    """Whole-phrase pixel loss is content with all attention on the colour word; the split
    one is not, and is lowest when the phrase's words share it."""
    B, N, T = 1, 8, 4
    target = torch.zeros(B, T, N)
    target[:, 1:4, :4] = 1.0  # tokens 1-3 (size, colour, shape) name the first four image tokens
    group = torch.tensor([[-1, 0, 0, 0]])
    colour_only = torch.full((B, N, T), 0.001)
    colour_only[:, :4, 2] = 0.997
    shared = torch.full((B, N, T), 0.001)
    shared[:, :4, 1:] = 0.333
    whole = [losses([a], target, group)[1] for a in (colour_only, shared)]
    split = [losses([a], target, group, split=True)[1] for a in (colour_only, shared)]
    assert abs(whole[0] - whole[1]) < 0.01
    assert split[1] < split[0] - 0.2
