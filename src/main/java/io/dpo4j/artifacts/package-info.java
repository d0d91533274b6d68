/**
 * The exported artifact set ({@code tools/CONTRACT.md}): the manifest, checksum and shape validation, and the
 * graph input/output names the trainer relies on. Nothing here touches native code.
 */
package io.dpo4j.artifacts;
