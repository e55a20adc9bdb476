"""Word atlas: every world word pre-rasterized once with Pillow at each word height
class, then pasted into scenes with pure tensor indexing (no per-scene Pillow calls)."""

from pathlib import Path

import torch
from PIL import Image, ImageDraw, ImageFont


class WordAtlas:
    def __init__(self, font_path: Path, words, heights, device="cpu"):
        self.heights = list(heights)
        masks, widths = [], []
        for h in self.heights:
            font = ImageFont.truetype(str(font_path), size=h)
            row = []
            for w in words:
                x0, y0, x1, y1 = font.getbbox(w)
                img = Image.new("L", (x1 - x0 + 2, y1 - y0 + 2), 0)
                ImageDraw.Draw(img).text((1 - x0, 1 - y0), w, font=font, fill=255)
                row.append(torch.tensor(list(img.getdata()), dtype=torch.float32).view(img.height, img.width) / 255)
            masks.append(row)
            widths.append([m.shape[1] for m in row])
        self.hmax = max(m.shape[0] for row in masks for m in row)
        self.wmax = max(m.shape[1] for row in masks for m in row)
        nw = len(words)
        atlas = torch.zeros(nw, len(self.heights), self.hmax, self.wmax)
        box_h = []
        for c, row in enumerate(masks):
            box_h.append(max(m.shape[0] for m in row))
            for i, m in enumerate(row):
                atlas[i, c, : m.shape[0], : m.shape[1]] = m
        self.atlas = atlas.to(device)  # [words, classes, hmax, wmax], top-left aligned
        self.widths = torch.tensor(widths, dtype=torch.float32, device=device).T.contiguous()  # [words, classes]
        self.box_heights = torch.tensor(box_h, dtype=torch.float32, device=device)  # [classes]

    def paste(self, word, hclass, x0, y0, size):
        """Full-frame alpha [N, size, size] of each word with its top-left at (x0, y0)."""
        dev = self.atlas.device
        pix = torch.arange(size, device=dev)
        ys = pix.view(1, -1) - y0.view(-1, 1)  # [N, S]
        xs = pix.view(1, -1) - x0.view(-1, 1)
        vy = (ys >= 0) & (ys < self.hmax)
        vx = (xs >= 0) & (xs < self.wmax)
        ys, xs = ys.clamp(0, self.hmax - 1), xs.clamp(0, self.wmax - 1)
        flat = self.atlas.view(-1, self.hmax, self.wmax)[word * self.atlas.shape[1] + hclass]  # [N, h, w]
        g = flat.gather(1, ys[:, :, None].expand(-1, -1, self.wmax))  # [N, S, wmax]
        g = g.gather(2, xs[:, None, :].expand(-1, size, -1))  # [N, S, S]
        return g * (vy[:, :, None] & vx[:, None, :])
