/**
 * The {@code dpo4j} command line (picocli): {@code train}, {@code eval}, {@code export-inference}, {@code bench} and
 * {@code data stats}. Every option prints its default in {@code --help}; every command ends its help with examples.
 */
package io.dpo4j.cli;
