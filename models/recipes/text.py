"""Word-level tokenizer for world.json's vocabulary (mirrors the TypeScript tokenizer)."""

import re

import torch


class Tokenizer:
    def __init__(self, spec: dict):
        self.vocab = {t: i for i, t in enumerate(spec["vocab"])}
        st = spec["special_tokens"]
        self.pad, self.bos, self.eos, self.unk = (self.vocab[st[k]] for k in ("pad", "bos", "eos", "unk"))
        tk = spec["tokenizer"]
        self.split = re.compile(tk["split_regex"])
        self.max_length = tk["max_length"]
        self.lowercase = tk["lowercase"]

    def ids(self, text: str) -> list[int]:
        text = text.lower() if self.lowercase else text
        body = [self.vocab.get(w, self.unk) for w in self.split.findall(text)][: self.max_length - 2]
        return [self.bos, *body, self.eos]

    def __call__(self, texts, device="cpu"):
        """-> input_ids int64 [B, T], attention_mask int64 [B, T] (T = longest in batch)."""
        seqs = [self.ids(t) for t in texts]
        T = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), T), self.pad, dtype=torch.int64)
        mask = torch.zeros(len(seqs), T, dtype=torch.int64)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = torch.tensor(s)
            mask[i, : len(s)] = 1
        return ids.to(device), mask.to(device)
