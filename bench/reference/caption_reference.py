#!/usr/bin/python3
"""PyTorch + PIL reference of `pipeline caption FOLDER --model DIR --beam 3 --out FILE`.

Captions every image of a folder with the same trained captioner, doing what the product does:
decode (PIL, in a thread pool) -> RGB -> resize the shorter side to the model's image size (bilinear) ->
centre crop -> pixels in 0..255 -> the backbone's input transform (channel order + mean image) ->
ResNet trunk (PyTorch, eval, no_grad) -> region features -> "Show, Attend and Tell" decoder with beam
search as the product's CaptionDecoding (end token, early stopping, length penalty 0 as the CLI's
default) -> one JSON line per image {"image": ..., "caption": ...} written to --out.

Inputs written by the C# side (Pipeline.Bench caption-e2e):
  --model DIR     the captioner directory (config.json, vocab.json, model.safetensors: decoder weights)
  --resnet DIR    ResNet-18 weights (torchvision names) and the input transform as .npy files
                  (resnet_mean_image.npy (3,S,S), resnet_channel_order.npy (3,))

Prints one JSON summary line on stdout: images, seconds (from the first decode to the last line
written, the same span the C# harness reports for `pipeline caption`), images_per_s, torch version.
"""

import argparse
import concurrent.futures
import json
import math
import os
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference  # noqa: E402  (environment handling and the shared ResNet definition; no torch import at load)

EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")


def parse_args(argv):
    p = argparse.ArgumentParser(description="PyTorch + PIL folder captioning (reference of `pipeline caption`).")
    p.add_argument("--model", required=True)
    p.add_argument("--resnet", required=True)
    p.add_argument("--inputs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--beam", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--env", choices=("tuned", "default"), default="tuned")
    return p.parse_args(argv)


def ensure_env(mode, threads):
    """Re-exec this script under the system python with reference.py's environment for `mode`."""
    wanted = "%s:%d" % (mode, threads)
    python = reference.SYSTEM_PYTHON if os.path.exists(reference.SYSTEM_PYTHON) else sys.executable
    if os.environ.get(reference.ENV_MARKER) == wanted and os.path.realpath(sys.executable) == os.path.realpath(python):
        return
    os.execve(python, [python, os.path.abspath(__file__)] + sys.argv[1:], reference.build_env(mode, threads))


def read_safetensors(path, np):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError("%s: dtype %s, expected F32" % (name, entry["dtype"]))
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=np.float32).reshape(entry["shape"]).copy()
    return tensors


