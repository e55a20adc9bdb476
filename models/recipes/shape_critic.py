"""Shape critic (training aid, not exported): a small convolutional network that reads, at
every latent pixel, what covers it (nothing, a word, or an object of one of the world's
shapes) from a clean latent. It is trained on the true latents only; the DiT then gets a
second loss: the critic's reading of the clean latent it implies (x0 = x_t - t v) must
match the true scene's owners.

Why: the denoising MSE rewards an object's colour over all its pixels but its shape only
at its border, so the DiT learns colour early and shape hardly at all (calibration.md,
sessions 5-9: one-object shape stays near chance while colour reaches 70 %). The critic's
loss weighs every covered pixel's shape class, the way a perceptual loss weighs what a
person looks at. The critic's own weights get no gradient from the DiT's loss, so the
two cannot agree on a private code; it only ever learns from real latents.
"""

from __future__ import annotations

import torch
import torch.nn as nn


class ShapeCritic(nn.Module):
    """latent [B, C, h, w] -> logits [B, classes, h, w]; classes = 2 + shapes (0 nothing,
    1 a word, 2 + shape id an object: data.owner_classes' shape classes). Dilated 3 x 3
    convolutions: a receptive field of 31 latent pixels, about a large object at 128 px."""

    def __init__(self, latent_channels: int, classes: int, width: int = 48):
        super().__init__()
        self.classes = classes
        layers, c = [], latent_channels
        for d in (1, 1, 2, 4, 8):
            layers += [nn.Conv2d(c, width, 3, padding=d, dilation=d), nn.GroupNorm(8, width), nn.GELU()]
            c = width
        layers.append(nn.Conv2d(width, classes, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(z)

    def features(self, z):
        """The last hidden layer [B, width, h, w]: what the critic knows about each latent
        pixel's object (the target of train.critic_align)."""
        return self.net[:-1](z)

    def loss(self, z, labels, frozen=False, sample_weight=None):
        """Against soft labels [B, h * w, classes] (data.token_labels on the latent grid):
        half the cross-entropy of each object's reading (the logits averaged over the pixels
        of that class in that image: an object is judged whole, as the judge does), half the
        per-pixel cross-entropy where no object is (nothing drawn where nothing belongs).
        `frozen`: the critic's weights take no gradient (the DiT's loss); `sample_weight`
        [B]: each image's weight (e.g. toward high noise levels, where shapes are decided)."""
        if frozen:
            logits = torch.func.functional_call(self, {k: v.detach() for k, v in self.named_parameters()}, (z,))
        else:
            logits = self(z)
        logits = logits.float().flatten(2).transpose(1, 2)  # [B, hw, K]
        sw = torch.ones(z.shape[0], device=z.device) if sample_weight is None else sample_weight.float()
        pooled, target, image = self._objects(logits, labels)
        if len(target):
            w = sw[image]
            obj = (nn.functional.cross_entropy(pooled, target, reduction="none") * w).sum() / w.sum().clamp(min=1e-6)
        else:
            obj = logits.sum() * 0
        rest = (1.0 - labels[..., 2:].sum(-1)) * sw[:, None]
        ce = -(labels * logits.log_softmax(-1)).sum(-1)
        return 0.5 * obj + 0.5 * (ce * rest).sum() / rest.sum().clamp(min=1e-6)

    @staticmethod
    def _objects(logits, labels):
        """Per (image, object class present): the logits averaged over its pixels [N, K],
        the class [N] and the image [N]. Present = at least half a latent pixel of it."""
        w = labels[..., 2:]  # [B, hw, K - 2]
        area = w.sum(1)  # [B, K - 2]
        pooled = torch.einsum("bnk,bnc->bck", logits, w) / area.clamp(min=1e-6)[..., None]
        present = area > 0.5
        target = torch.arange(2, labels.shape[-1], device=labels.device).expand_as(area)
        image = torch.arange(area.shape[0], device=labels.device)[:, None].expand_as(area)
        return pooled[present], target[present], image[present]

    @torch.no_grad()
    def object_accuracy(self, z, labels) -> float:
        """Share of objects (per image and class) the critic reads right: on true latents,
        how well it reads; on the DiT's x0, how well the DiT draws."""
        pooled, target, _ = self._objects(self(z).float().flatten(2).transpose(1, 2), labels)
        return float((pooled.argmax(-1) == target).float().mean()) if len(target) else float("nan")


def critic_labels(world, batch, classes: int, latent_size: int) -> torch.Tensor:
    """The critic's soft labels [B, h * w, classes] from a DiT batch with owners: shape
    classes, and with word classes (classes > 2 + shapes) each word as 2 + shapes + word id."""
    from .data import token_labels

    n_shapes = len(world.shapes)
    cls = batch.owner_shape
    if classes > 2 + n_shapes:
        cls = torch.where(batch.owner_word > 0, 1 + n_shapes + batch.owner_word, cls)
    return token_labels(cls, classes, latent_size)


def pretrain(vae_path, out, seconds: float, words=False, reuse=4, batch=32, lr=3e-3, log=print):
    """Train a critic alone on true latents of training scenes (the DiT batches' mix of
    scenes and single layers) for `seconds` of this process's CPU time; `reuse` critic steps
    per rendered batch. Saves {"model", "opt", "steps", "accuracy"} (train.shape_critic_from)."""
    import time

    from . import checkpoint as ck
    from . import config as config_lib
    from .data import dit_batch
    from .vae import load_codec
    from .world import World

    world = World.load()
    state = ck.load(vae_path)
    recipe = config_lib.from_dict(state["recipe"])
    vae = load_codec(state)
    size = recipe.train.image_size
    classes = 2 + len(world.shapes) + (len(world.spec["words"]) if words else 0)
    critic = ShapeCritic(recipe.vae.latent_channels, classes)
    opt = torch.optim.AdamW(critic.parameters(), lr=lr, weight_decay=0.0)

    def encoded(i):
        b = dit_batch(world, i, batch, size, recipe.train.phrase_fraction, owners=True)
        with torch.no_grad():
            z = (vae.encode(b.rgba) - state["latent_shift"]) * state["latent_scale"]
        return z, critic_labels(world, b, classes, z.shape[-1])

    val = [encoded(10**6 + k) for k in range(2)]  # batches no training step renders
    start, steps, i = time.process_time(), 0, 0
    while time.process_time() - start < seconds:
        z, labels = encoded(i)
        i += 1
        for _ in range(reuse):
            opt.zero_grad(set_to_none=True)
            loss = critic.loss(z, labels)
            loss.backward()
            opt.step()
            steps += 1
        if i % 10 == 0:
            acc = sum(critic.object_accuracy(vz, vl) for vz, vl in val) / len(val)
            log(f"critic step {steps} ({i} batches, {time.process_time() - start:.0f} CPU s): loss {loss.item():.3f}, "
                f"held-out object accuracy {acc:.3f}")
    acc = sum(critic.object_accuracy(vz, vl) for vz, vl in val) / len(val)
    ck.save(out, {"model": critic.state_dict(), "opt": opt.state_dict(), "steps": steps, "accuracy": acc,
                  "classes": classes, "words": words})
    log(f"critic: {steps} steps, held-out object accuracy {acc:.3f} -> {out}")
    return acc


def load_critic(saved: dict, channels: int) -> ShapeCritic:
    """A critic file's network (pretrain's output: its weights and class count), in eval mode."""
    critic = ShapeCritic(channels, saved["classes"])
    critic.load_state_dict(saved["model"])
    return critic.eval()


@torch.no_grad()
def x0_accuracy_by_t(snapshot, critic_path, ts=(0.3, 0.5, 0.7, 0.8, 0.9, 0.95), batches=2, batch=32):
    """How well a DiT snapshot's implied clean latent x0 = x_t - t v keeps (or writes) each
    object's shape, by noise level t: the critic's object accuracy on x0 from x_t of held-out
    batches (the same noise at every t). Near 1 at low t (the shape is in x_t: the DiT reads
    it); at high t the shape must come from the caption (the DiT writes it)."""
    from pathlib import Path

    from . import checkpoint as ck
    from .held_out import DiagnosedSnapshot

    snap = DiagnosedSnapshot(snapshot)
    critic = load_critic(ck.load(Path(critic_path)), snap.recipe.dit.latent_channels)
    out = {t: [] for t in ts}
    for k in range(batches):
        hb = snap.batch(k, batch)
        labels = critic_labels(snap.world, hb.scenes, critic.classes, hb.z0.shape[-1])
        emb = snap.text(hb.ids, hb.mask)
        out.setdefault("true", []).append(critic.object_accuracy(hb.z0, labels))
        for t in ts:
            xt, tt = hb.noised(t)
            v, _, _ = snap.dit(xt, tt, emb, hb.mask)
            out[t].append(critic.object_accuracy(xt - t * v, labels))
    return {str(k): round(sum(v) / len(v), 3) for k, v in out.items()}


def main():
    import argparse
    from pathlib import Path

    ap = argparse.ArgumentParser(description="pretrain a shape critic on true latents (train.shape_critic_from)")
    ap.add_argument("--vae", type=Path, help="a run's vae.pt (pretraining)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seconds", type=float, default=600.0, help="CPU seconds")
    ap.add_argument("--words", action="store_true", help="also the world's words as classes")
    ap.add_argument("--reuse", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--diagnose", type=Path, default=None,
                    help="a DiT snapshot: print the critic's (--out) object accuracy on its x0 by noise level")
    ap.add_argument("--batches", type=int, default=2,
                    help="with --diagnose: held-out batches of 32 (2 = about 115 objects, +-8 points at 30 %%)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.diagnose:
        import json

        print(json.dumps(x0_accuracy_by_t(args.diagnose, args.out, batches=args.batches)))
        return
    pretrain(args.vae, args.out, args.seconds, args.words, args.reuse)


if __name__ == "__main__":
    main()
