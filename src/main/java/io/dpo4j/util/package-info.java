/** Small shared helpers: checksums, atomic file writes, JSON mapping. */
package io.dpo4j.util;
