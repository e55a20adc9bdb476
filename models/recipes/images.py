"""PNG helpers: premultiplied RGBA tensors -> sample sheets over a checkerboard."""

from pathlib import Path

import torch
from PIL import Image


def over_checker(rgba):
    """[N, 4, H, W] premultiplied -> [N, 3, H, W] over a grey checkerboard."""
    H, W = rgba.shape[-2:]
    cell = max(2, H // 16)
    yy = torch.arange(H).view(-1, 1) // cell
    xx = torch.arange(W).view(1, -1) // cell
    chk = (((yy + xx) % 2).float() * 0.2 + 0.7).to(rgba.device)
    return rgba[:, :3] + chk * (1 - rgba[:, 3:4])


def save_rgba_grid(path, rows, cols=8):
    """rows: list of [N, 4, H, W] premultiplied tensors (or [N, 3, H, W]); one sheet row
    per chunk of `cols` images of each tensor."""
    tiles = []
    for t in rows:
        t = t.detach().float().cpu()
        t = over_checker(t) if t.shape[1] == 4 else t
        for i in range(0, t.shape[0], cols):
            chunk = list(t[i:i + cols])
            while len(chunk) < cols:
                chunk.append(torch.ones_like(t[0]))
            tiles.append(torch.cat(chunk, -1))
    img = torch.cat(tiles, -2).clamp(0, 1)
    arr = (img * 255).round().byte().permute(1, 2, 0).numpy()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path)
