"""The shape critic (training aid): the DiT's loss through it reaches the latent, never the
critic's weights; it learns to read shapes from labelled latents; it reports accuracy only
on object pixels; train.py saves and resumes it."""
import torch

from .shape_critic import ShapeCritic


def _labels(cls: torch.Tensor, classes: int) -> torch.Tensor:
    """Hard labels [B, h, w] -> soft labels [B, h * w, classes]."""
    return torch.nn.functional.one_hot(cls.flatten(1), classes).float()


def test_the_frozen_loss_reaches_the_latent_and_not_the_critic():
    critic = ShapeCritic(8, 10)
    z = torch.randn(2, 8, 16, 16, requires_grad=True)
    labels = _labels(torch.randint(0, 10, (2, 16, 16)), 10)
    critic.loss(z, labels, frozen=True).backward()
    assert z.grad is not None and float(z.grad.abs().sum()) > 0
    assert all(p.grad is None for p in critic.parameters())
    critic.loss(z.detach(), labels).backward()
    assert all(p.grad is not None for p in critic.parameters())


def test_it_learns_to_tell_a_filled_square_from_a_ring_in_a_latent():
    torch.manual_seed(0)
    critic = ShapeCritic(2, 4, width=16)
    opt = torch.optim.Adam(critic.parameters(), lr=3e-3)

    def batch(n=16):
        z = torch.zeros(n, 2, 16, 16)
        cls = torch.zeros(n, 16, 16, dtype=torch.long)
        for i in range(n):
            x, y, ring = int(torch.randint(1, 8, ())), int(torch.randint(1, 8, ())), bool(i % 2)
            box = torch.zeros(16, 16, dtype=torch.bool)
            box[y:y + 7, x:x + 7] = True
            if ring:
                box[y + 2:y + 5, x + 2:x + 5] = False
            z[i, 0][box] = 1.0  # the same "colour" for both shapes: only the form tells them apart
            z[i, 1] = torch.randn(16, 16) * 0.1
            cls[i][box] = 3 if ring else 2
        return z, _labels(cls, 4)

    z, labels = batch()
    before = critic.object_accuracy(z, labels)
    for _ in range(150):
        zb, lb = batch()
        opt.zero_grad()
        critic.loss(zb, lb).backward()
        opt.step()
    z, labels = batch(32)
    after = critic.object_accuracy(z, labels)
    assert after > 0.9 and after > before + 0.3, (before, after)


def test_accuracy_and_loss_judge_each_object_whole():
    critic = ShapeCritic(1, 4)
    with torch.no_grad():
        for p in critic.parameters():
            p.zero_()
    cls = torch.zeros(1, 4, 4, dtype=torch.long)
    assert critic.object_accuracy(torch.zeros(1, 1, 4, 4), _labels(cls, 4)) != critic.object_accuracy(torch.zeros(1, 1, 4, 4), _labels(cls, 4))  # nan: no objects
    cls[0, :2] = 2  # an object of class 2 (8 pixels) and one of class 3 (2 pixels)
    cls[0, 3, :2] = 3
    with torch.no_grad():
        critic.net[-1].bias.copy_(torch.tensor([0.0, 0.0, 5.0, 0.0]))  # always says "class 2"
    labels = _labels(cls, 4)
    assert critic.object_accuracy(torch.zeros(1, 1, 4, 4), labels) == 0.5  # two objects, one read right: not 8 / 10 pixels
    pooled, target, image = critic._objects(critic(torch.zeros(1, 1, 4, 4)).flatten(2).transpose(1, 2), labels)
    assert target.tolist() == [2, 3] and image.tolist() == [0, 0] and pooled.shape == (2, 4)
    assert float(critic.loss(torch.zeros(1, 1, 4, 4), labels)) > 0


def test_sample_weights_choose_which_images_count():
    torch.manual_seed(1)
    critic = ShapeCritic(2, 4, width=8)
    z = torch.randn(2, 2, 8, 8)
    cls = torch.zeros(2, 8, 8, dtype=torch.long)
    cls[0, :4, :4], cls[1, 4:, 4:] = 2, 3
    labels = _labels(cls, 4)
    only_first = critic.loss(z, labels, sample_weight=torch.tensor([1.0, 0.0]))
    assert torch.isclose(only_first, critic.loss(z[:1], labels[:1]))
    assert torch.isclose(critic.loss(z, labels, sample_weight=torch.tensor([2.0, 2.0])), critic.loss(z, labels))
