"""calibrate.run_end: which snapshot is a run's end (judged on the larger caption set)."""
from . import config as config_lib
from .calibrate import run_end


def test_a_segmented_run_ends_at_its_segment_not_at_the_recipes_budget():
    recipe = config_lib.get("cal-progressive")
    assert run_end(recipe, {"elapsed": 2400.0}) == recipe.train.dit_seconds == 2400.0
    seg = {"start_elapsed": 1000.0, "start_step": 900, "seconds": 7200.0}
    assert run_end(recipe, {"elapsed": 2400.0, "segment": seg}) == 8200.0
    assert run_end(recipe, {"elapsed": 2400.0, "segment": None}) == 2400.0
