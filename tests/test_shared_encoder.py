"""Shared-encoder plumbing (issue #17): the split modules give what the full encoders give, and distillation moves
the trained top layers towards the teacher while both heads stay as shipped.

Small randomly initialised BERTs (hidden 384 like MiniLM, 3 layers) stand in for the real ones, so this needs
torch + transformers (the `hf` extra) but no weights and no data.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from transformers import BertConfig, BertModel

from models.train.export_embedder import MeanPoolEncoder
from models.train.shared_distill import Distilled, Student, distill_loss, pad, train
from models.train.shared_export import Lower, Top, bert_layers
from models.train.train_sentiment import MeanPoolClassifier

pytestmark = pytest.mark.slow  # training tooling (torch), like test_partial_finetune


def _bert(seed: int) -> BertModel:
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=50, hidden_size=384, num_hidden_layers=3, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=32)
    model = BertModel(config, add_pooling_layer=False)
    model.train(False)
    return model


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    ids = torch.tensor([[2, 7, 9, 11, 3], [2, 5, 3, 0, 0], [2, 8, 8, 3, 0]])
    return ids, (ids > 0).long()


def test_split_passes_equal_the_full_encoders() -> None:
    story, tuned = _bert(1), MeanPoolClassifier(_bert(2)).eval()
    for shared in (1, 2):
        with torch.no_grad():
            hidden = Lower(story, shared)(*_batch())
            vector = Top(story, shared, None)(hidden, _batch()[1])[0]
            torch.testing.assert_close(vector, MeanPoolEncoder(story)(*_batch()), atol=1e-5, rtol=0)
            # the sentiment side: the tuned model's own top layers over the shared states
            both = MeanPoolClassifier(_bert(1)).eval()
            both.load_state_dict({**tuned.state_dict(), **{
                k: v for k, v in MeanPoolClassifier(story).state_dict().items()
                if k.startswith("encoder.embeddings") or any(f"layer.{n}." in k for n in range(shared))}})
            logits, _ = Top(tuned.encoder, shared, tuned.head)(hidden, _batch()[1])
            torch.testing.assert_close(logits, both(*_batch()), atol=1e-5, rtol=0)


def _cache(tmp_path: Path, story: BertModel, teacher: MeanPoolClassifier, shared: int) -> Distilled:
    """What ``shared_cache`` writes: the story encoder's states entering layer k + the teacher's outputs."""
    ids, mask = _batch()
    with torch.no_grad():
        hidden = story(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states[shared]
        logits = teacher(ids, mask)
        full = teacher.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        pooled = (full * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
    lengths = mask.sum(1).tolist()
    np.save(tmp_path / f"s.L{shared}.npy",
            np.concatenate([hidden[i, :n].numpy() for i, n in enumerate(lengths)]).astype(np.float16))
    np.save(tmp_path / "s.offsets.npy", np.concatenate([[0], np.cumsum(lengths)]))
    np.save(tmp_path / "s_labels.npy", np.array([0, 1, -1]))
    np.save(tmp_path / "s.teacher_logits.npy", logits.numpy())
    np.save(tmp_path / "s.teacher_pooled.npy", pooled.numpy())
    return Distilled(tmp_path, "s", shared)


def test_distillation_moves_the_top_towards_the_teacher_and_keeps_the_heads(tmp_path: Path) -> None:
    story, teacher = _bert(1), MeanPoolClassifier(_bert(2)).eval()
    data = _cache(tmp_path, story, teacher, 2)
    student = Student(nn.ModuleList(bert_layers(teacher.encoder)[2:]), teacher.head, nn.Linear(384, 3))
    heads = {k: v.clone() for k, v in student.state_dict().items() if not k.startswith("layers.")}

    def loss() -> float:
        states, mask, logits, pooled = pad([data], [(0, 0), (0, 1), (0, 2)])
        with torch.no_grad():
            return float(distill_loss(student, student(states, mask), logits, pooled, 1.0))

    before = loss()
    cfg = argparse.Namespace(seed=1, epochs=30, lr=1e-3, pooled_weight=1.0, label_weight=0.5)
    train(student, [data], cfg)
    assert loss() < 0.5 * before
    for name, value in student.state_dict().items():
        if name in heads:
            assert torch.equal(value, heads[name]), name
