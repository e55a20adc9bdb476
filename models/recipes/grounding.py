"""Token grounding, a training aid (TokenCompose, Wang et al. 2024, adapted to joint
attention): every caption word that names something in the picture (an object's size,
colour and shape words, a drawn word, the background's colour and kind) gets the region
it names, from the world's exact layer masks, and the DiT is trained so that the image
tokens' attention to that word falls inside that region.

Two losses, on every joint block's image queries' attention over the text keys (softmax
over the text keys alone, as in the cross-attention TokenCompose supervises; heads averaged):
  token loss  (1 - share of the word's attention mass that lies inside its region) ** 2
  pixel loss  BCE between each image token's attention to the word's group (the phrase the
              word is part of) and the region's cover

Why: the 14,400 s state's object tokens give the shape word 1-2 % of their text attention
and the colour words 6-23 % (`--diagnose`): the DiT reads colours from the caption and
barely looks at the shape word, so it cannot write the shape.

    python -m models.recipes.grounding --diagnose CKPT/snapshots/tNNNNN.pt [--t 0.8]
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

UNGROUNDED = -1
KINDS = ("none", "object size", "object colour", "object shape", "drawn word", "background")


def region_kind(region, j: int) -> str:
    """The kind of the j-th token of a phrase naming `region`."""
    if region[0] == "object":
        return KINDS[1 + j]
    return "drawn word" if region[0] == "word" else "background"


class WordRegions:
    """Which caption tokens name which region, from the world's vocabulary."""

    def __init__(self, world, tok):
        v, spec = tok.vocab, world.spec
        self.tok = tok
        self.length = spec["tokenizer"]["max_length"]
        self.size = {v[s] for s in spec["size_order"]}
        self.colour = {v[c]: i for i, c in enumerate(spec["colour_order"])}
        self.shape = {v[s]: i for i, s in enumerate(world.shapes)}
        self.kind = {v[k] for k in spec["background_kinds"] if k in v}
        self.word = {v[w.lower()]: i for i, w in enumerate(spec["words"]) if w.lower() in v}
        self.background = v["background"]
        self.on = v["on"]

    def phrases(self, ids: list[int]):
        """[(token positions, region)] for one tokenized caption; a region is
        ("object", shape, colour), ("word", word id) or ("background",)."""
        out, i = [], 0
        while i < len(ids):
            t = ids[i]
            if (t in self.size and i + 2 < len(ids) and ids[i + 1] in self.colour and ids[i + 2] in self.shape):
                out.append(([i, i + 1, i + 2], ("object", self.shape[ids[i + 2]], self.colour[ids[i + 1]])))
                i += 3
                continue
            if t in self.word:
                out.append(([i], ("word", self.word[t])))
            elif t == self.on:  # "on a {colour} [{kind}] background"
                j = i + 1
                while j < len(ids) and ids[j] != self.background and j - i <= 4:
                    j += 1
                named = [k for k in range(i + 1, j) if ids[k] in self.colour or ids[k] in self.kind]
                if j < len(ids) and ids[j] == self.background and named:
                    out.append((named, ("background",)))
                    i = j
            i += 1
        return out

    def targets(self, captions, owner_shape, owner_colour, owner_word, grid: int):
        """(regions [B, L, grid * grid]: each token's region as the share of every image
        token's cell it covers, 0 for tokens that name nothing; group [B, L]: the phrase each
        grounded token belongs to, UNGROUNDED for the rest; kind [B, L]: an index into KINDS).
        L = the tokenizer's max length, positions as Tokenizer gives them (captions dropped
        to "" later keep no targets)."""
        B, S = owner_shape.shape[0], owner_shape.shape[-1]
        regions = torch.zeros(B, self.length, grid * grid)
        group = torch.full((B, self.length), UNGROUNDED, dtype=torch.long)
        kind = torch.zeros(B, self.length, dtype=torch.long)
        masks, where = [], []
        for b, cap in enumerate(captions):
            for g, (pos, region) in enumerate(self.phrases(self.tok.ids(cap))):
                if region[0] == "object":
                    m = (owner_shape[b] == 2 + region[1]) & (owner_colour[b] == 1 + region[2])
                elif region[0] == "word":
                    m = owner_word[b] == 1 + region[1]
                else:
                    m = owner_shape[b] == 0
                masks.append(m)
                where.append((b, pos, g, region))
        if not masks:
            return regions, group, kind
        cover = F.avg_pool2d(torch.stack(masks).float()[:, None].cpu(), S // grid).flatten(1)  # [K, N]
        for (b, pos, g, region), c in zip(where, cover):
            if c.sum() < 0.25:  # hidden behind other layers: nothing to point at
                continue
            for j, p in enumerate(pos):
                regions[b, p] = c
                group[b, p] = g
                kind[b, p] = KINDS.index(region_kind(region, j))
        return regions, group, kind


class TextAttention:
    """Keeps every joint block's image-query attention over the text keys [B, N, T]
    (softmax over the text keys alone, as in a cross-attention; heads averaged), with
    gradients: `maps` holds one per block after a DiT forward. The blocks hand over the
    queries and keys they computed anyway (JointBlock.text_attention_probe)."""

    def __init__(self, dit):
        self.maps = []
        self.blocks = list(dit.blocks)
        for blk in self.blocks:
            blk.text_attention_probe = self._keep

    def _keep(self, q_image, k_text, bias):
        T = k_text.shape[2]
        bias = bias[..., :T] if bias.shape[-2] == 1 else bias[:, :, T:, :T]  # key padding, or a full bias's rows
        logits = (q_image.float() @ k_text.float().transpose(-1, -2)) * q_image.shape[-1] ** -0.5 + bias.float()
        self.maps.append(logits.softmax(-1).mean(1))

    def take(self):
        maps, self.maps = self.maps, []
        return maps

    def remove(self):
        for blk in self.blocks:
            blk.text_attention_probe = None


def losses(maps, regions, group, split=False):
    """(token loss, pixel loss), averaged over blocks and grounded tokens. maps: per block
    [B, N, T]; regions [B, T, N]; group [B, T]. The pixel loss asks each image token to
    give its named phrase all its text attention; with `split`, each word of the phrase an
    equal part of it (so no word of the phrase, the shape word included, can be ignored)."""
    grounded = (group >= 0).float()
    n = grounded.sum().clamp(min=1.0)
    same = ((group[:, :, None] == group[:, None, :]) & (group[:, :, None] >= 0)).float()  # [B, T, T]
    target = regions.transpose(1, 2)  # [B, N, T]
    if split:
        target = target / same.sum(-1).clamp(min=1.0)[:, None]
    tok, pix = 0.0, 0.0
    for a in maps:
        inside = (a * regions.transpose(1, 2)).sum(1) / a.sum(1).clamp(min=1e-8)  # [B, T]
        tok = tok + (((1.0 - inside) ** 2) * grounded).sum() / n
        got = a if split else a @ same.transpose(1, 2)  # [B, N, T]: the word's, or its phrase's, attention
        bce = F.binary_cross_entropy(got.clamp(1e-6, 1 - 1e-6), target, reduction="none").mean(1)
        pix = pix + (bce * grounded).sum() / n
    return tok / len(maps), pix / len(maps)


@torch.no_grad()
def diagnose(snapshot, t=0.8, batch=32, simple=False):
    """Per block, at noise level t on held-out batches: the share of each kind of word's
    attention that falls inside its region (object phrase words by kind, drawn words,
    background), and the object tokens' text-normalised attention to their shape word
    and colour word; first, what attention spread evenly over the image would give."""
    from .held_out import DiagnosedSnapshot

    snap = DiagnosedSnapshot(snapshot)
    wr = WordRegions(snap.world, snap.tok)
    hb = snap.batch(7, batch, simple=simple, noise_seed=0)
    b = hb.scenes
    T = hb.ids.shape[1]
    grid = hb.z0.shape[-1] // snap.recipe.dit.patch_size
    regions, group, kind = (x[:, :T] for x in wr.targets(b.captions, b.owner_shape, b.owner_colour, b.owner_word, grid))
    hooks = TextAttention(snap.dit)
    snap.dit(*hb.noised(t), snap.text(hb.ids, hb.mask), hb.mask)
    maps = hooks.take()
    hooks.remove()
    shape_word = (kind == KINDS.index("object shape")).float()
    cover = regions.transpose(1, 2) * shape_word[:, None]  # [B, N, T]: each object token's shape word
    on = cover.sum(-1) > 0.5
    chance = {"block": "chance (the regions' share of the image)"}
    for k in KINDS[1:]:
        s = kind == KINDS.index(k)
        chance[f"{k} inside"] = round((regions.sum(-1)[s] / regions.shape[-1]).mean().item(), 3) if s.any() else None
    rows = [chance]
    for blk, a in enumerate(maps):
        inside = (a * regions.transpose(1, 2)).sum(1) / a.sum(1).clamp(min=1e-8)  # [B, T]
        row = {"block": blk}
        for k in KINDS[1:]:
            s = kind == KINDS.index(k)
            row[f"{k} inside"] = round(inside[s].mean().item(), 3) if s.any() else None
        row["object tokens -> shape word"] = round(((a * cover).sum(-1)[on] / cover.sum(-1)[on]).mean().item(), 3)
        rows.append(row)
    return rows


def main():
    import argparse
    import json

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--diagnose", required=True, help="an EMA snapshot (CKPT/snapshots/tNNNNN.pt)")
    ap.add_argument("--t", type=float, default=0.8)
    ap.add_argument("--simple", action="store_true", help="one object on a plain background")
    args = ap.parse_args()
    torch.set_num_threads(1)
    for row in diagnose(args.diagnose, args.t, simple=args.simple):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
