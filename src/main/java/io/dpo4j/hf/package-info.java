/** Hugging Face round trip: a trained checkpoint as a transformers model directory (safetensors). */
package io.dpo4j.hf;