def main():
    args = parse_args(sys.argv[1:])
    ensure_env(args.env, args.threads)
    reference.import_libs(args.threads)
    import numpy as np
    import torch
    import torch.nn.functional as F
    from PIL import Image

    config = json.load(open(os.path.join(args.model, "config.json")))
    vocab_doc = json.load(open(os.path.join(args.model, "vocab.json")))
    words = vocab_doc["tokens"] if isinstance(vocab_doc, dict) and "tokens" in vocab_doc else vocab_doc
    side = config["ImageSize"]
    pad, start, end = config.get("PadId", 0), config.get("StartId", 2), config.get("EndId", 3)
    max_len = config.get("MaxCaptionLength", 20)
    weights = {k: torch.from_numpy(v) for k, v in read_safetensors(os.path.join(args.model, "model.safetensors"), np).items()}
    prefix = "decoder."
    W = {k[len(prefix):]: v for k, v in weights.items() if k.startswith(prefix)}

    # The trunk: reference.py's ResNet with the packaged weights (frozen stages are not in the model directory).
    ResNet = reference.models()[5]
    trunk = ResNet()
    state = {k: torch.from_numpy(np.load(os.path.join(args.resnet, k + ".npy"))) for k in trunk.state_dict() if not k.endswith("num_batches_tracked")}
    for k, v in weights.items():                       # fine-tuned stages, when the model has any, override the package
        if k.startswith("encoder.resnet."):
            state[k[len("encoder.resnet."):]] = v
    trunk.load_state_dict(state, strict=False)
    trunk.eval()
    trunk = trunk.to(memory_format=torch.channels_last)
    mean_image = torch.from_numpy(np.load(os.path.join(args.resnet, "resnet_mean_image.npy")))
    order = [int(c) for c in np.load(os.path.join(args.resnet, "resnet_channel_order.npy"))]

    files = sorted(f for f in os.listdir(args.inputs) if f.lower().endswith(EXTENSIONS))

    def load(name):
        with Image.open(os.path.join(args.inputs, name)) as im:
            im = im.convert("RGB")
            w, h = im.size
            scale = side / min(w, h)
            if (w, h) != (side, side):
                im = im.resize((max(side, round(w * scale)), max(side, round(h * scale))), Image.BILINEAR)
                w, h = im.size
                left, top = (w - side) // 2, (h - side) // 2
                im = im.crop((left, top, left + side, top + side))
            return np.asarray(im, dtype=np.float32).transpose(2, 0, 1)      # (3, S, S) in 0..255

    def decode_batch(feats):
        """Beam search over region features (B, R, F) with the product's rules; returns token lists."""
        b, regions, _ = feats.shape
        k = args.beam
        proj = (feats @ W["attention.features_weight"].t()).repeat_interleave(k, 0)   # (N, R, A)
        feats_k = feats.repeat_interleave(k, 0)
        mean = feats_k.mean(dim=1)
        h = torch.tanh(F.linear(mean, W["init_h.weight"], W["init_h.bias"]))
        c = torch.tanh(F.linear(mean, W["init_c.weight"], W["init_c.bias"]))
        active = torch.arange(b)
        score = torch.full((b, k), float("-inf"))
        score[:, 0] = 0.0
        prev = torch.full((b * k,), start, dtype=torch.long)
        seqs = torch.empty((b * k, 0), dtype=torch.long)
        finished = [[] for _ in range(b)]
        positions = torch.arange(2 * k)
        vocab = W["output.weight"].shape[0]
        for _ in range(max_len):
            n = active.numel()
            if n == 0:
                break
            emb = F.embedding(prev, W["embedding.weight"])
            e = F.linear(torch.tanh(proj + F.linear(h, W["attention.hidden_weight"], W["attention.bias"]).unsqueeze(1)), W["attention.score_weight"]).squeeze(2)
            alpha = torch.softmax(e, dim=1)
            context = torch.bmm(alpha.unsqueeze(1), feats_k).squeeze(1)
            gate = torch.sigmoid(F.linear(h, W["gate.weight"], W["gate.bias"]))
            x = torch.cat([emb, gate * context], dim=1)
            h, c = torch._VF.lstm_cell(x, (h, c), W["lstm.weight_ih"], W["lstm.weight_hh"], W["lstm.bias_ih"], W["lstm.bias_hh"])
            logp = torch.log_softmax(F.linear(h, W["output.weight"], W["output.bias"]), dim=1)
            total = (score.reshape(-1, 1) + logp).reshape(n, k * vocab)
            top_s, top_i = total.topk(2 * k, dim=1)
            top_row = torch.div(top_i, vocab, rounding_mode="floor")
            top_tok = top_i % vocab
            finite = torch.isfinite(top_s)
            is_end = (top_tok == end) & finite
            live_rank = torch.cumsum((~is_end & finite).long(), dim=1)
            take = ~is_end & finite & (live_rank <= k)
            ended = is_end & (live_rank < k)
            base = (torch.arange(n) * k).unsqueeze(1)
            if bool(ended.any()):
                for a, j in ended.nonzero().tolist():
                    row = int(base[a, 0] + top_row[a, j])
                    finished[int(active[a])].append((float(top_s[a, j]), seqs[row].tolist()))   # length penalty 0
            order_ = torch.where(take, positions, positions + 2 * k).argsort(dim=1)[:, :k]
            valid = take.gather(1, order_)
            parent = torch.where(valid, base + top_row.gather(1, order_), base + torch.arange(k))
            new_score = torch.where(valid, top_s.gather(1, order_), torch.full_like(top_s[:, :k], float("-inf")))
            new_tok = torch.where(valid, top_tok.gather(1, order_), torch.full_like(top_tok[:, :k], end))
            done = torch.tensor([len(finished[int(i)]) >= k for i in active]) | ~valid.any(dim=1)
            keep = ~done
            kept_parent = parent[keep].reshape(-1)
            h, c = h[kept_parent], c[kept_parent]
            seqs = torch.cat([seqs[kept_parent], new_tok[keep].reshape(-1, 1)], dim=1)
            if not bool(keep.all()):
                kept_rows = (base + torch.arange(k))[keep].reshape(-1)
                feats_k, proj = feats_k[kept_rows], proj[kept_rows]
            score, prev, active = new_score[keep], new_tok[keep].reshape(-1), active[keep]
        for a, image in enumerate(active.tolist()):
            for j in range(k):
                if math.isfinite(float(score[a, j])):
                    finished[image].append((float(score[a, j]), seqs[a * k + j].tolist()))
        return [max(f, key=lambda x: x[0])[1] if f else [] for f in finished]

    started = time.perf_counter()
    written = 0
    with open(args.out, "w") as out, concurrent.futures.ThreadPoolExecutor(args.threads) as pool, torch.no_grad():
        for first in range(0, len(files), args.batch_size):
            names = files[first:first + args.batch_size]
            pixels = torch.from_numpy(np.stack(list(pool.map(load, names))))            # (B, 3, S, S)
            x = pixels[:, order] - mean_image
            maps = trunk(x.contiguous(memory_format=torch.channels_last))               # (B, R, F)
            for name, tokens in zip(names, decode_batch(maps.contiguous())):
                caption = " ".join(words[t] for t in tokens if t not in (pad, start, end))
                out.write(json.dumps({"image": name, "caption": caption}) + "\n")
                written += 1
    seconds = time.perf_counter() - started
    print(json.dumps({"images": written, "seconds": round(seconds, 3), "images_per_s": round(written / seconds, 2),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
