/**
 * LoRA artifact sets (tools/CONTRACT.md, manifest {@code lora}): the frozen base weights read from the set's weights
 * file, adapters folded into them ({@link io.dpo4j.lora.LoraMerge}), and the PEFT adapter directory layout
 * ({@code adapter_config.json}, {@code adapter_model.safetensors}) written by {@code dpo4j export-adapter} and read by
 * {@code dpo4j train --init-adapter}.
 */
package io.dpo4j.lora;
