/**
 * Preference data: reading pairs ({@link io.dpo4j.data.PreferenceReader}), chat templates
 * ({@link io.dpo4j.data.ChatTemplate}), boundary-exact tokenization with truncation
 * ({@link io.dpo4j.data.PairTokenizer}), collation into {@code [chosen; rejected]} batches
 * ({@link io.dpo4j.data.Collator}) and seeded train/eval splits ({@link io.dpo4j.data.Split}).
 *
 * <h2>Files</h2>
 * {@code .jsonl}/{@code .ndjson} (one object per line, streamed), {@code .json} (one array of objects),
 * {@code .csv} and {@code .tsv} (header row; TSV without quoting). Optional columns: {@code preference} (probability in
 * [0, 1] that chosen is preferred, default 1), {@code weight} (>= 0, default 1), {@code id}. All names configurable
 * through {@link io.dpo4j.data.FieldNames}.
 *
 * <h2>Layouts</h2>
 * <ul>
 *   <li>standard: {@code {"prompt": "Q: 2+2?\nA:", "chosen": " 4", "rejected": " 5"}}</li>
 *   <li>implicit prompt (no prompt field; the shared start is the prompt, cut before the last whitespace run of the
 *       common prefix): {@code {"chosen": "Q: 2+2?\nA: 4", "rejected": "Q: 2+2?\nA: 5"}}</li>
 *   <li>conversational (rendered with the tokenizer_config.json chat template; without a prompt field the shared
 *       leading messages are the prompt): {@code {"prompt": [{"role": "user", "content": "2+2?"}],
 *       "chosen": [{"role": "assistant", "content": "4"}], "rejected": [{"role": "assistant", "content": "5"}]}}</li>
 *   <li>seed column names (recognised with the default field names): {@code prompt,preferred_response,non_preferred_response}</li>
 * </ul>
 *
 * <h2>Batches</h2>
 * The layout follows {@code tools/CONTRACT.md}: right padding, attention mask 1 on real tokens, completion mask 1 on
 * counted completion tokens and never on position 0.
 */
package io.dpo4j.data;
