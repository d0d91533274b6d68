/**
 * Hugging Face round trip: a trained checkpoint as a transformers model directory (safetensors), and a LoRA
 * checkpoint's adapters as a PEFT adapter directory (written by export-adapter, read by train --init-adapter).
 */
package io.dpo4j.hf;
