/**
 * The {@code dpo4j} command line (picocli): {@code train}, {@code eval}, {@code export-inference}, {@code bench},
 * {@code data stats} and {@code report}. Every option prints its default in {@code --help}; every command ends its help with examples.
 */
package io.dpo4j.cli;
