/**
 * Judges for iterative DPO: a {@link io.dpo4j.judge.Judge} scores (prompt, completion) candidates, higher is better.
 * Implementations: an ONNX sequence classifier or reward model run through ORT inference, an external command
 * speaking JSONL on stdin/stdout, distance to a target length, and a weighted composite. A judge that cannot score a
 * candidate throws {@link io.dpo4j.judge.JudgeException} naming it; it never scores it 0.
 */
package io.dpo4j.judge;
