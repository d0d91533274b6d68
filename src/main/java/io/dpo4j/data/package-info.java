/**
 * Preference data: reading pairs from JSONL / JSON / CSV / TSV files in the standard, implicit-prompt and
 * conversational layouts ({@link io.dpo4j.data.PreferenceReader}), rendering chat templates
 * ({@link io.dpo4j.data.ChatTemplate}), exact prompt/completion tokenization with truncation
 * ({@link io.dpo4j.data.PairTokenizer}), collation into {@code [chosen; rejected]} batches
 * ({@link io.dpo4j.data.Collator}) and seeded train/eval splits ({@link io.dpo4j.data.Split}).
 *
 * <p>The batch layout follows {@code tools/CONTRACT.md}: right padding, attention mask 1 on real tokens,
 * completion mask 1 on counted completion tokens and never on position 0.
 */
package io.dpo4j.data;
