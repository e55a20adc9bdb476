"""Named recipe configurations. Every size lives here; models read only their config.

    tiny : smoke tests (seconds)
    cpu  : the lamina-tiny models end to end in under an hour on 2 CPU cores
    cpu-long : the same models trained longer in the background (the shipped pack)
    gpu  : same architecture family, sized for ~10 minutes of one H100
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace


@dataclass
class VAEConfig:
    # "vae": the learned RGBA VAE; "none": pixel space (vae.PixelCodec, premultiplied RGBA
    # mapped to [-1, 1], nothing to train, no representation ceiling)
    kind: str = "vae"
    image_channels: int = 4  # premultiplied RGBA
    latent_channels: int = 8
    pixel_unshuffle: int = 2  # space-to-depth at the input (f = unshuffle * 2**len(down))
    channels: tuple = (32, 64, 128)  # one level per resolution after the unshuffle
    res_blocks: int = 1
    groups: int = 8

    @property
    def scale_factor(self) -> int:
        if self.kind == "none":
            return 1
        return self.pixel_unshuffle * 2 ** (len(self.channels) - 1)

    def __post_init__(self):
        if self.kind not in ("vae", "none"):
            raise ValueError(f"vae.kind {self.kind!r}: expected 'vae' or 'none' (pixel space)")
        if self.kind == "none":
            self.latent_channels = self.image_channels


@dataclass
class TextConfig:
    vocab_size: int = 85  # overwritten from world.json
    max_length: int = 48
    dim: int = 128
    layers: int = 2
    heads: int = 4
    mlp_ratio: int = 2


@dataclass
class DiTConfig:
    latent_channels: int = 8
    latent_size: int = 16  # native image size / VAE scale factor
    patch_size: int = 2
    dim: int = 256
    blocks: int = 6
    heads: int = 4
    mlp_ratio: int = 3
    text_dim: int = 128
    # "velocity": the network predicts noise - clean; "x0": it predicts the clean sample and
    # forward() returns the velocity (x_t - x0) / max(t, x0_t_min) (Li & He 2025, "Back to
    # Basics": with high-dimensional patches, e.g. 8 x 8 RGBA pixels, x-prediction works
    # where velocity prediction does not); the loss stays on velocity
    prediction: str = "velocity"
    x0_t_min: float = 0.05
    # > 0: the patch embedding goes through a linear bottleneck of this width (JiT)
    patch_bottleneck: int = 0
    # the image stream's MLP as SANA's Mix-FFN: a depthwise 3 x 3 convolution over the token
    # grid between its two linear layers (locality a plain token MLP lacks)
    mix_ffn: bool = False
    # a learned bias on the image-to-image attention logits per head and 2D token offset
    # (Swin's relative position bias), zero at init so a pack trained without it loads
    # unchanged: attention can prefer "the token two to the left" whatever the content
    rel_pos_bias: bool = False

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads

    @property
    def image_tokens(self) -> int:
        return (self.latent_size // self.patch_size) ** 2


@dataclass
class TrainConfig:
    image_size: int = 128
    # VAE
    vae_steps: int = 3000
    vae_batch: int = 16
    vae_crop: int = 64
    vae_lr: float = 1e-3
    vae_kl: float = 1e-6
    # DiT
    dit_steps: int = 30000
    dit_batch: int = 32
    dit_lr: float = 5e-4
    warmup: int = 500
    min_lr_ratio: float = 0.05
    weight_decay: float = 0.0
    ema: float = 0.999
    caption_dropout: float = 0.1
    phrase_fraction: float = 0.35  # share of samples that are single object layers + phrase
    flow_shift: float = 1.0  # timestep shift of the training distribution
    sample_shift: float | None = None  # the pack's sampling shift (None = flow_shift)
    grad_clip: float = 1.0
    # weight of the denoising loss on the latent pixels that an object or a word covers,
    # relative to the background's (1 = plain MSE); the weights are normalised to mean 1
    # per batch, so the loss scale stays that of plain MSE (train.pixel_weights)
    object_loss_weight: float = 1.0
    # token probe (training aid, see train.TokenProbe): weight of its loss (0 = off) and
    # the block whose image tokens it reads
    token_probe: float = 0.0
    token_probe_block: int = 2
    # shape critic (training aid, see shape_critic.py): weight of the loss on the critic's
    # reading of the DiT's implied clean latent (0 = off); the critic trains alone on true
    # latents for its first `shape_critic_warmup` steps before the DiT gets that loss
    shape_loss: float = 0.0
    shape_critic_warmup: int = 200
    shape_critic_lr: float = 1e-3
    # the critic also reads which of the world's words covers each latent pixel (words drawn
    # legibly, as the word judge needs), not only that a word does
    shape_critic_words: bool = False
    # a pretrained critic to start from (python -m models.recipes.shape_critic), "" = none
    shape_critic_from: str = ""
    # the DiT's shape loss per image weighted by t ** power (normalised to mean 1 over the
    # batch): 0 = every noise level alike; > 0 leans on high noise, where shapes are decided
    shape_loss_t_power: float = 0.0
    # REPA-style alignment (0 = off): an MLP on block `critic_align_block`'s image tokens
    # (computed from x_t) is trained toward the pretrained critic's features of the clean
    # latent (cosine, pooled to the token grid); needs shape_critic_from. Unlike shape_loss no
    # gradient passes through the critic's input, so the DiT cannot draw to fool it.
    critic_align: float = 0.0
    critic_align_block: int = 2
    # token grounding (training aid, see grounding.py; TokenCompose): weights of the token loss
    # (a caption word's attention mass should lie inside the region it names) and of the
    # pixel loss (each image token's attention to the phrase that names it), 0 = off
    grounding: float = 0.0
    grounding_pixel: float = 0.0
    # the pixel loss's target split evenly over the phrase's words (size, colour, shape), not
    # the phrase as a whole: an image token must read its shape word, not only its colour word
    grounding_split: bool = False
    data_reuse: int = 1  # DiT: a freshly rendered+encoded batch feeds this many steps on average
    data_buffer: int = 16  # DiT: batches kept in the shuffled replay buffer when data_reuse > 1
    # wall-clock budgets (seconds, None = none): a stage stops at its step count or its
    # budget, whichever comes first, and its LR schedule anneals over the budget
    vae_seconds: float | None = None
    dit_seconds: float | None = None
    budget_clock: str = "wall"  # "cpu": the budgets count this process's CPU seconds (checkpoint.Budget)
    # curriculum: for the first `curriculum_seconds` of the DiT budget, batches are single
    # objects on plain backgrounds (world.simple_scenes) instead of full scenes
    curriculum_seconds: float = 0.0
    # progressive resolution: for the first `lowres_seconds` of the DiT budget, batches are
    # rendered at `lowres_size` px (a quarter of the tokens at half the side: steps ~4x
    # cheaper), positions in native token units (mmdit.sincos_2d), then at image_size
    lowres_seconds: float = 0.0
    lowres_size: int = 64
    # save an EMA snapshot every this many budget seconds (trend measurements), 0 = never
    snapshot_seconds: float = 0.0
    # housekeeping
    log_every: int = 50
    ckpt_every: int = 500
    sample_every: int = 2000
    threads: int = 2
    seed: int = 0


@dataclass
class Recipe:
    name: str
    vae: VAEConfig = field(default_factory=VAEConfig)
    text: TextConfig = field(default_factory=TextConfig)
    dit: DiTConfig = field(default_factory=DiTConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict:
        return asdict(self)


def get(name: str) -> Recipe:
    r = _preset(name)
    return with_image_size(r, r.train.image_size)


def _preset(name: str) -> Recipe:
    if name in ("cpu", "cpu-long"):
        # cpu: end to end in under an hour on 2 cores, guaranteed by time budgets (15 min
        # VAE + 40 min DiT at most, then ~3 min of export and scoring); cpu-long: the same
        # models trained longer in the background (the shipped pack)
        short = name == "cpu"
        return Recipe(
            name,
            dit=DiTConfig(dim=128, blocks=6, heads=4, mlp_ratio=4),
            train=TrainConfig(vae_steps=700, dit_steps=2500 if short else 8500, dit_batch=32,
                              dit_lr=6e-4, ckpt_every=250, sample_every=1000, data_reuse=3,
                              vae_seconds=900.0 if short else None, dit_seconds=2400.0 if short else None),
        )
    if name.startswith("cal-"):
        return _calibration(name)
    if name == "tiny":
        return Recipe(
            "tiny",
            vae=VAEConfig(channels=(8, 16, 16), groups=4),
            text=TextConfig(dim=32, layers=1, heads=2),
            dit=DiTConfig(dim=32, blocks=2, heads=2, mlp_ratio=2, text_dim=32),
            train=TrainConfig(image_size=64, vae_steps=3, vae_batch=2, vae_crop=32, dit_steps=3, dit_batch=2,
                              warmup=1, log_every=1, ckpt_every=2, sample_every=3, data_reuse=2, data_buffer=2),
        )
    if name == "gpu":
        return Recipe(
            "gpu",
            # sized so the exported pack stays under 60 MB (fp32)
            # the calibration's pick (docs/training/calibration.md): an f = 4 VAE (the f = 8 one
            # caps single-object shapes near 50 %), 8 px tokens as patch 2 on 32 x 32 latents
            vae=VAEConfig(channels=(64, 128), res_blocks=1, groups=8),
            text=TextConfig(dim=192, layers=3, heads=3),
            # 256 image tokens of 8 px (patch 2 on f = 4 latents); with 64 tokens of 16 px (patch 2 on f = 8) the CPU runs
            # learned colours but never shapes (an object covers only 2-3 tokens)
            dit=DiTConfig(dim=192, blocks=6, heads=3, mlp_ratio=4, text_dim=192, patch_size=2),
            train=TrainConfig(vae_steps=4000, vae_batch=64, vae_crop=128, vae_lr=1e-3,
                              dit_steps=8000, dit_batch=256, dit_lr=4e-4, warmup=500, data_reuse=2,
                              log_every=100, ckpt_every=1000, sample_every=2000, threads=8),
        )
    raise ValueError(f"unknown recipe {name!r} (tiny, cpu, cpu-long, gpu, {', '.join(CALIBRATION)})")


CALIBRATION = ("cal-control", "cal-latent8", "cal-pixel", "cal-curriculum", "cal-latent16", "cal-curriculum16",
               "cal-progressive")


def _calibration(name: str) -> Recipe:
    """docs/training/calibration.md: recipes compared at the same compute, 2400 CPU seconds
    of DiT training on one thread each (checkpoint.Budget's "cpu" clock), EMA snapshots
    every 600 s for the trend. VAEs are trained before, outside that budget."""
    train = dict(dit_steps=1_000_000, dit_batch=32, dit_lr=6e-4, warmup=200, data_reuse=3, ckpt_every=250, sample_every=10**9,
                 threads=1, budget_clock="cpu", dit_seconds=2400.0, snapshot_seconds=600.0)
    if name == "cal-control":  # (a) today's recipe: f = 8 VAE (700 steps), 16 px tokens (patch 2)
        return Recipe(name, dit=DiTConfig(dim=128, blocks=6, heads=4, mlp_ratio=4),
                      train=TrainConfig(vae_steps=700, **train))
    if name == "cal-progressive":  # (f) (b) at 64 px (64 tokens, steps ~3x cheaper) for the first half of the budget
        r = _calibration("cal-latent8")
        r.name, r.train.lowres_seconds, r.train.lowres_size = name, 1200.0, 64
        return r
    if name in ("cal-latent8", "cal-curriculum", "cal-latent16", "cal-curriculum16"):
        # (b) a VAE trained until it keeps shapes (f = 4), 8 px tokens (patch 2 on 32 x 32);
        # (d) (b) with single objects on plain backgrounds for the first quarter of the budget;
        # (e) the same VAE, 16 px tokens (patch 4: 64 tokens of 4 x 4 x 8 latents): a DiT step
        # at 256 tokens cost 4.4x one at 64 (2.2 s vs 0.50 s per batch of 32, one thread,
        # before fused attention; 2.9x after), and at 2400 s the step count decided colour;
        # (e') (e) with the curriculum (run alongside (e))
        return Recipe(name, vae=VAEConfig(channels=(48, 96)),
                      dit=DiTConfig(dim=128, blocks=6, heads=4, mlp_ratio=4, patch_size=4 if name.endswith("16") else 2),
                      train=TrainConfig(vae_steps=1_000_000, vae_seconds=1800.0, **train,
                                        **({"curriculum_seconds": 600.0} if "curriculum" in name else {})))
    if name == "cal-pixel":  # (c) pixel-space RGBA, x-prediction, 8 px patches
        return Recipe(name, vae=VAEConfig(kind="none"),
                      dit=DiTConfig(dim=128, blocks=6, heads=4, mlp_ratio=4, patch_size=8, prediction="x0",
                                    patch_bottleneck=128),
                      # pixels lose their information at lower noise than latents: shift toward noise
                      # (JiT's logit-normal mean -0.8 is about shift 2 in this convention)
                      train=TrainConfig(vae_steps=0, flow_shift=2.0, **train))
    raise ValueError(f"unknown calibration recipe {name!r} ({', '.join(CALIBRATION)})")


def sampling_shift(train: TrainConfig) -> float:
    """The scheduler shift a pack samples with: sample_shift, else the training shift."""
    return train.flow_shift if train.sample_shift is None else train.sample_shift


def override(recipe: Recipe, item: str) -> None:
    """Apply "section.field=value" (e.g. "train.flow_shift=3") to a recipe, with the
    field's own type; unknown names are errors."""
    key, sep, value = item.partition("=")
    section, dot, name = key.strip().partition(".")
    part = getattr(recipe, section, None) if dot else None
    if not sep or part is None or not hasattr(part, "__dataclass_fields__") or name not in part.__dataclass_fields__:
        raise ValueError(f"--set {item!r}: expected SECTION.FIELD=VALUE with SECTION in vae, text, dit, train "
                         f"and a field of that section")
    current = getattr(part, name)
    if isinstance(current, bool):
        v = value.strip().lower() in ("1", "true", "yes")
    elif isinstance(current, int):
        v = int(value)
    elif isinstance(current, float) or current is None:
        v = None if value.strip().lower() == "none" else float(value)
    elif isinstance(current, tuple):
        v = tuple(int(x) for x in value.split(","))
    else:
        v = type(current)(value)
    setattr(part, name, v)


def from_dict(d: dict) -> Recipe:
    """Rebuild the recipe a checkpoint was trained with (unknown keys are ignored)."""

    def make(cls, kv):
        names = set(cls.__dataclass_fields__)
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in kv.items() if k in names})

    return Recipe(d["name"], make(VAEConfig, d["vae"]), make(TextConfig, d["text"]), make(DiTConfig, d["dit"]),
                  make(TrainConfig, d["train"]))


def with_image_size(r: Recipe, size: int) -> Recipe:
    r.train = replace(r.train, image_size=size)
    r.dit = replace(r.dit, latent_size=size // r.vae.scale_factor)
    return r
