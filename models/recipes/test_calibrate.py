"""calibrate.run_end: which snapshot is a run's end (judged on the larger caption set)."""
from . import config as config_lib
from .calibrate import run_end


def test_a_segmented_run_ends_at_its_segment_not_at_the_recipes_budget():
    recipe = config_lib.get("cal-progressive")
    assert run_end(recipe, {"elapsed": 2400.0}) == recipe.train.dit_seconds == 2400.0
    seg = {"start_elapsed": 1000.0, "start_step": 900, "seconds": 7200.0}
    assert run_end(recipe, {"elapsed": 2400.0, "segment": seg}) == 8200.0
    assert run_end(recipe, {"elapsed": 2400.0, "segment": None}) == 2400.0


def test_plain_captions_keep_the_object_and_the_background_colour():
    from models.recipes.calibrate import plain_caption

    assert plain_caption("a small pink ring on a brown gradient background with the word ZEN") == "a small pink ring on a brown background"
    assert plain_caption("a large white heart on a brown striped background with the words HI and OWL") == "a large white heart on a brown background"
    assert plain_caption("a small pink diamond on a green background") == "a small pink diamond on a green background"


def test_generate_at_a_lower_size_samples_that_many_tokens_and_returns_native_images():
    import torch

    from .calibrate import generate
    from .train import build
    from .world import World

    world = World.load()
    recipe = config_lib.get("tiny")  # 64 px native, f = 4 latents of 16 x 16
    codec, text, dit = build(recipe, world)
    sides = []
    dit.register_forward_pre_hook(lambda _m, args: sides.append(args[0].shape[-1]))
    state = {"latent_scale": 1.0, "latent_shift": 0.0}
    with torch.no_grad():
        low = generate(recipe, codec, text, dit, state, ["a large red circle on a blue background"], world, steps=2, size=32)
        native = generate(recipe, codec, text, dit, state, ["a large red circle on a blue background"], world, steps=2)
    f = recipe.vae.scale_factor
    assert sides == [32 // f] * 2 + [64 // f] * 2
    assert low.shape == native.shape == (1, 4, 64, 64)
    assert float(low.min()) >= 0 and float(low.max()) <= 1
