"""Word atlas: every world word pre-rasterized once with Pillow at each word height
class, then cut into scenes with pure tensor indexing (no per-scene Pillow calls)."""

from pathlib import Path

import torch
from PIL import Image, ImageDraw, ImageFont


class WordAtlas:
    def __init__(self, font_path: Path, words, heights, device="cpu"):
        self.heights = list(heights)
        self.class_h, self.class_w, self.atlas = [], [], []
        widths = []
        for h in self.heights:
            font = ImageFont.truetype(str(font_path), size=h)
            row = []
            for w in words:
                x0, y0, x1, y1 = font.getbbox(w)
                img = Image.new("L", (x1 - x0 + 2, y1 - y0 + 2), 0)
                ImageDraw.Draw(img).text((1 - x0, 1 - y0), w, font=font, fill=255)
                row.append(torch.tensor(list(img.getdata()), dtype=torch.float32).view(img.height, img.width) / 255)
            hh, ww = max(m.shape[0] for m in row), max(m.shape[1] for m in row)
            tiles = torch.zeros(len(words), hh, ww)
            for i, m in enumerate(row):
                tiles[i, : m.shape[0], : m.shape[1]] = m
            self.class_h.append(hh)
            self.class_w.append(ww)
            self.atlas.append(tiles.to(device))  # [words, hh, ww], top-left aligned
            widths.append([m.shape[1] for m in row])
        self.widths = torch.tensor(widths, dtype=torch.float32, device=device).T.contiguous()  # [words, classes]
        self.box_heights = torch.tensor(self.class_h, dtype=torch.float32, device=device)  # [classes]

    def tile(self, word, hclass, dx, dy, th, tw):
        """Alpha [n, th, tw] with each word's top-left at (dx, dy) inside the tile."""
        a = self.atlas[hclass]
        H, W = a.shape[1:]
        dev = a.device
        ys = torch.arange(th, device=dev).view(1, -1) - dy.view(-1, 1)  # [n, th]
        xs = torch.arange(tw, device=dev).view(1, -1) - dx.view(-1, 1)  # [n, tw]
        vy, vx = (ys >= 0) & (ys < H), (xs >= 0) & (xs < W)
        g = a[word].gather(1, ys.clamp(0, H - 1)[:, :, None].expand(-1, -1, W))
        g = g.gather(2, xs.clamp(0, W - 1)[:, None, :].expand(-1, th, -1))
        return g * (vy[:, :, None] & vx[:, None, :])
